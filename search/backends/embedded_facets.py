"""Facet counts and totals for the embedded backend, from bit sets held in memory.

Counting facets in SQL means one look-up per matching document (about half a
microsecond each: 5 ms for 10,000 hits, more than the ranked query itself). Instead,
each facet value's documents are kept as one Python integer used as a bit set (bit n
set: the document with rowid n has the value), loaded once per index generation; a
search turns its matching rowids into a bit set too, and every count is then an AND
and a popcount. Post-filter semantics come out directly: a facet's counts are taken
over the matches ANDed with every other facet's selection.

The sets are valid for one generation of the index (``embedded_store.generation``,
bumped by every write), read inside the search's own read transaction, so a search
never counts against another snapshot than the one its hits come from.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat

from search.documents import Facet, FacetCount, SearchQuery

ALL = -1  # "every document": the match set of a search without words or conditions


def bits_of(rowids: Iterable[int]) -> int:
    """The bit set of ``rowids``."""
    ids = list(rowids)
    if not ids:
        return 0
    digits = bytearray(b"0") * (max(ids) + 1)
    # map() runs the loop in C: a third of the time of a for loop over 10,000 rowids.
    deque(map(digits.__setitem__, ids, repeat(ord("1"))), 0)
    digits.reverse()
    return int(digits, 2)


def bits_of_csv(csv: str | None) -> int:
    """The bit set of a ``group_concat(rowid)`` (None: no rows)."""
    return bits_of(map(int, csv.split(","))) if csv else 0


@dataclass(frozen=True)
class FacetBits:
    """Every facet value's documents, as of one generation of the index."""

    generation: int
    values: Mapping[Facet, Mapping[str, int]]
    everything: int  # every document (each has a type)

    @classmethod
    def load(cls, connection: sqlite3.Connection, generation: int) -> FacetBits:
        values: dict[Facet, dict[str, int]] = {facet: {} for facet in Facet}
        rows = connection.execute(
            "SELECT facet, value, group_concat(doc) FROM facets GROUP BY facet, value"
        )
        for facet, value, docs in rows:
            if facet in values:
                values[Facet(facet)][value] = bits_of_csv(docs)
        everything = 0
        for bits in values[Facet.TYPE].values():
            everything |= bits
        return cls(generation, values, everything)

    def selection(self, query: SearchQuery, facet: Facet) -> int | None:
        """The documents ``query`` selects by ``facet`` (any chosen value), None: no choice."""
        chosen = sorted(t.value for t in query.types) if facet is Facet.TYPE else None
        if chosen is None:
            chosen = sorted(query.filters.get(facet, ()))
        if not chosen:
            return None
        found = 0
        for value in chosen:
            found |= self.values[facet].get(value, 0)
        return found

    def count(self, query: SearchQuery, matches: int) -> tuple[int, dict[Facet, list[FacetCount]]]:
        """The total (every selection applied) and each facet's counts without its own."""
        matches = self.everything if matches == ALL else matches
        selections = {f: s for f in Facet if (s := self.selection(query, f)) is not None}
        hits = matches
        for chosen in selections.values():
            hits &= chosen
        facets: dict[Facet, list[FacetCount]] = {}
        for facet in Facet:
            base = matches
            for other, chosen in selections.items():
                if other is not facet:
                    base &= chosen
            counts = [
                (value, (base & bits).bit_count()) for value, bits in self.values[facet].items()
            ]
            ordered = sorted((c for c in counts if c[1]), key=lambda c: (-c[1], c[0]))
            facets[facet] = [FacetCount(value, n) for value, n in ordered]
        return hits.bit_count(), facets
