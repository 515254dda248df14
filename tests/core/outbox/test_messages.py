"""The outbox row is part of the change's transaction: both commit, or neither."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.outbox import messages as outbox
from core.outbox.messages import OutboxMessage, OutboxState


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_enqueued_message_is_due_at_once_and_queued(db_session: Session) -> None:
    now = utcnow()
    message = outbox.enqueue(db_session, kind="test.kind", key="k-1", payload={"a": 1}, now=now)
    db_session.commit()
    assert message.state is OutboxState.QUEUED
    assert message.next_attempt_at == now
    assert count(db_session) == 1


def test_rolled_back_change_leaves_no_message(db_session: Session) -> None:
    outbox.enqueue(db_session, kind="test.kind", key="k-2", payload={}, now=utcnow())
    db_session.rollback()
    assert count(db_session) == 0
