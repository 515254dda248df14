"""A database of a test's own beside the suite's: for tests whose commits other
connections or processes must see (the suite's own tests roll everything back).

On SQLite, a file in the test's folder (the default URL); on PostgreSQL, a schema
of its own first on the search path, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text

from core.extensions import db
from portal import create_app
from tests.conftest import make_settings


def own_schema(url: str, schema: str) -> str:
    """``url`` with a fresh schema of its own first on the search path."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False)


def drop_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@contextmanager
def own_app(
    request: pytest.FixtureRequest, folder: Path, schema: str, **overrides: Any
) -> Iterator[Flask]:
    """A portal on a database of its own (migrated), on the suite's engine; dropped after."""
    suite_url = request.config.getoption("--database-url")
    base_url = make_settings(folder, suite_url).database_url if suite_url else ""
    settings = make_settings(folder, own_schema(base_url, schema) if suite_url else "")
    app = create_app(settings.with_overrides(**overrides) if overrides else settings)
    with app.app_context():
        upgrade()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        if suite_url:
            drop_schema(base_url, schema)
