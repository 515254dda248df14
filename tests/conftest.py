"""Test set-up: one app per run on SQLite (or PostgreSQL), each test rolled back.

``pytest`` runs on a fresh SQLite file; ``pytest --database-url URL`` runs the
same tests on another database (``make test`` passes ``TEST_DATABASE_URL``).
The schema always comes from the migrations, so they are tested too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, scoped_session

from core.database import session_info
from core.extensions import db, limiter
from core.settings import Settings
from portal import create_app
from tests.smtp_server import Inbox, free_port, smtp_server

TEST_SECRET = "test-secret-key-0123456789abcdef-not-for-production"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the catalogs as `make` does, so a bare `pytest` sees the same pages."""
    for po in (Path(__file__).parent.parent / "translations").glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database-url", default="", help="run on this database instead of SQLite")


def reset_postgresql(url: str) -> None:
    """Start from an empty schema: the migrations must build everything."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_settings(instance: Path, database_url: str = "") -> Settings:
    return Settings(
        environment="test",
        instance_path=str(instance),
        database_url=database_url,
        secret_key=TEST_SECRET,
    ).resolved()


@pytest.fixture(scope="session")
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    url = request.config.getoption("--database-url")
    settings = make_settings(tmp_path_factory.mktemp("instance"), url)
    # The portal's e-mail goes to the port the ``inbox`` fixture serves, when it does.
    settings = settings.with_overrides(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_timeout=2.0
    )
    if url:
        reset_postgresql(settings.database_url)
    return settings


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


class _RequestScopedSession(scoped_session[Session]):
    """The test's session, which outlives each request's teardown.

    Flask-SQLAlchemy calls ``remove()`` when a request ends; here that expires
    what the session holds (the next read sees the database, as a new request
    would) instead of closing it and detaching the test's objects.
    """

    def remove(self) -> None:
        self.registry().expire_all()


@pytest.fixture(autouse=True)
def db_session(app: Flask) -> Iterator[Session]:
    """Everything a test writes is rolled back: requests commit into a savepoint.

    No application context stays pushed during the test: each request must get
    its own, as in production (``g`` and the locale are per request).
    """
    with app.app_context():
        engine = db.engine
        limiter.reset()
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", info=dict(session_info(app))
    )
    original = db.session
    db.session = _RequestScopedSession(lambda: session)  # type: ignore[arg-type,assignment]
    try:
        yield session
    finally:
        db.session = original
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def inbox(settings: Settings) -> Iterator[Inbox]:
    """A real SMTP server where the portal sends its e-mail, for one test."""
    received = Inbox()
    with smtp_server(received, port=settings.smtp_port):
        yield received
