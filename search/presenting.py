"""What the search page shows, worked out before the template: it holds no logic.

Pure functions over a ``SearchAnswer``; the view passes in how to build a link to a
search (``SearchUrl``) and how to name a facet value (``Label``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from search.documents import Facet, Hit, SearchQuery
from search.params import query_args, without
from search.services import SearchAnswer

SearchUrl = Callable[[Mapping[str, str | list[str]]], str]
Label = Callable[[Facet, str], str]
# The order facets are listed in on the page.
FACET_ORDER = (
    Facet.TYPE,
    Facet.CATEGORY,
    Facet.COMMUNE,
    Facet.PRICE_BAND,
    Facet.STARS,
    Facet.AMENITIES,
)
NEAR_LABEL = _l("Near the chosen point")
AREA_LABEL = _l("In the map area")
DATES_LABEL = _l("On the chosen dates")
MAX_OPTIONS = 12  # per facet on a phone; the long tail is better reached by typing


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetGroup:
    facet: Facet
    options: Sequence[FacetOption]


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


@dataclass(frozen=True)
class Pages:
    current: int
    count: int
    previous_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class Marker:
    lat: float
    lon: float
    title: str
    url: str

    def as_json(self) -> dict[str, Any]:
        return {"lat": self.lat, "lon": self.lon, "title": self.title, "url": self.url}


def selected_values(query: SearchQuery, facet: Facet) -> frozenset[str]:
    if facet is Facet.TYPE:
        return frozenset(t.value for t in query.types)
    return query.filters.get(facet, frozenset())


def facet_groups(answer: SearchAnswer, label: Label) -> list[FacetGroup]:
    """Each facet with its counts; a chosen value stays listed even when it counts 0."""
    groups = []
    for facet in FACET_ORDER:
        counts = {c.value: c.count for c in answer.result.facets.get(facet, ())}
        chosen = selected_values(answer.query, facet)
        shown = list(counts)[:MAX_OPTIONS] + sorted(chosen - set(list(counts)[:MAX_OPTIONS]))
        options = [FacetOption(v, label(facet, v), counts.get(v, 0), v in chosen) for v in shown]
        if options:
            groups.append(FacetGroup(facet, options))
    return groups


def active_filters(query: SearchQuery, label: Label, url: SearchUrl) -> list[ActiveFilter]:
    """Each filter in force, with a link to the same search without it."""
    found = [
        ActiveFilter(label(facet, value), url(query_args(without(query, facet, value))))
        for facet in FACET_ORDER
        for value in sorted(selected_values(query, facet))
    ]
    if query.near:
        dropped = replace(query, near=None, radius_km=None, offset=0)
        found.append(ActiveFilter(str(NEAR_LABEL), url(query_args(dropped))))
    if query.bbox:
        dropped = replace(query, bbox=None, offset=0)
        found.append(ActiveFilter(str(AREA_LABEL), url(query_args(dropped))))
    if query.date_from or query.date_to:
        dropped = replace(query, date_from=None, date_to=None, offset=0)
        found.append(ActiveFilter(str(DATES_LABEL), url(query_args(dropped))))
    return found


def pages(answer: SearchAnswer, url: SearchUrl) -> Pages:
    query, total = answer.query, answer.result.total
    count = max(math.ceil(total / query.limit), 1)
    current = query.offset // query.limit + 1
    previous = replace(query, offset=max(query.offset - query.limit, 0))
    following = replace(query, offset=query.offset + query.limit)
    return Pages(
        current=current,
        count=count,
        previous_url=url(query_args(previous)) if query.offset > 0 else None,
        next_url=url(query_args(following)) if following.offset < total else None,
    )


def markers(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    """The hits that have a place on the map, for ``data-markers``."""
    return [
        Marker(h.location.lat, h.location.lon, h.title, h.url).as_json()
        for h in hits
        if h.location is not None
    ]


def respelled(query: SearchQuery, text: str, url: SearchUrl) -> str:
    """The same search with another spelling of the words, from the first page."""
    return url(query_args(replace(query, text=text, offset=0)))
