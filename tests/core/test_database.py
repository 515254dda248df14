import datetime as dt
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, StatementError

from core.audit import AuditEntry
from core.database import configure_sqlite


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(db_session):
    # The test's own connection: another one would wait for the write lock it holds.
    connection = db_session.connection()
    if connection.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1


def test_a_second_writer_waits_for_the_first_instead_of_failing(tmp_path):
    """Two processes' read-then-write transactions: the second waits (BEGIN IMMEDIATE)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    configure_sqlite(engine)
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE t (n INTEGER)")
    first, second = engine.connect(), engine.connect()
    first.begin()
    first.exec_driver_sql("SELECT count(*) FROM t").scalar()
    done = threading.Event()

    def later_writer():
        with second.begin():
            second.exec_driver_sql("SELECT count(*) FROM t").scalar()
            second.exec_driver_sql("INSERT INTO t VALUES (2)")
        done.set()

    thread = threading.Thread(target=later_writer)
    thread.start()
    first.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert not done.wait(0.3)  # still waiting for the first writer's lock
    first.commit()
    thread.join(5)
    assert done.is_set()
    with engine.connect() as check:
        assert check.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2
    first.close()
    second.close()
    engine.dispose()


def test_times_come_back_aware_in_utc(db_session):
    local = dt.datetime(2026, 5, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    entry = AuditEntry(at=local, action="t", actor_label="", target_type="", target_id="")
    db_session.add(entry)
    db_session.commit()
    db_session.expire_all()
    stored = db_session.get(AuditEntry, entry.id)
    assert stored.at == local
    assert stored.at.utcoffset() == dt.timedelta(0)


def test_naive_times_are_refused(db_session):
    db_session.add(AuditEntry(at=dt.datetime(2026, 5, 1, 14, 30), action="t"))  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive datetime"):
        db_session.flush()
    db_session.rollback()


ORPHAN_SESSION = text(
    "INSERT INTO core_login_session (token_hash, user_id, created_at, last_seen_at, address)"
    " VALUES ('x', 999999, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '')"
)


def test_foreign_keys_are_enforced(db_session):
    with pytest.raises(IntegrityError, match=r"(?i)foreign key"):
        db_session.execute(ORPHAN_SESSION)
    db_session.rollback()
