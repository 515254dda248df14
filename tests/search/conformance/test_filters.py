"""Map area, "near me", dates, empty text with filters, sort orders and pagination."""

from __future__ import annotations

import datetime as dt

import pytest

from search.documents import BoundingBox, DocumentType, SearchQuery
from tests.search.conformance.corpus import (
    CORPUS,
    EVENTS,
    HA_LONG_CITY,
    LODGINGS,
    PLACES,
    QUANG_NINH,
    SA_PA,
)


def test_a_map_area_keeps_what_lies_inside(backend):
    result = backend.search(SearchQuery(bbox=BoundingBox(*QUANG_NINH), limit=50))
    inside = {d.id for d in CORPUS if d.location and BoundingBox(*QUANG_NINH).contains(d.location)}
    assert {hit.id for hit in result.hits} == inside
    assert result.total == len(inside)


def test_a_map_area_narrows_a_text_search(backend):
    box = BoundingBox(*QUANG_NINH)
    found = backend.search(SearchQuery(text="cave", lang="en", bbox=box)).hits
    assert [hit.id for hit in found] == ["sung-sot"]


def test_near_me_with_a_radius_keeps_what_is_within_it_sorted_by_exact_distance(backend):
    result = backend.search(SearchQuery(near=SA_PA, radius_km=10, limit=50))
    expected = sorted(
        (d for d in CORPUS if d.location and SA_PA.distance_km(d.location) <= 10),
        key=lambda d: SA_PA.distance_km(d.location),  # type: ignore[arg-type]
    )
    assert [hit.id for hit in result.hits] == [d.id for d in expected]
    for hit, document in zip(result.hits, expected, strict=True):
        assert hit.distance_km == pytest.approx(SA_PA.distance_km(document.location), abs=0.05)  # type: ignore[arg-type]
    assert "ta-phin-cave" in [hit.id for hit in result.hits]  # 6.5 km away
    assert "sung-sot" not in [hit.id for hit in result.hits]


def test_near_me_without_text_sorts_everything_by_distance(backend):
    hits = backend.search(SearchQuery(near=HA_LONG_CITY, limit=50)).hits
    distances = [hit.distance_km for hit in hits]
    assert len(hits) == len(CORPUS)
    assert distances == sorted(distances)


def test_a_text_search_near_me_gives_distances(backend):
    hit = backend.search(SearchQuery(text="dao co to", near=HA_LONG_CITY)).hits[0]
    assert hit.distance_km == pytest.approx(HA_LONG_CITY.distance_km(hit.location), abs=0.05)


def test_without_near_there_is_no_distance(backend):
    assert backend.search(SearchQuery(text="dao co to")).hits[0].distance_km is None


def test_events_overlapping_the_dates_are_found_and_nothing_without_dates(backend):
    weekend = SearchQuery(date_from=dt.date(2025, 4, 30), date_to=dt.date(2025, 5, 1), limit=50)
    assert {hit.id for hit in backend.search(weekend).hits} == {"carnaval", "yen-tu-festival"}


def test_an_event_on_the_last_day_of_the_range_overlaps_it(backend):
    query = SearchQuery(date_from=dt.date(2025, 5, 20), date_to=dt.date(2025, 6, 1))
    assert [hit.id for hit in backend.search(query).hits] == ["sa-pa-night"]


def test_one_date_bound_is_enough(backend):
    query = SearchQuery(date_from=dt.date(2025, 5, 1), limit=50)
    assert {hit.id for hit in backend.search(query).hits} == {"yen-tu-festival", "sa-pa-night"}


def test_events_without_text_come_by_start_date(backend):
    query = SearchQuery(types=frozenset({DocumentType.EVENT}))
    hits = backend.search(query).hits
    assert [hit.id for hit in hits] == ["yen-tu-festival", "carnaval", "sa-pa-night"]
    assert hits[0].starts_on == dt.date(2025, 2, 10)
    assert hits[0].ends_on == dt.date(2025, 5, 10)


def test_places_without_text_come_by_title(backend):
    hits = backend.search(SearchQuery(types=frozenset({DocumentType.PLACE}), limit=50)).hits
    assert [hit.title for hit in hits] == [
        "Đảo Cô Tô",
        "Động Tả Phìn",
        "Hang Sửng Sốt",
        "Làng Hà Lòng",
        "Vịnh Hạ Long",
    ]


def test_types_narrow_the_hits(backend):
    query = SearchQuery(text="sa pa", types=frozenset({DocumentType.LODGING}), limit=50)
    hits = backend.search(query).hits
    assert "3" in [hit.id for hit in hits]
    assert {hit.type for hit in hits} == {DocumentType.LODGING}


def test_pages_follow_each_other_without_gaps_or_repeats(backend):
    seen: list[str] = []
    totals = set()
    for offset in range(0, len(CORPUS) + 2, 3):
        result = backend.search(SearchQuery(types=frozenset(DocumentType), limit=3, offset=offset))
        totals.add(result.total)
        seen += [hit.id for hit in result.hits]
    assert totals == {len(CORPUS)}
    assert sorted(seen) == sorted(d.id for d in CORPUS)


def test_a_page_past_the_end_is_empty_but_counts_everything(backend):
    result = backend.search(SearchQuery(text="ha long", offset=100))
    assert result.hits == []
    assert result.total > 0


def test_counts_cover_every_kind_of_document(backend):
    for types, documents in (("place", PLACES), ("event", EVENTS), ("lodging", LODGINGS)):
        query = SearchQuery(types=frozenset({DocumentType(types)}), limit=50)
        assert backend.search(query).total == len(documents)
