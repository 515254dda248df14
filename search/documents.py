"""What the search index holds and answers: documents, queries, results.

Every feature that wants its records found (places, events, itineraries and articles
from ``portal.destinations``, lodgings from ``lodging.properties``) turns each record
into one ``SearchDocument``; every backend (embedded SQLite FTS5, Elasticsearch)
indexes those and answers a ``SearchQuery`` with a ``SearchResult``. Nothing here
knows a feature or an engine.

A document carries its texts in the languages it really has (``texts``); a query in
another language falls back to the document's ``original_lang`` and the hit says so
(``Hit.lang``), so the page can mark the fallback.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class DocumentType(StrEnum):
    PLACE = "place"
    EVENT = "event"
    ITINERARY = "itinerary"
    LODGING = "lodging"
    ARTICLE = "article"


class Facet(StrEnum):
    """The facets every backend counts. Values are codes; pages translate them."""

    TYPE = "type"
    CATEGORY = "category"  # a place's kind (cave, beach…) or a lodging's kind (hotel…)
    COMMUNE = "commune"  # the commune's name as written in Vietnamese
    STARS = "stars"  # "1" … "5"
    AMENITIES = "amenities"  # a document may have several
    PRICE_BAND = "price_band"  # see price_band()


# Upper bounds in VND of the price bands a lodging's lowest nightly price falls into.
PRICE_BANDS: tuple[tuple[str, int | None], ...] = (
    ("under-500k", 500_000),
    ("500k-1m", 1_000_000),
    ("1m-2m", 2_000_000),
    ("2m-plus", None),
)


def price_band(price_from: int | None) -> str | None:
    """The band of a nightly price in VND ("500k-1m"), or None without a price."""
    if price_from is None:
        return None
    for band, upper in PRICE_BANDS:
        if upper is None or price_from < upper:
            return band
    raise AssertionError("the last band has no upper bound")  # pragma: no cover


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"not a point on Earth: {self.lat}, {self.lon}")

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle distance (haversine, mean Earth radius)."""
        lat1, lon1, lat2, lon2 = map(math.radians, (self.lat, self.lon, other.lat, other.lon))
        a = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class BoundingBox:
    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        if not (-90 <= self.south <= self.north <= 90):
            raise ValueError("a box needs -90 <= south <= north <= 90")
        if not (-180 <= self.west <= 180 and -180 <= self.east <= 180):
            raise ValueError("a box's west and east lie between -180 and 180")

    def contains(self, point: GeoPoint) -> bool:
        if not self.south <= point.lat <= self.north:
            return False
        if self.west <= self.east:
            return self.west <= point.lon <= self.east
        return point.lon >= self.west or point.lon <= self.east  # across the antimeridian


@dataclass(frozen=True)
class LocalizedText:
    """A document's texts in one language, and the page that shows them."""

    title: str
    url: str  # the page in this language, a path such as /en/places/ha-long-bay
    summary: str = ""
    body: str = ""
    # Other names the document is known by in this language ("Halong Bay", "Vịnh Hạ Long").
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchDocument:
    """One findable record.

    ``(type, id)`` identifies it; ``version`` orders its updates: a backend never lets an
    older version overwrite a newer one.
    """

    type: DocumentType
    id: str
    version: int
    texts: Mapping[str, LocalizedText]  # by language code, only the languages it has
    original_lang: str = "vi"
    location: GeoPoint | None = None
    commune: str = ""
    category: str = ""
    stars: int | None = None
    amenities: tuple[str, ...] = ()
    price_from: int | None = None  # VND per night, lodgings only
    # Events: the first and last day (a one-day event has starts_on == ends_on).
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.original_lang not in self.texts:
            raise ValueError(f"{self.type}:{self.id} has no text in {self.original_lang!r}")

    def text_for(self, lang: str) -> tuple[str, LocalizedText]:
        """The texts to show in ``lang``: its own, else the original's (and which it is)."""
        if lang in self.texts:
            return lang, self.texts[lang]
        return self.original_lang, self.texts[self.original_lang]

    def facet_values(self) -> dict[Facet, tuple[str, ...]]:
        """The values this document counts under, per facet."""
        band = price_band(self.price_from)
        return {
            Facet.TYPE: (self.type.value,),
            Facet.CATEGORY: (self.category,) if self.category else (),
            Facet.COMMUNE: (self.commune,) if self.commune else (),
            Facet.STARS: (str(self.stars),) if self.stars else (),
            Facet.AMENITIES: tuple(self.amenities),
            Facet.PRICE_BAND: (band,) if band else (),
        }


@dataclass(frozen=True)
class SearchQuery:
    """What a tourist asked.

    ``text`` may be empty when a filter narrows the search: results are then sorted by
    distance (with ``near``) or by date (events), else by title.

    ``filters`` selects facet values: within one facet any value matches (OR), across
    facets all must (AND). Each facet's counts ignore that facet's own selection, so the
    other values stay visible (and countable) once one is chosen.
    """

    text: str = ""
    lang: str = "vi"
    types: frozenset[DocumentType] = frozenset()
    filters: Mapping[Facet, frozenset[str]] = field(default_factory=dict)
    near: GeoPoint | None = None
    radius_km: float | None = None  # with near: only documents within it
    bbox: BoundingBox | None = None
    # Events overlapping [date_from, date_to]; other types have no dates and are left out
    # when either bound is given.
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 20
    offset: int = 0

    @property
    def has_filter(self) -> bool:
        return bool(
            self.types
            or any(self.filters.values())
            or self.near
            or self.bbox
            or self.date_from
            or self.date_to
        )


@dataclass(frozen=True)
class Hit:
    type: DocumentType
    id: str
    title: str
    url: str
    snippet: str  # plain text; the page escapes it
    lang: str  # the language of title and snippet: the query's, or the original's
    location: GeoPoint | None = None
    distance_km: float | None = None  # only when the query gave ``near``
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: Sequence[Hit]
    facets: Mapping[Facet, Sequence[FacetCount]]  # most frequent first, then by value


@dataclass(frozen=True)
class Suggestion:
    text: str
    type: DocumentType
    url: str


class SearchBackend(Protocol):
    """One search engine. Every implementation passes ``tests/search/conformance``."""

    name: str  # reported by /api/v1/health: "embedded-sqlite-fts5", "elasticsearch"

    def index(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents; a document older than the stored one is ignored."""

    def delete(self, type_: DocumentType, id_: str, version: int) -> None:
        """Remove a document unless the index holds a newer version of it."""

    def search(self, query: SearchQuery) -> SearchResult: ...

    def suggest(self, prefix: str, lang: str, limit: int = 8) -> list[Suggestion]:
        """Completions for what a tourist is typing (from two letters)."""
        ...

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Replace the whole index with ``documents`` while searches go on; return the count."""
        ...

    def health(self) -> dict[str, Any]:
        """``{"status": "ok"|"degraded"|"error", "backend": name, ...}``."""
        ...
