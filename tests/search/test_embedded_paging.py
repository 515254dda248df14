"""The embedded backend's pages and counts where scores tie and where the index changes.

Every match of a search by words is scored in one pass; the page is ordered by score,
then by title within a tie (``IndexArrays.best``), with or without a condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from search.backends.embedded import EmbeddedBackend
from search.documents import (
    DocumentType,
    Facet,
    GeoPoint,
    LocalizedText,
    SearchDocument,
    SearchQuery,
)

LETTERS = "qwertyuiopasdfghjklzxcvbnm"


BAY = GeoPoint(20.91, 107.18)
FAR = GeoPoint(22.34, 103.84)  # Sa Pa


def _cave(number: int, commune: str, location: GeoPoint | None = None) -> SearchDocument:
    # Same words and lengths everywhere: every document scores the same for "hang".
    name = f"Hang {LETTERS[number % 26]}{LETTERS[number // 26]}"
    return SearchDocument(
        type=DocumentType.PLACE,
        id=str(number),
        version=1,
        texts={"vi": LocalizedText(title=name, url=f"/vi/places/{number}", summary="hang đá")},
        commune=commune,
        category="cave",
        location=location,
    )


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    caves = EmbeddedBackend(tmp_path / "search.sqlite3")
    caves.index(_cave(n, "Hạ Long" if n % 3 else "Cô Tô") for n in range(60))
    yield caves
    caves.close()


def _titles(backend: EmbeddedBackend, offset: int) -> list[str]:
    result = backend.search(SearchQuery(text="hang", limit=7, offset=offset))
    return [hit.title for hit in result.hits]


@pytest.mark.parametrize("offset", [0, 7, 55])
def test_a_tie_is_broken_by_title(backend: EmbeddedBackend, offset: int) -> None:
    everything = sorted(_cave(n, "").texts["vi"].title.lower() for n in range(60))

    assert [t.lower() for t in _titles(backend, offset)] == everything[offset : offset + 7]


@pytest.mark.parametrize("offset", [0, 7, 35])
def test_a_tie_within_a_radius_is_broken_by_title(tmp_path: Path, offset: int) -> None:
    # Words and a condition: the page comes from the scored matches of one pass.
    caves = EmbeddedBackend(tmp_path / "located.sqlite3")
    caves.index(_cave(n, "Hạ Long", BAY if n % 3 else FAR) for n in range(60))
    inside = sorted(_cave(n, "").texts["vi"].title.lower() for n in range(60) if n % 3)
    query = SearchQuery(text="hang", near=BAY, radius_km=5, limit=7, offset=offset)

    def titles() -> list[str]:
        return [hit.title.lower() for hit in caves.search(query).hits]

    try:
        assert titles() == inside[offset : offset + 7]
        assert caves.search(query).total == 40
    finally:
        caves.close()


def test_counts_follow_every_write(backend: EmbeddedBackend) -> None:
    query = SearchQuery(text="hang", filters={Facet.COMMUNE: frozenset({"Cô Tô"})})
    before = backend.search(query)
    assert before.total == 20
    assert {c.value: c.count for c in before.facets[Facet.COMMUNE]} == {"Hạ Long": 40, "Cô Tô": 20}

    backend.delete(DocumentType.PLACE, "0", version=2)
    other = EmbeddedBackend(backend.path)  # another process's view of the same file
    try:
        other.index([_cave(90, "Cô Tô"), _cave(91, "Cô Tô")])
    finally:
        other.close()
    after = backend.search(query)

    assert after.total == 21  # one Cô Tô cave deleted here, two added elsewhere
    assert {c.value: c.count for c in after.facets[Facet.COMMUNE]} == {"Hạ Long": 40, "Cô Tô": 21}
    added = _cave(90, "Cô Tô").texts["vi"].title
    assert [h.title for h in backend.search(SearchQuery(text=added)).hits] == [added]
