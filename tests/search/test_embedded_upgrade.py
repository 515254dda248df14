"""An index file written before the stored documents left ``docs`` is upgraded in place.

Its documents, versions and tombstones stay searchable without a reindex, and the file
then has the current layout (``stored`` beside a ``docs`` without the JSON).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from search.backends.embedded import EmbeddedBackend
from search.backends.embedded_rows import FTS_COLUMNS, doc_row, encode, facet_rows, fts_values
from search.backends.embedded_store import SCHEMA_VERSION, TOKENIZER
from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument, SearchQuery

# The layout before SCHEMA_VERSION 2 (user_version 0): the JSON in docs.data, and no
# generation table yet (the oldest files).
OLD_SCHEMA = [
    (
        "CREATE TABLE docs (rowid INTEGER PRIMARY KEY, key TEXT NOT NULL, type TEXT NOT NULL,"
        " version INTEGER NOT NULL, lat REAL, lon REAL, starts_on TEXT, ends_on TEXT,"
        " sort_title TEXT NOT NULL, data TEXT NOT NULL)"
    ),
    "CREATE UNIQUE INDEX ix_docs_key_old ON docs (key)",
    (
        "CREATE TABLE facets (facet TEXT NOT NULL, value TEXT NOT NULL, doc INTEGER NOT NULL,"
        " PRIMARY KEY (facet, value, doc)) WITHOUT ROWID"
    ),
    f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(FTS_COLUMNS)}, tokenize='{TOKENIZER}')",
    (
        "CREATE VIRTUAL TABLE names USING fts5(text, doc UNINDEXED, lang UNINDEXED,"
        f" kind UNINDEXED, display UNINDEXED, tokenize='{TOKENIZER}', prefix='2 3')"
    ),
    "CREATE TABLE versions (key TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID",
]


def _island(number: int, name: str, lat: float, version: int = 3) -> SearchDocument:
    return SearchDocument(
        type=DocumentType.PLACE,
        id=str(number),
        version=version,
        texts={"vi": LocalizedText(title=name, url=f"/vi/places/{number}", summary="đảo")},
        location=GeoPoint(lat, 107.7),
        commune="Cô Tô",
        category="island",
    )


def _write_old_file(path: Path, documents: list[SearchDocument]) -> None:
    connection = sqlite3.connect(path)
    with connection:
        for statement in OLD_SCHEMA:
            connection.execute(statement)
        for rowid, document in enumerate(documents, 1):
            row = {**doc_row(document), "data": encode(document)}
            names = ", ".join(row)
            marks = ", ".join(f":{name}" for name in row)
            connection.execute(f"INSERT INTO docs (rowid, {names}) VALUES ({rowid}, {marks})", row)  # noqa: S608 - our names
            connection.execute(
                f"INSERT INTO fts (rowid, {', '.join(FTS_COLUMNS)})"  # noqa: S608 - our names
                f" VALUES ({rowid}, {', '.join('?' * len(FTS_COLUMNS))})",
                fts_values(document),
            )
            connection.executemany(
                "INSERT INTO facets (facet, value, doc) VALUES (?, ?, ?)",
                [(facet, value, rowid) for facet, value in facet_rows(document)],
            )
            connection.execute(
                "INSERT INTO versions (key, version) VALUES (?, ?)", (row["key"], row["version"])
            )
        connection.execute("INSERT INTO versions (key, version) VALUES ('place:9', 50)")
    connection.close()


def test_an_old_file_is_upgraded_and_keeps_its_documents_and_tombstones(tmp_path: Path) -> None:
    path = tmp_path / "search.sqlite3"
    _write_old_file(path, [_island(1, "Đảo Cô Tô", 20.98), _island(2, "Đảo Thanh Lân", 21.05)])

    backend = EmbeddedBackend(path)
    near = SearchQuery(text="đảo", near=GeoPoint(20.98, 107.7), radius_km=3)
    result = backend.search(near)
    backend.index([_island(9, "Đảo Trần", 21.2, version=40)])
    after = backend.search(SearchQuery(text="đảo"))
    backend.close()

    assert [hit.title for hit in result.hits] == ["Đảo Cô Tô"]
    assert result.facets  # counted from the old file's facet rows
    assert after.total == 2  # place:9 was deleted at version 50: version 40 stays out
    connection = sqlite3.connect(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(docs)")]
    assert "data" not in columns
    assert connection.execute("SELECT count(*) FROM stored").fetchone()[0] == 2
    assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    connection.close()
