"""The embedded search backend: SQLite FTS5 in a file of its own (the default).

Matching: every word of the query must match, either as written in the raw columns or
folded (``search.folding.fold``: no marks, đ -> d) in the folded ones, anywhere among
the names a document has in any language, its summaries or its bodies. Ranking is
FTS5's bm25 with column weights (``embedded_rows.BM25_WEIGHTS``): names far above
summaries above bodies, raw above folded, so "Hạ Long" ranks Hạ Long above Hà Lòng
while "ha long" finds both. The total and the facets (each without its own selection,
see ``SearchQuery``) are counted on bit sets in memory (``embedded_facets``) from the
matching rowids; only the page of hits shown is looked up, decoded and given snippets.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sized
from pathlib import Path
from typing import Any

from search.backends import embedded_query as q
from search.backends.embedded_facets import ALL, FacetBits, bits_of
from search.backends.embedded_rows import BM25_WEIGHTS, decode, key_of, unique_documents
from search.backends.embedded_store import (
    NEXT,
    TABLES,
    Store,
    generation,
    haversine_km,
    next_generation,
    put,
    read,
    remember_version,
    remove,
    schema,
    stored_version,
    write,
)
from search.documents import (
    DocumentType,
    Facet,
    GeoPoint,
    SearchDocument,
    SearchQuery,
    SearchResult,
    Suggestion,
)

REBUILD_CHUNK = 1000  # documents per write transaction while a rebuild fills its tables
SUGGEST_CANDIDATES = 200
TIE_ROOM = 200  # documents ranked beyond a page to find where its last score's tie ends
EMPTY = SearchResult(total=0, hits=(), facets=dict.fromkeys(Facet, ()))


class EmbeddedBackend:
    """``SearchBackend`` on SQLite FTS5, in the file at ``path`` (created if missing)."""

    name = "embedded-sqlite-fts5"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._store = Store(self.path)
        self._bits: FacetBits | None = None

    def close(self) -> None:
        """Close this thread's connection (a new one opens on next use)."""
        self._store.close()

    # Writing -------------------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> None:
        connection = self._store.connection()
        with write(connection):
            next_generation(connection)
            for key, document in unique_documents(documents).items():
                stored = stored_version(connection, key)
                if stored is not None and stored > document.version:
                    continue  # a newer version (or a newer deletion) is already in
                put(connection, document)
                remember_version(connection, key, document.version)

    def delete(self, type_: DocumentType, id_: str, version: int) -> None:
        connection = self._store.connection()
        key = key_of(type_, id_)
        with write(connection):
            stored = stored_version(connection, key)
            if stored is not None and stored > version:
                return
            next_generation(connection)
            remove(connection, key)
            remember_version(connection, key, version)  # the tombstone

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Fill a second set of tables beside the live one, then swap them in.

        The swap is one transaction: searches go on against the old set until it commits.

        What the live index received meanwhile and is newer than the rebuild's copy (an
        edit, a deletion) is carried over at the swap. The rebuild decides which keys
        exist: a document only in the old index is gone afterwards.
        """
        connection = self._store.connection()
        with write(connection):
            for table in TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}{NEXT}")  # a failed rebuild's
            for statement in schema(NEXT):
                connection.execute(statement)
        for chunk in _chunks(documents, REBUILD_CHUNK):
            with write(connection):
                for document in unique_documents(chunk).values():
                    put(connection, document, NEXT)
        with write(connection):
            next_generation(connection)
            self._carry_over_newer(connection)
            for table in TABLES:
                connection.execute(f"DROP TABLE {table}")
                connection.execute(f"ALTER TABLE {table}{NEXT} RENAME TO {table}")
            count: int = connection.execute("SELECT count(*) FROM docs").fetchone()[0]
        return count

    def _carry_over_newer(self, connection: sqlite3.Connection) -> None:
        built = dict(connection.execute(f"SELECT key, version FROM docs{NEXT}").fetchall())  # noqa: S608 - our table name
        newer = connection.execute(
            "SELECT v.key, v.version, s.data FROM versions v LEFT JOIN docs d ON d.key = v.key"
            " LEFT JOIN stored s ON s.rowid = d.rowid"
        ).fetchall()
        for key, version, data in newer:
            if key not in built or version <= built[key]:
                continue
            if data is None:  # deleted after the rebuild read it
                remove(connection, key, NEXT)
            else:
                put(connection, decode(data), NEXT)
        for key, version in built.items():
            remember_version(connection, key, version)

    # Reading -------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        found = q.tokens(query.text)
        if query.text.strip() and not found and not query.has_filter:
            return EMPTY  # nothing searchable was typed ("***", quotes…)
        connection = self._store.connection()
        with read(connection):
            bits = self._facet_bits(connection)
            matches, scored = self._matches(connection, query, found)
            total, facets = bits.count(query, ALL if matches is None else bits_of(matches), matches)
            rows = self._page(connection, query, found, scored) if total else []
        hits = [q.hit(decode(data), dist, query, found) for dist, data in rows]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _facet_bits(self, connection: sqlite3.Connection) -> FacetBits:
        """The facet bit sets of the generation this read transaction sees."""
        current = generation(connection)
        bits = self._bits
        if bits is None or bits.generation != current:
            bits = FacetBits.load(connection, current)
            if self._bits is None or self._bits.generation < current:
                self._bits = bits  # another thread may hold a newer one: keep that
        return bits

    def _matches(
        self, connection: sqlite3.Connection, query: SearchQuery, found: list[q.Token]
    ) -> tuple[list[int] | None, list[tuple[int, float]] | None]:
        """The rowids matching the words and the conditions, before any facet selection.

        None: every document (no words, no conditions). With words and conditions but no
        selection, also each match's score (rowid, score): the page is taken from those,
        not from a second pass over every match of the words.
        """
        where = q.base_conditions(query)
        if found and where.clauses and not _selects(query):
            scored: list[tuple[int, float]] = connection.execute(
                f"SELECT fts.rowid, {SCORE} FROM fts CROSS JOIN docs d ON d.rowid = fts.rowid"  # noqa: S608 - built from our fragments
                f" WHERE fts MATCH ? AND {where.sql()}",
                [ranked_match(found), *where.params],
            ).fetchall()
            return [row[0] for row in scored], scored
        if found:
            # The plain expression: the phrase boosts of ranked_match() rank, they add no match.
            join = " CROSS JOIN docs d ON d.rowid = fts.rowid" if where.clauses else ""
            sql = (
                f"SELECT group_concat(fts.rowid) FROM fts{join} WHERE fts MATCH ? AND {where.sql()}"  # noqa: S608 - built from our fragments
            )
            params = [q.match_expression(found), *where.params]
        elif where.clauses:
            sql = f"SELECT group_concat(d.rowid) FROM docs d WHERE {where.sql()}"  # noqa: S608 - built from our fragments
            params = where.params
        else:
            return None, None
        csv: str | None = connection.execute(sql, params).fetchone()[0]
        # json's parser reads the numbers in C: half the time of int() on each.
        return (json.loads(f"[{csv}]") if csv else []), None

    def _page(
        self,
        connection: sqlite3.Connection,
        query: SearchQuery,
        found: list[q.Token],
        scored: list[tuple[int, float]] | None,
    ) -> list[tuple[float | None, str]]:
        """The hits shown: (distance, stored document) in the query's order."""
        limit, offset = max(query.limit, 0), max(query.offset, 0)
        if not limit:
            return []
        if found and not _selects(query):
            # Without a selection the hits are the matches: no condition to check again.
            page = (
                _ranked_page(connection, ranked_match(found), (limit, offset), query.near)
                if scored is None
                else _scored_page(connection, scored, (limit, offset), query.near)
            )
            if page is not None:
                return page
        where = q.base_conditions(query)
        where.extend(q.facet_conditions(query))
        params: list[Any] = []
        dist = "NULL"
        if query.near:
            dist = "haversine_km(?, ?, d.lat, d.lon)"
            params += [query.near.lat, query.near.lon]
        if found:
            source, score = "fts CROSS JOIN docs d ON d.rowid = fts.rowid AND fts MATCH ?", SCORE
            params.append(ranked_match(found))
        else:
            source, score = "docs d", "0"
        # The order on rowids first, the stored documents of the page only after.
        order = _order(query, found)
        return connection.execute(
            f"SELECT p.dist, s.data FROM (SELECT d.rowid AS doc, {dist} AS dist, {score} AS score,"  # noqa: S608 - built from our fragments
            f" d.starts_on AS starts_on, d.sort_title AS sort_title, d.key AS key FROM {source}"
            f" WHERE {where.sql()} ORDER BY {order.format(p='')} LIMIT ? OFFSET ?) p"
            f" JOIN stored s ON s.rowid = p.doc ORDER BY {order.format(p='p.')}",
            [*params, *where.params, limit, offset],
        ).fetchall()

    def suggest(self, prefix: str, lang: str, limit: int = 8) -> list[Suggestion]:
        found = q.tokens(prefix)
        if len("".join(t.folded for t in found)) < 2 or limit <= 0:
            return []
        connection = self._store.connection()
        with read(connection):
            rows = connection.execute(
                "SELECT doc, lang, kind, display FROM names WHERE names MATCH ?"
                " ORDER BY kind, length(display) LIMIT ?",
                (q.suggest_expression(found), SUGGEST_CANDIDATES),
            ).fetchall()
            start = " ".join(t.folded for t in found)
            ranked = sorted(rows, key=lambda r: (r[2], not r[3].startswith(start), r[1] != lang))
            best = list(dict.fromkeys(row[0] for row in ranked))[:limit]
            data = dict(
                connection.execute(
                    f"SELECT rowid, data FROM stored WHERE rowid IN ({_marks(best)})",  # noqa: S608 - placeholders only
                    best,
                ).fetchall()
            )
        suggestions = []
        for doc in best:
            document = decode(data[doc])
            _, text = document.text_for(lang)
            suggestions.append(Suggestion(text=text.title, type=document.type, url=text.url))
        return suggestions

    def health(self) -> dict[str, Any]:
        try:
            connection = self._store.connection()
            with read(connection):
                counts = dict(
                    connection.execute("SELECT type, count(*) FROM docs GROUP BY type").fetchall()
                )
        except sqlite3.Error as exc:
            return {"status": "error", "backend": self.name, "error": str(exc)}
        return {"status": "ok", "backend": self.name, "documents": counts}


def ranked_match(found: list[q.Token]) -> str:
    """All the words; several words next to each other in a name count extra."""
    expression = q.match_expression(found)
    words = [t for t in found if not t.cjk]
    if len(words) < 2:
        return expression
    raw = q.quoted(" ".join(t.raw for t in words))
    folded = q.quoted(" ".join(t.folded for t in words))
    # A phrase matches only where all its words do: it ranks, it never adds a hit.
    return f"({expression}) OR {{names}}: {raw} OR {{names_folded}}: {folded}"


SCORE = f"bm25(fts, {', '.join(str(w) for w in BM25_WEIGHTS)})"


def _selects(query: SearchQuery) -> bool:
    """Whether ``query`` selects by type or by a facet's values."""
    return bool(query.types or any(query.filters.values()))


def _order(query: SearchQuery, found: list[q.Token]) -> str:
    """The hits' order, on the columns of ``_page``'s inner query (named ``p`` outside)."""
    if found:
        return "{p}score, {p}sort_title, {p}key"
    if query.near:
        return "{p}dist IS NULL, {p}dist, {p}sort_title, {p}key"
    return "{p}starts_on IS NULL, {p}starts_on, {p}sort_title, {p}key"


def _ranked_page(
    connection: sqlite3.Connection,
    expression: str,
    window: tuple[int, int],
    near: GeoPoint | None,
) -> list[tuple[float | None, str]] | None:
    """The page (``window``: limit, offset) of a search by words only, no facet selection.

    Only the documents scoring at most the page's last score can be on the page; their
    titles and keys break the ties (generated and templated texts tie a lot). They are
    the first by score, fetched with TIE_ROOM more than the page; None when the tie at
    the page's end may go on past those (the caller then sorts every match).
    """
    limit, offset = window
    wanted = offset + limit
    fetch = wanted + TIE_ROOM
    ranked = connection.execute(
        f"SELECT rowid, {SCORE} FROM fts WHERE fts MATCH ? ORDER BY 2 LIMIT ?",  # noqa: S608 - our constants
        (expression, fetch),
    ).fetchall()
    if len(ranked) > wanted:
        last = ranked[wanted - 1][1]
        ranked = [row for row in ranked if row[1] <= last]
        if len(ranked) == fetch:
            return None
    return _tie_broken_page(connection, ranked, window, near)


def _scored_page(
    connection: sqlite3.Connection,
    scored: list[tuple[int, float]],
    window: tuple[int, int],
    near: GeoPoint | None,
) -> list[tuple[float | None, str]] | None:
    """As ``_ranked_page``, from every match already scored (rowid, score).

    None when the tie at the page's end takes in more than TIE_ROOM documents beyond it.
    """
    limit, offset = window
    wanted = offset + limit
    ranked = scored
    if len(scored) > wanted:
        last = heapq.nsmallest(wanted, (score for _doc, score in scored))[-1]
        ranked = [row for row in scored if row[1] <= last]
        if len(ranked) > wanted + TIE_ROOM:
            return None
    return _tie_broken_page(connection, ranked, window, near)


def _tie_broken_page(
    connection: sqlite3.Connection,
    ranked: list[tuple[int, float]],
    window: tuple[int, int],
    near: GeoPoint | None,
) -> list[tuple[float | None, str]]:
    """The page of ``ranked`` (rowid, score): by score, then title, then key."""
    limit, offset = window
    if not ranked:
        return []
    score = dict(ranked)
    order = connection.execute(
        f"SELECT rowid, sort_title, key, lat, lon FROM docs WHERE rowid IN ({_marks(score)})",  # noqa: S608 - placeholders only
        list(score),
    ).fetchall()
    order.sort(key=lambda r: (score[r[0]], r[1], r[2]))
    page = order[offset : offset + limit]
    data = dict(
        connection.execute(
            f"SELECT rowid, data FROM stored WHERE rowid IN ({_marks(page)})",  # noqa: S608 - placeholders only
            [row[0] for row in page],
        ).fetchall()
    )
    return [
        (haversine_km(near.lat, near.lon, lat, lon) if near else None, data[doc])
        for doc, _title, _key, lat, lon in page
    ]


def _marks(values: Sized) -> str:
    return ",".join("?" * len(values))


def _chunks(documents: Iterable[SearchDocument], size: int) -> Iterator[list[SearchDocument]]:
    chunk: list[SearchDocument] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
