"""The embedded backend's totals, facet counts and tie order, from arrays in memory.

Checked against the same figures worked out document by document in plain Python, over
random documents and random selections.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from search.backends.embedded import EmbeddedBackend
from search.backends.embedded_facets import IndexArrays, parse_ints
from search.documents import DocumentType, Facet, LocalizedText, SearchDocument, SearchQuery

COMMUNES = ("Bãi Cháy", "Hồng Gai", "Cô Tô", "Sa Pa")
KINDS = ("hotel", "homestay", "resort")
# More than 8: the bits of a document's amenities take two bytes.
AMENITIES = ("wifi", "pool", "parking", "spa", "gym", "bar", "garden", "kitchen", "laundry", "lift")
PRICES = (300_000, 800_000, 1_500_000, 2_500_000)


def test_parse_ints_reads_a_group_concat() -> None:
    assert parse_ints("3,1,-4000000000,20").tolist() == [3, 1, -4_000_000_000, 20]
    assert parse_ints(None).tolist() == []
    assert parse_ints("").tolist() == []


def _random_lodging(number: int, draw: random.Random) -> SearchDocument:
    return SearchDocument(
        type=DocumentType.LODGING,
        id=str(number),
        version=1,
        texts={
            "vi": LocalizedText(
                title=f"Nhà nghỉ {draw.choice('ABC')}{number}",
                url=f"/vi/lodgings/{number}",
                summary=" ".join(draw.choices(("đẹp", "gần", "biển", "núi"), k=draw.randint(1, 4))),
            )
        },
        commune=draw.choice((*COMMUNES, "")),
        category=draw.choice(KINDS),
        stars=draw.choice((None, 1, 2, 3, 4, 5)),
        amenities=tuple(draw.sample(AMENITIES, draw.randint(0, 5))),
        price_from=draw.choice(PRICES),
    )


def _random_query(draw: random.Random) -> SearchQuery:
    choices = {
        Facet.COMMUNE: (*COMMUNES, "Nowhere"),
        Facet.CATEGORY: KINDS,
        Facet.STARS: ("1", "3", "5"),
        Facet.AMENITIES: (*AMENITIES[6:], "casino"),
    }
    filters = {
        facet: frozenset(draw.sample(values, draw.randint(1, 2)))
        for facet, values in choices.items()
        if draw.random() < 0.4
    }
    return SearchQuery(
        text=draw.choice(("", "biển", "núi gần", "nghỉ")), filters=filters, limit=500
    )


def _words_match(document: SearchDocument, text: str) -> bool:
    summary = document.texts["vi"].summary.split()
    title = document.texts["vi"].title.lower().split()
    return all(word in summary or word in title for word in text.split())


def _expected(
    documents: list[SearchDocument], query: SearchQuery
) -> tuple[set[str], dict[Facet, dict[str, int]]]:
    """The hits' ids and each facet's counts, worked out one document at a time."""
    matches = [d for d in documents if _words_match(d, query.text)]

    def selected(document: SearchDocument, skip: Facet | None) -> bool:
        values = document.facet_values()
        return all(
            set(values[facet]) & chosen
            for facet, chosen in query.filters.items()
            if facet is not skip
        )

    counts = {}
    for facet in Facet:
        counted = Counter(
            value for d in matches if selected(d, facet) for value in d.facet_values()[facet]
        )
        counts[facet] = dict(counted)
    return {d.id for d in matches if selected(d, None)}, counts


@pytest.mark.parametrize("seed", range(4))
def test_totals_hits_and_counts_are_those_worked_out_one_by_one(tmp_path: Path, seed: int) -> None:
    draw = random.Random(seed)
    documents = [_random_lodging(n, draw) for n in range(1, 120)]
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(documents)
    try:
        for _ in range(25):
            query = _random_query(draw)
            result = backend.search(query)
            ids, counts = _expected(documents, query)

            assert result.total == len(ids), query
            assert {hit.id for hit in result.hits} == ids, query
            assert {f: {c.value: c.count for c in cs} for f, cs in result.facets.items()} == (
                counts
            ), query
    finally:
        backend.close()


def test_counts_come_most_frequent_first_then_by_value(tmp_path: Path) -> None:
    draw = random.Random(7)
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(_random_lodging(n, draw) for n in range(1, 200))
    try:
        result = backend.search(SearchQuery(text="biển"))
    finally:
        backend.close()
    for counts in result.facets.values():
        keys = [(-c.count, c.value) for c in counts]
        assert keys == sorted(keys)


@pytest.mark.parametrize("scores_from", [(-9, -5, -5, -2, 0), tuple(range(-1000, 0))])
def test_the_page_is_taken_by_score_then_title_rank(scores_from: tuple[int, ...]) -> None:
    draw = random.Random(3)
    size = 400
    rank = np.array(draw.sample(range(size), size), dtype=np.int32)
    arrays = IndexArrays(generation=1, everything=np.arange(size), title_rank=rank, facets={})
    rowids = draw.sample(range(size), 300)
    scores = [draw.choice(scores_from) for _ in rowids]
    keyed = zip(scores, rank[rowids].tolist(), rowids, strict=True)
    expected = [rowid for _score, _rank, rowid in sorted(keyed)]

    for limit, offset in [(20, 0), (20, 40), (7, 293), (10, 300), (300, 0), (1, 0)]:
        page = arrays.best(np.array(rowids), np.array(scores), (limit, offset))
        assert page == expected[offset : offset + limit]


def test_a_facet_of_more_than_255_values_is_counted(tmp_path: Path) -> None:
    # Codes of one byte hold 255 values: the 300 communes here need two.
    draw = random.Random(11)
    documents = [_random_lodging(n, draw) for n in range(1, 301)]
    documents = [replace(d, commune=f"Xã {n}") for n, d in enumerate(documents, 1)]
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(documents)
    try:
        everything = backend.search(SearchQuery(types=frozenset({DocumentType.LODGING})))
        chosen = backend.search(SearchQuery(filters={Facet.COMMUNE: frozenset({"Xã 300"})}))
    finally:
        backend.close()

    assert {c.value: c.count for c in everything.facets[Facet.COMMUNE]} == {
        f"Xã {n}": 1 for n in range(1, 301)
    }
    assert [hit.id for hit in chosen.hits] == ["300"]
