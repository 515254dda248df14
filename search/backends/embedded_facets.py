"""Totals, facet counts and the order of tied hits for the embedded backend, in memory.

Counting facets in SQL means one look-up per matching document (about half a
microsecond each: 5 ms for 10,000 hits, more than the ranked query itself). Instead,
each process keeps numpy arrays indexed by rowid, loaded once per index generation
(``IndexArrays``):

- a facet whose documents have one value at most (type, commune, category, stars, price
  band): each rowid's value, as a code (``OneValue``); a search's counts are one
  ``bincount`` over its matches' codes;
- a facet whose documents may have several values (amenities): one bit per value in
  each rowid's bytes (``SeveralValues``); the counts are one ``bincount`` per byte;
- each rowid's place in title order (``sort_title``, then ``key``), which breaks ties
  between equal scores (generated and templated texts tie a lot).

A search hands over its matching rowids as one array (``parse_ints`` reads SQLite's
``group_concat`` in C). Post-filter semantics: a facet's counts are taken over the
matches that every *other* facet's selection keeps, so the values of a facet stay
countable once one of them is chosen.

The arrays are valid for one generation of the index (``embedded_store.generation``,
bumped by every write), read inside the search's own read transaction, so a search
never counts against another snapshot than the one its hits come from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from search.documents import Facet, FacetCount, SearchQuery

Ints = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]


def parse_ints(csv: str | None) -> Ints:
    """The integers of a ``group_concat`` (None: no rows), parsed in C."""
    if not csv:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(csv, dtype=np.int64, sep=",")


class FacetValues(Protocol):
    def count(self, rowids: Ints) -> dict[str, int]:
        """How many of ``rowids`` have each value (values none has left out)."""
        ...

    def keep(self, rowids: Ints, chosen: Iterable[str]) -> Mask:
        """Which of ``rowids`` have any of the ``chosen`` values."""
        ...


@dataclass(frozen=True)
class OneValue:
    """A facet whose documents have one value at most.

    ``codes[rowid]`` is 0 (no value) or n, the value ``names[n - 1]``.
    """

    names: tuple[str, ...]
    codes: npt.NDArray[np.unsignedinteger[Any]]

    @classmethod
    def build(cls, documents: Mapping[str, Ints], size: int) -> OneValue:
        # The smallest code that holds them: the fewer bytes a rowid takes, the fewer
        # cache lines a search's gather reads.
        codes = np.zeros(size, dtype=np.min_scalar_type(len(documents)))
        for code, rowids in enumerate(documents.values(), 1):
            codes[rowids] = code
        return cls(tuple(documents), codes)

    def count(self, rowids: Ints) -> dict[str, int]:
        counted = np.bincount(self.codes[rowids], minlength=len(self.names) + 1)[1:]
        return {name: n for name, n in zip(self.names, counted.tolist(), strict=True) if n}

    def keep(self, rowids: Ints, chosen: Iterable[str]) -> Mask:
        wanted = set(chosen)
        codes = [code for code, name in enumerate(self.names, 1) if name in wanted]
        return np.isin(self.codes[rowids], codes)


# Row n: the bits of the byte n, lowest first (a byte's value -> which of its 8 bits are set).
BYTE_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, np.newaxis], axis=1, bitorder="little")


@dataclass(frozen=True)
class SeveralValues:
    """A facet whose documents may have several values.

    ``bits[rowid]``: one bit per value (bit n of the row's bytes: ``names[n]``), so a
    search's counts are one ``bincount`` of its matches' bytes per 8 values.
    """

    names: tuple[str, ...]
    bits: npt.NDArray[np.uint8]

    @classmethod
    def build(cls, documents: Mapping[str, Ints], size: int) -> SeveralValues:
        has = np.zeros((size, len(documents)), dtype=np.bool_)
        for column, rowids in enumerate(documents.values()):
            has[rowids, column] = True
        return cls(tuple(documents), np.packbits(has, axis=1, bitorder="little"))

    def count(self, rowids: Ints) -> dict[str, int]:
        counted = np.concatenate(
            [
                np.bincount(self.bits[rowids, column], minlength=256) @ BYTE_BITS
                for column in range(self.bits.shape[1])
            ]
        )
        return {name: n for name, n in zip(self.names, counted.tolist(), strict=False) if n}

    def keep(self, rowids: Ints, chosen: Iterable[str]) -> Mask:
        chosen = set(chosen)
        wanted = np.zeros(self.bits.shape[1] * 8, dtype=np.bool_)
        wanted[[n for n, name in enumerate(self.names) if name in chosen]] = True
        masks = np.packbits(wanted, bitorder="little")
        return np.asarray((self.bits[rowids] & masks).any(axis=1))


@dataclass(frozen=True)
class Counted:
    """A search's total and facet counts, and which of its matches are hits.

    ``kept``: a mask over the matches (every selection applied); None without a
    selection, when every match is a hit.
    """

    total: int
    facets: dict[Facet, list[FacetCount]]
    kept: Mask | None


@dataclass(frozen=True)
class IndexArrays:
    """What searches need in memory about the index, as of one generation."""

    generation: int
    everything: Ints  # every document's rowid, ascending
    title_rank: npt.NDArray[np.int32]  # each rowid's place in (sort_title, key) order
    facets: Mapping[Facet, FacetValues]

    @classmethod
    def load(cls, connection: sqlite3.Connection, generation: int) -> IndexArrays:
        ordered = connection.execute("SELECT rowid FROM docs ORDER BY sort_title, key")
        in_order = np.fromiter((row[0] for row in ordered), dtype=np.int64)
        size = int(in_order.max()) + 1 if len(in_order) else 0
        title_rank = np.zeros(size, dtype=np.int32)
        title_rank[in_order] = np.arange(len(in_order), dtype=np.int32)
        documents: dict[Facet, dict[str, Ints]] = {facet: {} for facet in Facet}
        rows = connection.execute(
            "SELECT facet, value, group_concat(doc) FROM facets GROUP BY facet, value"
        )
        for facet, value, docs in rows:
            if facet in documents:
                documents[Facet(facet)][value] = parse_ints(docs)
        facets: dict[Facet, FacetValues] = {
            facet: (OneValue if _disjoint(values.values()) else SeveralValues).build(values, size)
            for facet, values in documents.items()
        }
        return cls(generation, np.sort(in_order), title_rank, facets)

    @property
    def size(self) -> int:
        """One more than the highest rowid."""
        return len(self.title_rank)

    def count(self, query: SearchQuery, matches: Ints) -> Counted:
        """The total (every selection applied) and each facet's counts without its own."""
        keeps = {
            facet: self.facets[facet].keep(matches, chosen)
            for facet, chosen in _selections(query).items()
        }
        facets: dict[Facet, list[FacetCount]] = {}
        for facet, values in self.facets.items():
            others = [kept for other, kept in keeps.items() if other is not facet]
            among = matches[np.logical_and.reduce(others)] if others else matches
            counts = values.count(among)
            ordered = sorted(counts.items(), key=lambda c: (-c[1], c[0]))
            facets[facet] = [FacetCount(value, n) for value, n in ordered]
        if not keeps:
            return Counted(len(matches), facets, None)
        kept = np.logical_and.reduce(list(keeps.values()))
        return Counted(int(np.count_nonzero(kept)), facets, kept)

    def best(self, rowids: Ints, scores: Ints, window: tuple[int, int]) -> list[int]:
        """The page (``window``: limit, offset) of ``rowids`` by score, ties by title."""
        limit, offset = window
        wanted = offset + limit
        if len(rowids) > wanted > 0:
            # Only the documents scoring at most the page's last score can be on it.
            last = np.partition(scores, wanted - 1)[wanted - 1]
            within = scores <= last
            rowids, scores = rowids[within], scores[within]
        order = np.lexsort((self.title_rank[rowids], scores))
        page: list[int] = rowids[order[offset:wanted]].tolist()
        return page


def _selections(query: SearchQuery) -> dict[Facet, frozenset[str]]:
    """The values ``query`` selects, by facet (its types as the type facet's)."""
    chosen = {facet: values for facet, values in query.filters.items() if values}
    if query.types:
        chosen[Facet.TYPE] = frozenset(t.value for t in query.types)
    return chosen


def _disjoint(sets: Iterable[Ints]) -> bool:
    """Whether no rowid is in two of ``sets``."""
    arrays = list(sets)
    total = sum(len(rowids) for rowids in arrays)
    return not arrays or len(np.unique(np.concatenate(arrays))) == total
