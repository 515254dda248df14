"""Which search backend is configured, and whether it can answer.

The backends themselves arrive with the search feature; until then the health
check reports what the settings choose and whether its engine is there.
"""

from __future__ import annotations

import sqlite3
from typing import Any


def embedded_engine_available() -> bool:
    """The embedded backend needs SQLite built with FTS5."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE VIRTUAL TABLE probe USING fts5(body)")
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()
    return True


def check(elasticsearch_url: str) -> dict[str, Any]:
    if elasticsearch_url:
        # Reported, not probed: the Elasticsearch backend and its client come with search.
        return {"status": "error", "backend": "elasticsearch", "error": "not implemented yet"}
    ok = embedded_engine_available()
    return {"status": "ok" if ok else "error", "backend": "embedded-sqlite-fts5"}
