"""The typed declarative base, the constraint naming convention and engine set-up."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from enum import StrEnum
from typing import Any

import flask_sqlalchemy.session
from flask import Flask, current_app
from sqlalchemy import DateTime, Engine, Enum, MetaData, TypeDecorator, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# How long a transaction waits for another process's write lock before giving up.
WRITE_LOCK_TIMEOUT_S = 5.0

# What services accept: a plain Session (tests, workers) or Flask-SQLAlchemy's scoped one.
DbSession = Session | scoped_session[Any]


def session_info(app: Flask) -> dict[str, Any]:
    """What ``app`` hands every session it opens, as ``Session.info``: its app-scoped registries.

    A service finds them on the session it is given (the stay listeners, say), so it takes
    no app and no global: a session opened outside the app passes ``info=`` itself.
    """
    found: dict[str, Any] = app.extensions.setdefault("session_info", {})
    return found


class AppSession(flask_sqlalchemy.session.Session):
    """Flask-SQLAlchemy's session, opened with the app's ``session_info``."""

    def __init__(self, db: Any, **kwargs: Any) -> None:
        super().__init__(db, **kwargs)
        self.info.update(session_info(current_app))


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC; SQLite hands it back aware too.

    Naive datetimes are refused on the way in: a naive time in a police report
    is a bug waiting for the day the server's clock is not UTC+7.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Every model subclasses this (not ``db.Model``) so mypy sees real types."""

    # One registry object (not per-base settings): Flask-SQLAlchemy copies it as is.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def configure_sqlite(engine: Engine) -> None:
    """WAL, full fsync, foreign keys on, and every transaction begun IMMEDIATE.

    pysqlite's own BEGIN handling defeats SAVEPOINTs and never issues BEGIN
    IMMEDIATE; the documented recipe turns it off and emits BEGIN itself.

    Why IMMEDIATE: our transactions read, then write (a declaration checks its
    idempotency key and rooms first; a page view reads a stay, then audits it). In
    WAL mode a deferred transaction that read before another process committed can
    never write: SQLite fails it at once with "database is locked", and the busy
    timeout does not apply. Taking the write lock at BEGIN makes a second writer wait
    (up to the busy timeout) instead of failing. Readers outside a transaction are
    never blocked; SQLite is the single-machine default, PostgreSQL the scale-out one.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        begin_immediate(connection.connection.driver_connection)


def begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, retried every half millisecond while another writer holds it.

    SQLite's own busy handler would wait too, but in steps of up to 100 ms: a writer
    that just missed the lock sleeps long after it was freed, which is most of the
    tail latency under load. Only BEGIN waits for the lock; the statements after it
    already hold it.
    """
    deadline = time.monotonic() + WRITE_LOCK_TIMEOUT_S
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                dbapi_connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.0005)
            else:
                return
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_TIMEOUT_S * 1000)}")


def enum_type(enum: type[StrEnum], length: int = 16) -> Enum:
    """A ``StrEnum`` stored as its values in a plain string column, read back as the enum.

    No database enum type: adding a member needs no migration.
    """
    return Enum(
        enum, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
