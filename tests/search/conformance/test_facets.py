"""Facet counts: grouped, multi-valued, and blind to their own selection."""

from __future__ import annotations

from search.documents import DocumentType, Facet, FacetCount, SearchQuery
from tests.search.conformance.corpus import LODGINGS

LODGING = frozenset({DocumentType.LODGING})


def counts(result, facet: Facet) -> dict[str, int]:
    return {c.value: c.count for c in result.facets[facet]}


def test_every_facet_is_counted_over_the_hits(backend):
    result = backend.search(SearchQuery(types=LODGING))
    assert counts(result, Facet.CATEGORY) == {"hotel": 1, "homestay": 1, "resort": 1}
    assert counts(result, Facet.STARS) == {"4": 1, "5": 1}
    assert counts(result, Facet.COMMUNE) == {"Sa Pa": 2, "Hạ Long": 1}
    assert counts(result, Facet.PRICE_BAND) == {"under-500k": 1, "1m-2m": 1, "2m-plus": 1}


def test_counts_come_most_frequent_first_then_by_value(backend):
    result = backend.search(SearchQuery(types=LODGING))
    assert list(result.facets[Facet.AMENITIES]) == [
        FacetCount("wifi", 3),
        FacetCount("pool", 2),
        FacetCount("spa", 1),
    ]


def test_a_document_counts_under_each_of_its_amenities(backend):
    result = backend.search(SearchQuery(text="khu nghi duong sa pa"))
    assert counts(result, Facet.AMENITIES) == {"pool": 1, "spa": 1, "wifi": 1}


def test_a_chosen_value_narrows_the_hits_but_not_its_own_facet(backend):
    query = SearchQuery(types=LODGING, filters={Facet.AMENITIES: frozenset({"pool"})})
    result = backend.search(query)
    assert {hit.id for hit in result.hits} == {"1", "3"}
    assert result.total == 2
    # Its own facet: still every value, counted without the selection.
    assert counts(result, Facet.AMENITIES) == {"wifi": 3, "pool": 2, "spa": 1}
    # The other facets: counted over the narrowed hits.
    assert counts(result, Facet.CATEGORY) == {"hotel": 1, "resort": 1}


def test_values_of_one_facet_add_up_and_facets_narrow_each_other(backend):
    either = SearchQuery(filters={Facet.CATEGORY: frozenset({"cave", "bay"})}, limit=50)
    assert {hit.id for hit in backend.search(either).hits} == {
        "ha-long-bay",
        "sung-sot",
        "ta-phin-cave",
    }
    both = SearchQuery(
        filters={
            Facet.CATEGORY: frozenset({"cave", "bay"}),
            Facet.COMMUNE: frozenset({"Sa Pa"}),
        }
    )
    result = backend.search(both)
    assert [hit.id for hit in result.hits] == ["ta-phin-cave"]
    assert counts(result, Facet.COMMUNE) == {"Hạ Long": 2, "Sa Pa": 1}
    assert counts(result, Facet.CATEGORY) == {"cave": 1, "village": 1, "resort": 1, "homestay": 1}


def test_a_chosen_type_keeps_the_other_types_counted(backend):
    result = backend.search(SearchQuery(text="ha long", types=LODGING))
    assert {hit.type for hit in result.hits} == {DocumentType.LODGING}
    type_counts = counts(result, Facet.TYPE)
    assert type_counts["lodging"] == 1
    assert type_counts["place"] >= 2
    assert type_counts["event"] == 1


def test_the_type_facet_may_be_chosen_as_a_filter_too(backend):
    query = SearchQuery(filters={Facet.TYPE: frozenset({"event"})}, limit=50)
    result = backend.search(query)
    assert {hit.type for hit in result.hits} == {DocumentType.EVENT}
    assert counts(result, Facet.TYPE)["lodging"] == len(LODGINGS)


def test_stars_and_price_bands_filter(backend):
    query = SearchQuery(
        filters={Facet.STARS: frozenset({"4", "5"}), Facet.PRICE_BAND: frozenset({"2m-plus"})}
    )
    result = backend.search(query)
    assert [hit.id for hit in result.hits] == ["3"]
    assert counts(result, Facet.PRICE_BAND) == {"1m-2m": 1, "2m-plus": 1}


def test_a_value_nobody_has_finds_nothing_and_keeps_the_counts(backend):
    query = SearchQuery(types=LODGING, filters={Facet.AMENITIES: frozenset({"casino"})})
    result = backend.search(query)
    assert result.total == 0
    assert counts(result, Facet.AMENITIES)["wifi"] == 3
