"""From a ``SearchQuery`` to SQL for the embedded backend, and the hits with snippets.

User input never reaches FTS5's query syntax as is: it is cut into word tokens here,
each token is double-quoted (tokens hold only letters, digits and "_", never a quote),
and the operators around them are ours. ``"``, ``*``, ``NEAR``, ``(``, ``-`` or ``^``
typed by a tourist are at worst a word to look for.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from search.backends.embedded_rows import (
    CJK_COLUMNS,
    CJK_RUN,
    FOLDED_COLUMNS,
    RAW_COLUMNS,
    Shown,
    normalize,
)
from search.documents import Hit, SearchQuery
from search.folding import fold

WORD = re.compile(r"\w+")
MAX_TOKENS = 16  # a pasted paragraph is not a query
KM_PER_DEGREE = 111.2


@dataclass(frozen=True)
class Token:
    raw: str
    folded: str
    cjk: bool


def tokens(text: str) -> list[Token]:
    """The words of ``text``; a CJK run is one token, split off from adjacent Latin."""
    found: list[Token] = []
    for word in WORD.findall(normalize(text)):
        for part in _split_cjk(word):
            if part.strip("_"):
                found.append(Token(part, fold(part), bool(CJK_RUN.fullmatch(part))))
    return found[:MAX_TOKENS]


def _split_cjk(word: str) -> list[str]:
    parts: list[str] = []
    last = 0
    for run in CJK_RUN.finditer(word):
        parts.extend(p for p in (word[last : run.start()], run.group()) if p)
        last = run.end()
    if word[last:]:
        parts.append(word[last:])
    return parts


def quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _columns(names: tuple[str, ...]) -> str:
    return "{" + " ".join(names) + "}"


def token_expression(token: Token, *, prefix: bool = False) -> str:
    """One token: its raw form in the raw columns OR its folded form in the folded ones.

    A document written with the same marks matches both phrases and so ranks first. A
    CJK token is a phrase of its characters in the spaced-out CJK columns.
    """
    star = "*" if prefix else ""
    if token.cjk:
        return f"{_columns(CJK_COLUMNS)}: {quoted(' '.join(token.raw))}{star}"
    raw = f"{_columns(RAW_COLUMNS)}: {quoted(token.raw)}{star}"
    folded = f"{_columns(FOLDED_COLUMNS)}: {quoted(token.folded)}{star}"
    return f"({raw} OR {folded})"


def match_expression(found: list[Token]) -> str:
    """Every token must match (AND)."""
    return " AND ".join(token_expression(token) for token in found)


def suggest_expression(found: list[Token]) -> str:
    """The folded words as a phrase whose last word may be a prefix ("dao co t" -> Cô Tô)."""
    words = [" ".join(t.folded) if t.cjk else t.folded for t in found]
    return quoted(" ".join(words)) + "*"


@dataclass
class Where:
    """SQL conditions on ``docs d`` joined with their parameters."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def extend(self, other: Where) -> None:
        self.clauses.extend(other.clauses)
        self.params.extend(other.params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def base_conditions(query: SearchQuery) -> Where:
    """Everything but the facet selections (and types): map area, near + radius, dates."""
    where = Where()
    if query.bbox:
        box = query.bbox
        where.add("d.lat BETWEEN ? AND ?", box.south, box.north)
        if box.west <= box.east:
            where.add("d.lon BETWEEN ? AND ?", box.west, box.east)
        else:  # across the antimeridian
            where.add("(d.lon >= ? OR d.lon <= ?)", box.west, box.east)
    if query.near and query.radius_km is not None:
        _add_radius(where, query)
    if query.date_from:
        where.add("d.ends_on >= ?", query.date_from.isoformat())
    if query.date_to:
        where.add("d.starts_on <= ?", query.date_to.isoformat())
    return where


def _add_radius(where: Where, query: SearchQuery) -> None:
    near, radius = query.near, query.radius_km
    if near is None or radius is None:
        return
    # A box around the circle first (the lat index narrows it), the exact distance after.
    dlat = radius / KM_PER_DEGREE
    where.add("d.lat BETWEEN ? AND ?", near.lat - dlat, near.lat + dlat)
    cos_lat = math.cos(math.radians(near.lat))
    dlon = radius / (KM_PER_DEGREE * cos_lat) if cos_lat > 0.01 else 360.0
    if dlon < 180 and near.lon - dlon >= -180 and near.lon + dlon <= 180:
        where.add("d.lon BETWEEN ? AND ?", near.lon - dlon, near.lon + dlon)
    where.add("haversine_km(?, ?, d.lat, d.lon) <= ?", near.lat, near.lon, radius)


def facet_conditions(query: SearchQuery) -> Where:
    """The selections on documents ``d`` (the hits'): OR within a facet, AND across.

    The query's ``types`` count as the type facet's selection. The counts, which leave
    out each facet's own selection, are taken in ``embedded_facets``.
    """
    where = Where()
    if query.types:
        types = sorted(t.value for t in query.types)
        where.add(f"d.type IN ({','.join('?' * len(types))})", *types)
    for facet, values in sorted(query.filters.items()):
        if not values:
            continue
        chosen = sorted(values)
        marks = ",".join("?" * len(chosen))
        where.add(
            f"d.rowid IN (SELECT doc FROM facets WHERE facet = ? AND value IN ({marks}))",  # noqa: S608 - placeholders only
            facet.value,
            *chosen,
        )
    return where


SNIPPET_LENGTH = 180


# The characters a text is written in here: Latin with every extension Vietnamese uses,
# Greek and Cyrillic. Their folds are worked out once; others only match themselves.
_FOLDABLE = (range(0x0530), range(0x1E00, 0x2000))


@functools.cache
def _spellings() -> dict[str, str]:
    """Each folded letter and every character that folds to it ("a": "aAàÀáÁ…ạẠ")."""
    found: dict[str, list[str]] = {}
    for block in _FOLDABLE:
        for code in block:
            ch = chr(code)
            folded = fold(ch)[:1]
            if folded and ch.isprintable():
                found.setdefault(folded, []).append(ch)
    return {folded: "".join(chars) for folded, chars in found.items()}


@functools.lru_cache(maxsize=1024)
def _word_pattern(folded: str, cjk: bool) -> re.Pattern[str]:
    """A word starting with ``folded`` in a text as written, whatever its marks and case.

    Each letter is the class of the characters that fold to it, so the text need not be
    folded first (folding it a character at a time cost more than the search itself).
    """
    spellings = _spellings()
    # Outside the blocks of _FOLDABLE a letter is only matched in either case.
    letters = "".join(f"[{re.escape(spellings.get(ch, ch + ch.upper()))}]" for ch in folded)
    # A CJK token may start anywhere; another must start a word (no letter or digit before).
    return re.compile(letters if cjk else rf"(?<![^\W_]){letters}")


def snippet(text: str, found: list[Token], length: int = SNIPPET_LENGTH) -> tuple[str, bool]:
    """Plain text around the first word of ``found`` in ``text``; whether one was found."""
    text = " ".join(normalize(text).split())
    if not text:
        return "", False
    hits = [m.start() for t in found if (m := _word_pattern(t.folded, t.cjk).search(text))]
    if not hits:
        return _cut(text, 0, length), False
    start = max(0, min(hits) - length // 3)
    if start:  # begin at a word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < min(hits) else start
    return _cut(text, start, length), True


def _cut(text: str, start: int, length: int) -> str:
    end = start + length
    piece = text[start:end]
    if end < len(text):
        space = piece.rfind(" ")
        piece = (piece[:space] if space > length // 2 else piece).rstrip(" ,.;:") + "…"
    return ("…" if start else "") + piece


def hit(document: Shown, query: SearchQuery, found: list[Token]) -> Hit:
    """One hit shown: the texts in the query's language (or the original), a snippet."""
    text = document.text
    shown, matched = snippet(text.summary, found)
    if not matched and text.body:
        from_body, matched = snippet(text.body, found)
        shown = from_body if matched or not shown else shown
    return Hit(
        type=document.type,
        id=document.id,
        title=text.title,
        url=text.url,
        snippet=shown,
        lang=document.lang,
        location=document.location,
        distance_km=(
            query.near.distance_km(document.location) if query.near and document.location else None
        ),
        starts_on=document.starts_on,
        ends_on=document.ends_on,
    )
