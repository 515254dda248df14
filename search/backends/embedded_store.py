"""The embedded backend's SQLite file: schema, connections, and writing one document.

The index lives in its own file, never in the application's database: it works the same
when the app runs on PostgreSQL, and a reindex never holds the app's only SQLite write
lock. WAL mode lets every gunicorn worker read while one process (the outbox worker,
or ``flask search reindex``) writes; each thread of each process has its own connection.

A set of tables (``docs``, ``stored``, ``facets``, ``fts``, ``names``) holds the index; a
rebuild fills a second set (suffix ``_next``) beside it and renames it into place.
``versions`` is not rebuilt: it remembers the newest version seen of every key, deleted
ones included (the tombstones), so a late, older write never resurrects or reverts a
document.

``docs`` holds only what searches test and sort on (a few dozen bytes a row); the whole
document, as JSON, is in ``stored``, read for the hits shown only: a radius or date
condition over ten thousand matches reads a few hundred pages, not a hundred megabytes.
A file from before that split (``PRAGMA user_version`` below ``SCHEMA_VERSION``) is
upgraded in place when first opened (``_upgrade``): no reindex is needed.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import uuid
from pathlib import Path

from search.backends.embedded_rows import (
    FTS_COLUMNS,
    doc_row,
    encode,
    facet_rows,
    fts_values,
    key_of,
    suggest_names,
)
from search.documents import SearchDocument

NEXT = "_next"
TABLES = ("docs", "stored", "facets", "fts", "names")
# 2: the stored documents moved out of ``docs`` into ``stored``. Kept in the file's
# ``PRAGMA user_version``; files written before it have 0.
SCHEMA_VERSION = 2
# Per connection, in KiB (negative: SQLite's unit for a size, not a page count). The
# default 2 MiB holds a third of ``docs`` for 100,000 documents: a filter joining ten
# thousand matches to it then re-reads most pages from the OS on every search.
CACHE_KIB = 32 * 1024
# Folded text only, so no diacritics to remove; unicode61 still lower-cases. Not
# "remove_diacritics 2" on the raw columns: that would make them match regardless of
# marks too, and nothing would tell the exact Vietnamese spelling apart any more.
TOKENIZER = "unicode61 remove_diacritics 0"
BUSY_TIMEOUT_S = 30.0
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float | None, lon1: float, lat2: float | None, lon2: float) -> float | None:
    """Great-circle distance, as ``GeoPoint.distance_km`` (None without a location)."""
    if lat1 is None or lat2 is None or lon1 is None or lon2 is None:
        return None
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))


def docs_schema(suffix: str = "") -> list[str]:
    """The DDL of one ``docs`` table and its indexes (index names are unique per build)."""
    token = uuid.uuid4().hex[:8]
    return [
        (
            f"CREATE TABLE IF NOT EXISTS docs{suffix} (rowid INTEGER PRIMARY KEY,"
            " key TEXT NOT NULL, type TEXT NOT NULL, version INTEGER NOT NULL, lat REAL,"
            " lon REAL, starts_on TEXT, ends_on TEXT, sort_title TEXT NOT NULL)"
        ),
        f"CREATE UNIQUE INDEX IF NOT EXISTS ix_docs_key_{token} ON docs{suffix} (key)",
        f"CREATE INDEX IF NOT EXISTS ix_docs_lat_{token} ON docs{suffix} (lat)",
        f"CREATE INDEX IF NOT EXISTS ix_docs_starts_on_{token} ON docs{suffix} (starts_on)",
    ]


def stored_schema(suffix: str = "") -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS stored{suffix} (rowid INTEGER PRIMARY KEY, data TEXT NOT NULL)"
    )


def schema(suffix: str = "") -> list[str]:
    """The DDL of one set of index tables (index names are unique per build)."""
    token = uuid.uuid4().hex[:8]
    columns = ", ".join(FTS_COLUMNS)
    TOK = TOKENIZER  # noqa: N806 - a short name keeps each statement on one line
    return [
        *docs_schema(suffix),
        stored_schema(suffix),
        (
            f"CREATE TABLE IF NOT EXISTS facets{suffix} (facet TEXT NOT NULL,"
            " value TEXT NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (facet, value, doc))"
            " WITHOUT ROWID"
        ),
        f"CREATE INDEX IF NOT EXISTS ix_facets_doc_{token} ON facets{suffix} (doc, facet, value)",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS fts{suffix} USING fts5({columns}, tokenize='{TOK}')",
        (
            f"CREATE VIRTUAL TABLE IF NOT EXISTS names{suffix} USING fts5(text, doc UNINDEXED,"
            f" lang UNINDEXED, kind UNINDEXED, display UNINDEXED, tokenize='{TOKENIZER}',"
            " prefix='2 3')"
        ),
    ]


VERSIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS versions (key TEXT PRIMARY KEY, version INTEGER NOT NULL)"
    " WITHOUT ROWID"
)
# One row: a number every write transaction that changes the index raises, so what a
# process keeps in memory about the index (embedded_facets) knows when it is stale.
GENERATION_DDL = (
    "CREATE TABLE IF NOT EXISTS generation (id INTEGER PRIMARY KEY CHECK (id = 1),"
    " value INTEGER NOT NULL)"
)


class Store:
    """Connections to one index file: one per thread, and new ones after a fork."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        pid, connection = getattr(self._local, "connection", (None, None))
        if connection is None or pid != os.getpid():
            connection = self._connect()
            self._local.connection = (os.getpid(), connection)
        return connection

    def close(self) -> None:
        pid, connection = getattr(self._local, "connection", (None, None))
        if connection is not None and pid == os.getpid():
            connection.close()
        self._local.connection = (None, None)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun here, by name (BEGIN IMMEDIATE).
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        connection.create_function("haversine_km", 4, haversine_km, deterministic=True)
        if not _has_schema(connection):
            with write(connection):
                for statement in [*schema(), VERSIONS_DDL, GENERATION_DDL]:
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif schema_version(connection) < SCHEMA_VERSION:
            _upgrade(connection)
        return connection


def _has_schema(connection: sqlite3.Connection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('docs', 'fts', 'versions')"
    ).fetchone()[0]
    return bool(found == 3)


def schema_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def _upgrade(connection: sqlite3.Connection) -> None:
    """Bring a file of an older layout to ``SCHEMA_VERSION``, keeping what it holds.

    Every process opening the file may try at once: the first to take the write lock
    upgrades it, the others find it done. The rowids stay, so the FTS5, facet and name
    tables and every process's arrays in memory (embedded_facets) remain valid.
    """
    with write(connection):
        if schema_version(connection) >= SCHEMA_VERSION:
            return
        connection.execute(GENERATION_DDL)  # files from before the generation table
        for table in TABLES:
            connection.execute(f"DROP TABLE IF EXISTS {table}{NEXT}")  # a failed rebuild's
        connection.execute(stored_schema())
        connection.execute("INSERT INTO stored (rowid, data) SELECT rowid, data FROM docs")
        for statement in docs_schema(NEXT):
            connection.execute(statement)
        columns = "rowid, key, type, version, lat, lon, starts_on, ends_on, sort_title"
        connection.execute(f"INSERT INTO docs{NEXT} ({columns}) SELECT {columns} FROM docs")  # noqa: S608 - our names
        connection.execute("DROP TABLE docs")
        connection.execute(f"ALTER TABLE docs{NEXT} RENAME TO docs")
        connection.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def generation(connection: sqlite3.Connection) -> int:
    """The index's generation, as this connection's transaction sees it."""
    row = connection.execute("SELECT value FROM generation WHERE id = 1").fetchone()
    return 0 if row is None else int(row[0])


def next_generation(connection: sqlite3.Connection) -> None:
    """Mark the index changed (call inside the write transaction that changes it)."""
    connection.execute(
        "INSERT INTO generation (id, value) VALUES (1, 1)"
        " ON CONFLICT (id) DO UPDATE SET value = value + 1"
    )


class write:  # noqa: N801 - used as a statement: ``with write(connection):``
    """One write transaction, taking the file's write lock at once (no upgrade dead-lock)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


class read:  # noqa: N801 - used as a statement: ``with read(connection):``
    """One read transaction: every statement in it sees the same snapshot."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN")
        return self.connection

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.connection.execute("ROLLBACK" if exc_type else "COMMIT")


def stored_version(connection: sqlite3.Connection, key: str) -> int | None:
    row = connection.execute("SELECT version FROM versions WHERE key = ?", (key,)).fetchone()
    return None if row is None else int(row[0])


def remember_version(connection: sqlite3.Connection, key: str, version: int) -> None:
    connection.execute(
        "INSERT INTO versions (key, version) VALUES (?, ?) ON CONFLICT (key)"
        " DO UPDATE SET version = max(version, excluded.version)",
        (key, version),
    )


def remove(connection: sqlite3.Connection, key: str, suffix: str = "") -> None:
    row = connection.execute(f"SELECT rowid FROM docs{suffix} WHERE key = ?", (key,)).fetchone()  # noqa: S608 - suffix is ours
    if row is None:
        return
    for table, column in (
        ("docs", "rowid"),
        ("stored", "rowid"),
        ("facets", "doc"),
        ("fts", "rowid"),
        ("names", "doc"),
    ):
        connection.execute(f"DELETE FROM {table}{suffix} WHERE {column} = ?", row)  # noqa: S608 - names are ours


def put(connection: sqlite3.Connection, document: SearchDocument, suffix: str = "") -> None:
    """Store ``document`` in one set of tables, replacing what its key held."""
    remove(connection, key_of(document.type, document.id), suffix)
    row = doc_row(document)
    names = ", ".join(row)
    marks = ", ".join(f":{name}" for name in row)
    cursor = connection.execute(f"INSERT INTO docs{suffix} ({names}) VALUES ({marks})", row)  # noqa: S608 - names are ours
    rowid = cursor.lastrowid
    connection.execute(
        f"INSERT INTO stored{suffix} (rowid, data) VALUES (?, ?)",  # noqa: S608 - names are ours
        (rowid, encode(document)),
    )
    marks = ", ".join("?" * len(FTS_COLUMNS))
    connection.execute(
        f"INSERT INTO fts{suffix} (rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, {marks})",  # noqa: S608 - names are ours
        (rowid, *fts_values(document)),
    )
    connection.executemany(
        f"INSERT INTO facets{suffix} (facet, value, doc) VALUES (?, ?, ?)",  # noqa: S608 - names are ours
        [(facet, value, rowid) for facet, value in facet_rows(document)],
    )
    connection.executemany(
        f"INSERT INTO names{suffix} (text, doc, lang, kind, display) VALUES (?, ?, ?, ?, ?)",  # noqa: S608 - names are ours
        [(n.indexed, rowid, n.lang, n.rank, n.text) for n in suggest_names(document)],
    )
