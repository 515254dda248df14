"""The embedded search backend: SQLite FTS5 in a file of its own (the default).

Matching: every word of the query must match, either as written in the raw columns or
folded (``search.folding.fold``: no marks, đ -> d) in the folded ones, anywhere among
the names a document has in any language, its summaries or its bodies. Ranking is
FTS5's bm25 with column weights (``embedded_rows.BM25_WEIGHTS``): names far above
summaries above bodies, raw above folded, so "Hạ Long" ranks Hạ Long above Hà Lòng
while "ha long" finds both. The total and the facets (each without its own selection,
see ``SearchQuery``) are counted on arrays in memory (``embedded_facets``) from the
matching rowids, and the page is ranked there from the matches' scores: one FTS5 pass a
search. Only the page of hits shown is looked up, decoded and given snippets.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sized
from pathlib import Path
from typing import Any

from search.backends import embedded_query as q
from search.backends.embedded_facets import IndexArrays, Ints, parse_ints
from search.backends.embedded_rows import (
    BM25_WEIGHTS,
    decode,
    key_of,
    shown,
    unique_documents,
)
from search.backends.embedded_store import (
    NEXT,
    TABLES,
    Store,
    generation,
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
    SearchDocument,
    SearchQuery,
    SearchResult,
    Suggestion,
)

REBUILD_CHUNK = 1000  # documents per write transaction while a rebuild fills its tables
SUGGEST_CANDIDATES = 200
EMPTY = SearchResult(total=0, hits=(), facets=dict.fromkeys(Facet, ()))


class EmbeddedBackend:
    """``SearchBackend`` on SQLite FTS5, in the file at ``path`` (created if missing)."""

    name = "embedded-sqlite-fts5"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._store = Store(self.path)
        self._loaded: IndexArrays | None = None

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
            arrays = self._arrays(connection)
            matches, scores = self._matches(connection, query, found, arrays)
            counted = arrays.count(query, matches)
            if counted.kept is not None:
                matches = matches[counted.kept]
                scores = None if scores is None else scores[counted.kept]
            window = (max(query.limit, 0), max(query.offset, 0))
            if not counted.total or not window[0]:
                stored = []
            elif scores is not None:
                stored = _stored(connection, arrays.best(matches, scores, window))
            else:
                stored = _unranked_page(connection, query, window)
        hits = [q.hit(shown(data, query.lang), query, found) for data in stored]
        return SearchResult(total=counted.total, hits=hits, facets=counted.facets)

    def _arrays(self, connection: sqlite3.Connection) -> IndexArrays:
        """The in-memory arrays of the generation this read transaction sees."""
        current = generation(connection)
        arrays = self._loaded
        if arrays is None or arrays.generation != current:
            arrays = IndexArrays.load(connection, current)
            if self._loaded is None or self._loaded.generation < current:
                self._loaded = arrays  # another thread may hold a newer one: keep that
        return arrays

    def _matches(
        self,
        connection: sqlite3.Connection,
        query: SearchQuery,
        found: list[q.Token],
        arrays: IndexArrays,
    ) -> tuple[Ints, Ints | None]:
        """The rowids matching the words and the conditions, before any facet selection.

        With words, also each match's score, in the same order. One FTS5 pass gives both,
        packed into one integer a match (the score above the rowid's bits: one number to
        write and read, not two), as a ``group_concat`` string numpy reads.
        """
        where = q.base_conditions(query)
        if found:
            join = " CROSS JOIN docs d ON d.rowid = fts.rowid" if where.clauses else ""
            shift = max(arrays.size - 1, 1).bit_length()  # a rowid's bits at most
            # LIMIT -1 keeps the inner query apart: bm25() cannot run inside an aggregate.
            packed = connection.execute(
                f"SELECT group_concat(score * ? + id) FROM (SELECT fts.rowid AS id,"  # noqa: S608 - built from our fragments
                f" CAST({SCORE} * {SCORE_SCALE} AS INTEGER) AS score FROM fts{join}"
                f" WHERE fts MATCH ? AND {where.sql()} LIMIT -1)",
                [1 << shift, ranked_match(found), *where.params],
            ).fetchone()[0]
            both = parse_ints(packed)
            return both & ((1 << shift) - 1), both >> shift
        if where.clauses:
            sql = f"SELECT group_concat(d.rowid) FROM docs d WHERE {where.sql()}"  # noqa: S608 - built from our fragments
            return parse_ints(connection.execute(sql, where.params).fetchone()[0]), None
        return arrays.everything, None

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
# Scores travel as integers (millionths): SQLite writes and numpy reads those several
# times faster than floats (2 ms each way for 10,000 matches). Scores closer than that
# tie, and the title decides. Packed above a rowid's bits (a million documents: 20
# bits), a score up to 8 million in size still fits in 63 bits; bm25 here stays below
# 30,000 (at most 34 phrases for 16 words, each under idf 14 x 2.2 x the weights' sum, 24).
SCORE_SCALE = 1_000_000


def _unranked_page(
    connection: sqlite3.Connection, query: SearchQuery, window: tuple[int, int]
) -> list[str]:
    """The stored documents of a page without words: by distance, date or title."""
    limit, offset = window
    where = q.base_conditions(query)
    where.extend(q.facet_conditions(query))
    dist, params = "NULL", []
    if query.near:
        dist, params = "haversine_km(?, ?, d.lat, d.lon)", [query.near.lat, query.near.lon]
    first = "dist IS NULL, dist" if query.near else "d.starts_on IS NULL, d.starts_on"
    # The order on rowids first, the stored documents of the page only after.
    rowids = connection.execute(
        f"SELECT d.rowid, {dist} AS dist FROM docs d WHERE {where.sql()}"  # noqa: S608 - built from our fragments
        f" ORDER BY {first}, d.sort_title, d.key LIMIT ? OFFSET ?",
        [*params, *where.params, limit, offset],
    ).fetchall()
    return _stored(connection, [row[0] for row in rowids])


def _stored(connection: sqlite3.Connection, rowids: list[int]) -> list[str]:
    """The stored documents of ``rowids``, in that order."""
    data = dict(
        connection.execute(
            f"SELECT rowid, data FROM stored WHERE rowid IN ({_marks(rowids)})",  # noqa: S608 - placeholders only
            rowids,
        ).fetchall()
    )
    return [data[rowid] for rowid in rowids]


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
