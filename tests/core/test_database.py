import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from portal.core.audit import AuditEntry
from portal.core.extensions import db


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas only")
        with db.engine.connect() as connection:
            pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("journal_mode") == "wal"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("foreign_keys") == 1


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
