"""``/<lang>/search``: one box over places, events, itineraries, lodgings and news.

A plain GET form: results, facets and pages are links and checkboxes, so the page
works without JavaScript; the scripts add autocomplete, "near me" and a map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from core.clock import local_now
from core.i18n import LOCALE_CODES
from search import presenting, services
from search.documents import Facet, SearchQuery
from search.indexing import backend_of
from search.labels import FACET_TITLES, TYPE_NAMES, facet_label
from search.params import MAX_TEXT, SearchParamsError, parse_search_args

bp = Blueprint("search", __name__, url_prefix="/<locale:lang>", template_folder="templates")

RADII_KM = (1, 5, 20, 50)


def _search_url(args: Mapping[str, str | list[str]]) -> str:
    values: dict[str, Any] = dict(args)
    return url_for("search.search_page", **values)


def _label(facet: Facet, value: str) -> str:
    return facet_label(current_app, facet, value)


@bp.route("/search")
def search_page() -> ResponseReturnValue:
    query, errors = _parse(str(get_locale()))
    backend = backend_of(current_app)
    if query.text or query.has_filter:
        answer = services.search(backend, query)
    else:
        answer = services.start(backend, query)
    page = render_template("search/search.html", **_context(answer, errors))
    return page, 400 if errors else 200


def _parse(lang: str) -> tuple[SearchQuery, dict[str, str]]:
    """The question asked; with wrong parameters, the words alone and what was wrong."""
    try:
        query = parse_search_args(
            request.args, lang=lang, languages=LOCALE_CODES, require_question=False
        )
    except SearchParamsError as error:
        text = (request.args.get("q") or "").strip()[:MAX_TEXT]
        return SearchQuery(text=text, lang=lang), error.errors
    return query, {}


def _context(answer: services.SearchAnswer, errors: dict[str, str]) -> dict[str, Any]:
    query = answer.query
    saturday, sunday = services.this_weekend(local_now().date())
    weekend = {"type": "event", "from": saturday.isoformat(), "to": sunday.isoformat()}
    settings = current_app.config["PORTAL_SETTINGS"]
    return {
        "answer": answer,
        "query": query,
        "asked": bool(query.text or query.has_filter),
        "errors": errors,
        "facets": presenting.facet_groups(answer, _label),
        "facet_titles": FACET_TITLES,
        "type_names": TYPE_NAMES,
        "active": presenting.active_filters(query, _label, _search_url),
        "pages": presenting.pages(answer, _search_url),
        "markers": presenting.markers(answer.result.hits),
        "respelled": lambda text: presenting.respelled(query, text, _search_url),
        "weekend_url": _search_url(weekend),
        "radii": RADII_KM,
        "map_tiles": settings.map_tile_url,
    }
