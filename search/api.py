"""``/api/v1/search`` and ``/api/v1/suggest``: the search box for partners and scripts.

Public (no token) and cacheable for a minute. The parameters are those of the search
page (``search.params``), so both answer a copied link alike. A wrong parameter is
400 problem+json naming each one, in the caller's Accept-Language.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response, current_app, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, WithJsonSchema

from core.api import API_PREFIX
from core.i18n import LOCALE_CODES, select_locale
from core.problems import problem
from search import services
from search.documents import Facet, Hit, SearchResult
from search.indexing import backend_of
from search.labels import facet_labeller
from search.params import MAX_LIMIT, SearchParamsError, parse_search_args

api = APIBlueprint("search_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="search")])

CACHE_CONTROL = "public, max-age=60"
MAX_SUGGEST_TEXT = 100
SUGGESTIONS = 8

# Every parameter is read as text and checked by search.params (one set of rules and
# messages for the page and the API, answered 400); the schemas below document them.
_Repeatable = Annotated[
    list[str],
    WithJsonSchema({"type": "array", "items": {"type": "string"}}),
]


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}
# An empty value is a filter not given, as the search form sends it.
_Day = Annotated[
    str | None,
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
    ),
]


class QueryModel(BaseModel):
    """A query-string model whose JSON schema is built once.

    flask-openapi3 asks for the schema on every request (to find the list parameters);
    building it afresh took milliseconds, more than a rare-word search itself.
    """

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        # Shared, not copied (a copy costs half a millisecond): flask-openapi3 only reads it.
        return _SCHEMAS[key]


class SearchArgs(QueryModel):
    q: str = Field("", description="Words to find; may be empty when a filter is given.")
    lang: str | None = Field(None, description=f"Answer language: {', '.join(LOCALE_CODES)}.")
    type: _Repeatable = Field(
        [], description="place, event, itinerary, lodging or article; repeat or comma-separate."
    )
    near: str | None = Field(None, description="LAT,LON: sort by distance from this point.")
    radius_km: Annotated[str | None, WithJsonSchema({"type": "number", "exclusiveMinimum": 0})] = (
        Field(None, description="With near: only within this many kilometres.")
    )
    bbox: str | None = Field(None, description="SOUTH,WEST,NORTH,EAST: only inside this area.")
    date_from: _Day = Field(
        None, alias="from", description="Events on or after this day (YYYY-MM-DD)."
    )
    date_to: _Day = Field(
        None, alias="to", description="Events on or before this day (YYYY-MM-DD)."
    )
    limit: Annotated[
        str | None, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})
    ] = Field(None, description="Hits per page (default 20).")
    offset: Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 0})] = None
    category: _Repeatable = Field([], description="Place or lodging kind codes.")
    commune: _Repeatable = Field([], description="Commune or ward names, as in Vietnamese.")
    stars: _Repeatable = Field([], description="1 to 5.")
    amenities: _Repeatable = Field([], description="Amenity codes; hits have at least one.")
    price_band: _Repeatable = Field([], description="under-500k, 500k-1m, 1m-2m or 2m-plus.")


class Location(BaseModel):
    lat: float
    lon: float


class HitOut(BaseModel):
    type: str
    id: str
    title: str
    url: str
    snippet: str
    lang: str = Field(description="The language of title and snippet (may differ from lang=).")
    location: Location | None = None
    distance_km: float | None = None
    starts_on: str | None = None
    ends_on: str | None = None


class FacetValueOut(BaseModel):
    value: str
    count: int
    label: str


class SearchOut(BaseModel):
    total: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]


class SuggestArgs(QueryModel):
    q: str = Field("", description="What has been typed; completions from two letters.")
    lang: str | None = None


class SuggestionOut(BaseModel):
    text: str
    type: str
    url: str


class SuggestOut(BaseModel):
    suggestions: list[SuggestionOut]


def hit_json(hit: Hit) -> dict[str, Any]:
    """A hit as the API shows it; location and distance only when known."""
    found: dict[str, Any] = {
        "type": hit.type.value,
        "id": hit.id,
        "title": hit.title,
        "url": hit.url,
        "snippet": hit.snippet,
        "lang": hit.lang,
    }
    if hit.location is not None:
        found["location"] = {"lat": hit.location.lat, "lon": hit.location.lon}
    if hit.distance_km is not None:
        found["distance_km"] = round(hit.distance_km, 3)
    if hit.starts_on is not None:
        found["starts_on"] = hit.starts_on.isoformat()
    if hit.ends_on is not None:
        found["ends_on"] = hit.ends_on.isoformat()
    return found


def facets_json(result: SearchResult) -> dict[str, list[dict[str, Any]]]:
    label = facet_labeller(current_app)
    return {
        Facet(facet).value: [
            {"value": c.value, "count": c.count, "label": label(facet, c.value)} for c in counts
        ]
        for facet, counts in result.facets.items()
    }


def _cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Accept-Language")  # lang= defaults to it, and so do the messages
    return response


def _bad_parameters(error: SearchParamsError) -> Response:
    return problem(
        400,
        _("Invalid search"),
        detail=_("Some search parameters are not valid."),
        errors=error.errors,
    )


@api.get("/search", responses={200: SearchOut})
def search(query: SearchArgs) -> Response:
    """Search places, events, itineraries, lodgings and news in one go, with facet counts.

    Without words (``q`` empty) a filter is needed; hits are then sorted by distance
    (with ``near``), by date (events) or by title.
    """
    # ``query`` describes the parameters in the OpenAPI document; search.params reads them
    # from the query string, as the page does, so both apply the same rules and messages.
    try:
        asked = parse_search_args(request.args, lang=select_locale(), languages=LOCALE_CODES)
    except SearchParamsError as error:
        return _bad_parameters(error)
    result = backend_of(current_app).search(asked)
    with force_locale(asked.lang):  # facet labels in the answer's language, as the hits
        facets = facets_json(result)
    body = {"total": result.total, "hits": [hit_json(hit) for hit in result.hits], "facets": facets}
    return _cacheable(jsonify(body))


@api.get("/suggest", responses={200: SuggestOut})
def suggest(query: SuggestArgs) -> Response:
    """Completions for a search box, from two letters (fewer answer an empty list)."""
    lang = query.lang or select_locale()
    errors: dict[str, str] = {}
    if lang not in LOCALE_CODES:
        errors["lang"] = _("Choose a language from %(choices)s.", choices=", ".join(LOCALE_CODES))
    if len(query.q) > MAX_SUGGEST_TEXT:
        errors["q"] = _("Use at most %(max)s characters.", max=MAX_SUGGEST_TEXT)
    if errors:
        return _bad_parameters(SearchParamsError(errors))
    found = services.suggest(backend_of(current_app), query.q, lang, SUGGESTIONS)
    body = {"suggestions": [{"text": s.text, "type": s.type.value, "url": s.url} for s in found]}
    return _cacheable(jsonify(body))
