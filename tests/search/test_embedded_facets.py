"""The embedded backend's facet counts: bit sets, and a few matches counted one by one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from search.backends import embedded_facets
from search.backends.embedded import EmbeddedBackend
from search.backends.embedded_facets import SPARSE, bits_of, bits_of_csv
from search.documents import DocumentType, Facet, LocalizedText, SearchDocument, SearchQuery


@pytest.mark.parametrize("count", [1, 7, SPARSE, SPARSE + 1, 3 * SPARSE])
def test_a_bit_set_has_exactly_the_bits_of_its_rowids(count: int) -> None:
    rowids = random.Random(count).sample(range(1, 40 * SPARSE), count)

    bits = bits_of(rowids)

    assert bits == sum(1 << rowid for rowid in rowids)
    assert bits_of_csv(",".join(map(str, rowids))) == bits


def test_no_rowids_is_the_empty_set() -> None:
    assert bits_of([]) == 0
    assert bits_of_csv(None) == 0


def _lodging(number: int) -> SearchDocument:
    return SearchDocument(
        type=DocumentType.LODGING,
        id=str(number),
        version=1,
        texts={"vi": LocalizedText(title=f"Nhà nghỉ {number}", url=f"/vi/lodgings/{number}")},
        commune=("Bãi Cháy", "Hồng Gai", "Cô Tô")[number % 3],
        category=("hotel", "homestay")[number % 2],
        stars=number % 5 or None,
        amenities=(("wifi", "pool", "parking")[: number % 4]),
        price_from=(300_000, 800_000, 1_500_000)[number % 3],
    )


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(text="nghỉ"),
        SearchQuery(text="nghỉ", filters={Facet.COMMUNE: frozenset({"Cô Tô"})}),
        SearchQuery(text="nghỉ", filters={Facet.AMENITIES: frozenset({"pool"})}),
        SearchQuery(types=frozenset({DocumentType.LODGING})),
    ],
)
def test_counting_matches_one_by_one_gives_the_bit_sets_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, query: SearchQuery
) -> None:
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(_lodging(n) for n in range(1, 50))
    try:
        one_by_one = backend.search(query)
        monkeypatch.setattr(embedded_facets, "ONE_BY_ONE", 0)  # every count on bit sets
        on_bits = backend.search(query)
    finally:
        backend.close()

    assert one_by_one.facets == on_bits.facets
    assert one_by_one.total == on_bits.total


def test_a_few_matches_are_counted_per_value(tmp_path: Path) -> None:
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(_lodging(n) for n in range(1, 50))
    try:
        result = backend.search(SearchQuery(text="nghỉ"))
    finally:
        backend.close()

    assert {c.value: c.count for c in result.facets[Facet.COMMUNE]} == {
        "Hồng Gai": 17,
        "Bãi Cháy": 16,
        "Cô Tô": 16,
    }
    assert {c.value: c.count for c in result.facets[Facet.AMENITIES]} == {
        "wifi": 37,
        "pool": 24,
        "parking": 12,
    }
