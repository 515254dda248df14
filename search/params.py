"""From a query string to a ``SearchQuery``: one set of rules for the page and the API.

Both read the same parameters (``q``, ``type``, ``near``, ``bbox``, ``from``…), so a
link copied from the page's address bar asks the API the same question. Each wrong
parameter gets its own message, in the request's language, keyed by its name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from flask_babel import gettext as _

from core.dates import parse_day
from search.documents import (
    PRICE_BANDS,
    BoundingBox,
    DocumentType,
    Facet,
    GeoPoint,
    SearchQuery,
)

MAX_LIMIT = 50
DEFAULT_LIMIT = 20
MAX_OFFSET = 10_000  # deeper pages are for crawlers; the map or a filter serves people better
MAX_TEXT = 200
MAX_RADIUS_KM = 1_000.0
# Facets a visitor filters by, with the parameter that selects them (type has its own rules).
FILTER_PARAMETERS: tuple[Facet, ...] = (
    Facet.CATEGORY,
    Facet.COMMUNE,
    Facet.STARS,
    Facet.AMENITIES,
    Facet.PRICE_BAND,
)
_STARS = frozenset({"1", "2", "3", "4", "5"})
_BANDS = frozenset(band for band, _upper in PRICE_BANDS)

T = TypeVar("T")


class QueryArgs(Protocol):
    """What a query string offers (werkzeug's ``MultiDict`` does)."""

    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...


class SearchParamsError(ValueError):
    """Some parameters are wrong; ``errors`` maps each to a message for the visitor."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


@dataclass
class _Reader:
    args: QueryArgs
    errors: dict[str, str]

    def text(self, name: str) -> str:
        return (self.args.get(name) or "").strip()

    def parse(self, name: str, convert: Callable[[str], T]) -> T | None:
        """``convert`` the parameter if given; its ValueError's message is the error."""
        raw = self.text(name)
        if not raw:
            return None
        try:
            return convert(raw)
        except ValueError as exc:
            self.errors[name] = str(exc)
            return None


def parse_search_args(
    args: QueryArgs, *, lang: str, languages: Iterable[str], require_question: bool = True
) -> SearchQuery:
    """The query the parameters ask, or ``SearchParamsError`` listing every wrong one.

    ``lang`` is the language to answer in unless ``lang=`` says another of ``languages``.
    With ``require_question``, an empty ``q`` needs a filter (type, facet, place, dates).
    """
    read = _Reader(args, {})
    text = read.text("q")
    if len(text) > MAX_TEXT:
        read.errors["q"] = _("Use at most %(max)s characters.", max=MAX_TEXT)
    chosen_lang = read.parse("lang", lambda raw: _language(raw, frozenset(languages))) or lang
    near = read.parse("near", _point)
    radius = read.parse("radius_km", _radius)
    if radius is not None and near is None and "near" not in read.errors:
        read.errors["radius_km"] = _("A radius needs a point: give near=LAT,LON too.")
    date_from = read.parse("from", parse_day)
    date_to = read.parse("to", parse_day)
    if date_from and date_to and date_from > date_to:
        read.errors["to"] = _("The end date must not be before the start date.")
    query = SearchQuery(
        text=text,
        lang=chosen_lang,
        types=_types(read),
        filters=_filters(read),
        near=near,
        radius_km=radius,
        bbox=read.parse("bbox", _box),
        date_from=date_from,
        date_to=date_to,
        limit=read.parse("limit", _limit) or DEFAULT_LIMIT,
        offset=read.parse("offset", _offset) or 0,
    )
    if require_question and not query.text and not query.has_filter and not read.errors:
        read.errors["q"] = _("Enter something to search for, or choose a filter.")
    if read.errors:
        raise SearchParamsError(read.errors)
    return query


def _types(read: _Reader) -> frozenset[DocumentType]:
    """``type=place&type=event`` and ``type=place,event`` alike."""
    values = {v.strip() for raw in read.args.getlist("type") for v in raw.split(",")} - {""}
    known = {t.value for t in DocumentType}
    unknown = sorted(values - known)
    if unknown:
        read.errors["type"] = _(
            "Unknown type %(value)s; choose from %(choices)s.",
            value=", ".join(unknown),
            choices=", ".join(t.value for t in DocumentType),
        )
        return frozenset()
    return frozenset(DocumentType(v) for v in values)


def _filters(read: _Reader) -> dict[Facet, frozenset[str]]:
    filters: dict[Facet, frozenset[str]] = {}
    for facet in FILTER_PARAMETERS:
        values = frozenset(v.strip() for v in read.args.getlist(facet.value) if v.strip())
        if facet is Facet.STARS and values - _STARS:
            read.errors[facet.value] = _("Stars go from 1 to 5.")
        elif facet is Facet.PRICE_BAND and values - _BANDS:
            read.errors[facet.value] = _(
                "Choose a price band from %(choices)s.", choices=", ".join(sorted(_BANDS))
            )
        elif values:
            filters[facet] = values
    return filters


def _language(raw: str, languages: frozenset[str]) -> str:
    if raw not in languages:
        choices = ", ".join(sorted(languages))
        raise ValueError(_("Choose a language from %(choices)s.", choices=choices))
    return raw


def _numbers(raw: str, count: int) -> list[float]:
    parts = raw.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != count or not all(map(math.isfinite, numbers)):
        raise ValueError
    return numbers


def _point(raw: str) -> GeoPoint:
    try:
        lat, lon = _numbers(raw, 2)
    except ValueError:
        raise ValueError(_("Give a point as LAT,LON, such as 20.95,107.08.")) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(_("Latitude goes from -90 to 90 and longitude from -180 to 180."))
    return GeoPoint(lat, lon)


def _box(raw: str) -> BoundingBox:
    try:
        south, west, north, east = _numbers(raw, 4)
    except ValueError:
        raise ValueError(
            _("Give an area as SOUTH,WEST,NORTH,EAST, such as 20.8,106.9,21.1,107.3.")
        ) from None
    try:
        return BoundingBox(south, west, north, east)
    except ValueError:
        raise ValueError(
            _(
                "South must not be above north (both from -90 to 90);"
                " west and east go from -180 to 180."
            )
        ) from None


def _radius(raw: str) -> float:
    try:
        radius = float(raw)
    except ValueError:
        radius = float("nan")
    if not 0 < radius <= MAX_RADIUS_KM:
        raise ValueError(
            _("Give a radius in kilometres above 0 and at most %(max)s.", max=int(MAX_RADIUS_KM))
        )
    return radius


def _whole(raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(_("Enter a whole number.")) from None
    if not low <= value <= high:
        raise ValueError(_("Enter a number from %(low)s to %(high)s.", low=low, high=high))
    return value


def _limit(raw: str) -> int:
    return _whole(raw, 1, MAX_LIMIT)


def _offset(raw: str) -> int:
    return _whole(raw, 0, MAX_OFFSET)


def query_args(query: SearchQuery) -> dict[str, str | list[str]]:
    """The parameters that ask ``query`` again (for links: next page, drop a filter)."""
    args: dict[str, str | list[str]] = {}
    if query.text:
        args["q"] = query.text
    if query.types:
        args["type"] = sorted(t.value for t in query.types)
    for facet, values in query.filters.items():
        if values:
            args[facet.value] = sorted(values)
    args.update(_place_args(query))
    if query.date_from:
        args["from"] = query.date_from.isoformat()
    if query.date_to:
        args["to"] = query.date_to.isoformat()
    if query.limit != DEFAULT_LIMIT:
        args["limit"] = str(query.limit)
    if query.offset:
        args["offset"] = str(query.offset)
    return args


def _place_args(query: SearchQuery) -> dict[str, str]:
    args: dict[str, str] = {}
    if query.near:
        args["near"] = f"{query.near.lat},{query.near.lon}"
    if query.radius_km is not None:
        args["radius_km"] = f"{query.radius_km:g}"
    if query.bbox:
        box = query.bbox
        args["bbox"] = f"{box.south},{box.west},{box.north},{box.east}"
    return args


def without(query: SearchQuery, facet: Facet, value: str) -> SearchQuery:
    """``query`` with one selected value dropped, from the first page."""
    if facet is Facet.TYPE:
        return replace(query, types=query.types - {DocumentType(value)}, offset=0)
    filters = {f: v - {value} if f is facet else v for f, v in query.filters.items()}
    return replace(query, filters={f: v for f, v in filters.items() if v}, offset=0)
