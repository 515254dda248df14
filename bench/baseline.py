"""The yardstick: the smallest Flask endpoint that stores a declaration with one raw insert.

It does what a request to a Flask application must do at the very least (route, parse
the JSON, write one row of a stay and its guest in its own durable transaction, answer
201) and nothing the portal does on top: no checks, no encryption, no history, no
outbox, no authentication, no ORM. The ratio against it is the price of all that.
Served by ``gunicorn bench.baseline:app`` with ``BENCH_BASELINE_DATABASE`` set.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request

DATABASE_VARIABLE = "BENCH_BASELINE_DATABASE"
STAY_COLUMNS = ("establishment_id", "room", "arrival", "expected_departure", "purpose")
GUEST_COLUMNS = (
    "full_name",
    "birth_date",
    "sex",
    "nationality",
    "residence_country",
    "residence_province",
    "document_type",
    "document_number",
    "role",
)
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS declaration (
    id INTEGER PRIMARY KEY,
    {", ".join(f"{name} TEXT NOT NULL" for name in STAY_COLUMNS + GUEST_COLUMNS)},
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""
INSERT = (
    f"INSERT INTO declaration ({', '.join(STAY_COLUMNS + GUEST_COLUMNS)})"  # noqa: S608 - constants
    f" VALUES ({', '.join('?' * len(STAY_COLUMNS + GUEST_COLUMNS))})"
)

# One connection per worker process, opened on its first request (after gunicorn forks).
_connections: dict[int, sqlite3.Connection] = {}


def connect(database: Path) -> sqlite3.Connection:
    """A connection set up as the portal's: WAL, full fsync, transactions we begin."""
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def create_database(database: Path) -> None:
    connection = connect(database)
    try:
        connection.execute(SCHEMA)
    finally:
        connection.close()


def _connection() -> sqlite3.Connection:
    pid = os.getpid()
    if pid not in _connections:
        _connections[pid] = connect(Path(os.environ[DATABASE_VARIABLE]))
    return _connections[pid]


def insert(connection: sqlite3.Connection, declaration: dict[str, Any]) -> int:
    """One stay with its (first) guest as one row, in one committed transaction."""
    guest = declaration["guests"][0]
    values = [str(declaration.get(name, "")) for name in STAY_COLUMNS]
    values += [str(guest.get(name, "")) for name in GUEST_COLUMNS]
    connection.execute("BEGIN IMMEDIATE")
    try:
        row_id = connection.execute(INSERT, values).lastrowid
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return int(row_id or 0)


app = Flask(__name__)


@app.post("/api/v1/establishments/<int:establishment_id>/stays")
def declare(establishment_id: int) -> tuple[Response, int]:
    """POST a declaration as the portal's API takes it; 201 ``{"id": …}``."""
    declaration = request.get_json(silent=True)
    if not isinstance(declaration, dict):
        return jsonify(error="not JSON"), 400
    declaration["establishment_id"] = establishment_id
    return jsonify(id=insert(_connection(), declaration)), 201
