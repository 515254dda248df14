"""The transactional outbox: what must leave the system, written with the change itself.

A feature that changes something others must hear about (a stay the police must
receive, a page the search index must show) adds an ``OutboxMessage`` in the same
transaction as the change. If the transaction rolls back, the message never existed;
if it commits, a worker delivers it afterwards. Nothing is ever sent before the commit.

A message is generic: a ``kind`` that names its handler, a ``payload`` and a ``key``
that is unique and doubles as the receivers' idempotency key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.database import Base, DbSession, enum_type


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    UNVERIFIED = "unverified"
    DEAD = "dead"


class OutboxMessage(Base):
    __tablename__ = "core_outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(
        enum_type(OutboxState), default=OutboxState.QUEUED, index=True
    )
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)


def enqueue(
    session: DbSession, *, kind: str, key: str, payload: dict[str, Any], now: dt.datetime
) -> OutboxMessage:
    """Add a message to the caller's transaction; it is due at once."""
    message = OutboxMessage(
        kind=kind,
        key=key,
        payload=payload,
        state=OutboxState.QUEUED,
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    session.add(message)
    return message


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt came to, as a handler reports it.

    - ``delivered``: the receiver has it; ``receipt_id`` is its proof.
    - ``rejected``: the receiver refused the content; ``errors`` maps field paths to its
      messages, for a person to fix and resend. Never retried as is.
    - ``retry``: a transient failure (network, 5xx, 408, 429): try again after a backoff.
    - ``unverified``: the outcome is unknown (timeout, lost answer): reconcile or resend
      with the same key, never a fresh one.
    """

    kind: Literal["delivered", "rejected", "retry", "unverified"]
    receipt_id: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    detail: str = ""  # for the evidence log: the error, the status code…


# A handler delivers one message. It runs inside the worker's transaction and must not
# commit; it may read the database to build its payload.
Handler = Callable[[DbSession, OutboxMessage, dt.datetime], Outcome]
