import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from core import audit
from core.audit import AuditEntry, AuditLogError
from core.clock import utcnow
from tests.factories import log_in, make_user


def test_sign_in_is_audited_with_who_when_and_from_where(client, db_session):
    user = make_user(db_session)
    log_in(client, user.email)
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "auth.login", AuditEntry.actor_id == user.id)
    )
    assert entry is not None
    assert entry.address == "127.0.0.1"
    assert entry.target_type == "user"
    assert entry.target_id == str(user.id)
    assert (utcnow() - entry.at).total_seconds() < 60


def test_the_orm_refuses_to_change_or_delete_an_entry(db_session):
    entry = audit.record(db_session, action="guest.view", now=utcnow(), target_id="42")
    db_session.commit()
    entry.action = "nothing.happened"
    with pytest.raises(AuditLogError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(entry)
    with pytest.raises(AuditLogError):
        db_session.flush()
    db_session.rollback()


@pytest.mark.parametrize(
    "statement",
    ["UPDATE core_audit_entry SET action = 'x'", "DELETE FROM core_audit_entry"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(db_session, statement):
    audit.record(db_session, action="guest.view", now=utcnow(), target_id="42")
    db_session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db_session.execute(text(statement))
    db_session.rollback()
