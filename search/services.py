"""Answering a tourist's search, with something useful when nothing matches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from search.documents import (
    DocumentType,
    Hit,
    SearchBackend,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from search.folding import fold

POPULAR_COUNT = 6
SPELLING_COUNT = 3


@dataclass(frozen=True)
class SearchAnswer:
    """The result, and for an empty one: other spellings and places to start from."""

    query: SearchQuery
    result: SearchResult
    spellings: Sequence[Suggestion] = ()
    popular: Sequence[Hit] = ()

    @property
    def found_nothing(self) -> bool:
        return self.result.total == 0


def search(backend: SearchBackend, query: SearchQuery) -> SearchAnswer:
    """Run ``query``; when nothing matches, add suggestions (see ``SearchAnswer``).

    The spellings come from the completions of the folded text ("vinh ha" completes to
    "Vịnh Hạ Long"), skipping any that only repeat what was typed.
    """
    result = backend.search(query)
    if result.total or not (query.text or query.has_filter):
        return SearchAnswer(query, result)
    spellings: list[Suggestion] = []
    if len(query.text) >= 2:
        typed = fold(query.text)
        found = backend.suggest(query.text, query.lang, SPELLING_COUNT)
        spellings = [s for s in found if fold(s.text) != typed]
    return SearchAnswer(query, result, spellings, popular_places(backend, query.lang))


def popular_places(backend: SearchBackend, lang: str) -> Sequence[Hit]:
    """Places to start from when a search found nothing (or before one is made)."""
    query = SearchQuery(lang=lang, types=frozenset({DocumentType.PLACE}), limit=POPULAR_COUNT)
    return backend.search(query).hits


def suggest(backend: SearchBackend, prefix: str, lang: str, limit: int) -> list[Suggestion]:
    """Completions from two letters; nothing for less (every word would match)."""
    if len(prefix.strip()) < 2:
        return []
    return backend.suggest(prefix.strip(), lang, limit)


def this_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    """The coming Saturday and Sunday; on a weekend, the current one."""
    if today.weekday() == 6:
        return today - dt.timedelta(days=1), today
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    return saturday, saturday + dt.timedelta(days=1)


def start(backend: SearchBackend, query: SearchQuery) -> SearchAnswer:
    """Before any question: no hits yet, a few places to start from."""
    empty = SearchResult(total=0, hits=(), facets={})
    return SearchAnswer(query, empty, popular=popular_places(backend, query.lang))
