"""Which due messages a worker takes, under a lease, and how it gives back what it did not try.

``claim_due`` marks a batch ``sending`` for one worker until its lease is over, in one
short transaction. On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
workers on several machines take different ones; on SQLite every transaction begins
IMMEDIATE, so claims are serialized. A killed worker's rows are claimed again once their
lease is over. ``release`` hands back what a worker claimed but did not attempt.
``core.outbox.delivery`` attempts what was claimed and records the outcomes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update

from core.database import DbSession
from core.outbox.messages import HandlerRegistry, OutboxAttempt, OutboxMessage, OutboxState

MAX_ATTEMPTS = 12


@dataclass(frozen=True)
class _Candidate:
    id: int
    kind: str
    attempts: int
    claimed_by: str


def claim_due(
    session: DbSession,
    *,
    now: dt.datetime,
    worker_id: str,
    lease: dt.timedelta,
    limit: int,
    registry: HandlerRegistry,
    channels: Collection[str] | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> list[int]:
    """Take up to ``limit`` due messages for ``worker_id`` until ``now + lease``; commit.

    Due: queued with ``next_attempt_at`` passed; unverified with ``next_attempt_at``
    passed and attempts left, if its handler resends unverified messages; or still
    ``sending`` with its lease over (its worker died: the lost attempt is kept as
    "abandoned", and a message that has used up its attempts that way goes dead rather
    than take down the next worker too). Only kinds a handler of ``channels`` (default:
    every channel) takes. Returns their ids.
    """
    channels = registry.channels if channels is None else channels
    kinds = registry.kinds_of(channels)
    if kinds is None or limit <= 0:
        return []
    try:
        expired = (OutboxMessage.state == OutboxState.SENDING, OutboxMessage.claimed_until <= now)
        stale = _candidates(session, limit, kinds, *expired)
        resent = _resent(
            session,
            limit=limit - len(stale),
            registry=registry,
            channels=channels,
            now=now,
            max_attempts=max_attempts,
        )
        due = (OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now)
        fresh = _candidates(session, limit - len(stale) - len(resent), kinds, *due)
        retried = _abandon(session, stale, registry, now=now, max_attempts=max_attempts)
        claimed = [*retried, *resent, *fresh]
        _take(session, claimed, registry, worker_id=worker_id, until=now + lease)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return [candidate.id for candidate in claimed]


def _resent(
    session: DbSession,
    *,
    limit: int,
    registry: HandlerRegistry,
    channels: Collection[str],
    now: dt.datetime,
    max_attempts: int,
) -> list[_Candidate]:
    """Unverified messages due again, of the handlers whose receiver de-duplicates."""
    kinds = registry.kinds_of(channels, resending=True)
    if kinds is None:
        return []
    return _candidates(
        session,
        limit,
        kinds,
        OutboxMessage.state == OutboxState.UNVERIFIED,
        OutboxMessage.next_attempt_at <= now,
        OutboxMessage.attempts < max_attempts,
    )


def _candidates(
    session: DbSession, limit: int, *conditions: ColumnElement[bool]
) -> list[_Candidate]:
    if limit <= 0:
        return []
    rows = session.execute(
        select(
            OutboxMessage.id, OutboxMessage.kind, OutboxMessage.attempts, OutboxMessage.claimed_by
        )
        .where(*conditions)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        # PostgreSQL: rows another worker is claiming are skipped, not waited for. SQLite
        # has no row locks (nothing is rendered): its claims are serialized instead.
        .with_for_update(skip_locked=True)
    )
    return [_Candidate(*row) for row in rows]


def _abandon(
    session: DbSession,
    stale: list[_Candidate],
    registry: HandlerRegistry,
    *,
    now: dt.datetime,
    max_attempts: int,
) -> list[_Candidate]:
    """Keep each lost attempt as evidence; return the stale messages that may be retried."""
    retried = []
    for candidate in stale:
        detail = f"{candidate.claimed_by} stopped before recording an outcome (lease over)"
        session.add(
            OutboxAttempt(
                message_id=candidate.id,
                at=now,
                worker=candidate.claimed_by,
                outcome="abandoned",
                detail=detail,
            )
        )
        if candidate.attempts < max_attempts:
            retried.append(candidate)
            continue
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == candidate.id)
            .values(state=OutboxState.DEAD, claimed_by="", claimed_until=None, last_error=detail)
            .execution_options(synchronize_session=False)
        )
        dead = session.get(OutboxMessage, candidate.id, populate_existing=True)
        if dead is not None:
            registry.notify(session, dead, OutboxState.DEAD, now)
    return retried


def _take(
    session: DbSession,
    claimed: list[_Candidate],
    registry: HandlerRegistry,
    *,
    worker_id: str,
    until: dt.datetime,
) -> None:
    by_channel: dict[str, list[int]] = {}
    for candidate in claimed:
        channel = registry.channel_of(candidate.kind) or ""
        by_channel.setdefault(channel, []).append(candidate.id)
    for channel, ids in by_channel.items():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(
                state=OutboxState.SENDING,
                claimed_by=worker_id,
                claimed_until=until,
                attempts=OutboxMessage.attempts + 1,
                channel=channel,
            )
            .execution_options(synchronize_session=False)
        )


def release(session: DbSession, message_ids: Sequence[int], *, worker_id: str) -> None:
    """Give back claimed messages that were not attempted, due as before; commit.

    Each goes back to what it was: unverified if its last attempt was, queued otherwise.
    """
    unverified = set(_last_unverified(session, message_ids))
    for state, ids in (
        (OutboxState.UNVERIFIED, [i for i in message_ids if i in unverified]),
        (OutboxState.QUEUED, [i for i in message_ids if i not in unverified]),
    ):
        if not ids:
            continue
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.state == OutboxState.SENDING,
                OutboxMessage.claimed_by == worker_id,
            )
            .values(
                state=state,
                claimed_by="",
                claimed_until=None,
                attempts=OutboxMessage.attempts - 1,
            )
            .execution_options(synchronize_session=False)
        )
    session.commit()


def _last_unverified(session: DbSession, message_ids: Sequence[int]) -> Sequence[int]:
    """Those of ``message_ids`` whose latest attempt came to "unverified"."""
    latest = (
        select(func.max(OutboxAttempt.id))
        .where(OutboxAttempt.message_id.in_(message_ids))
        .group_by(OutboxAttempt.message_id)
    )
    return session.scalars(
        select(OutboxAttempt.message_id).where(
            OutboxAttempt.id.in_(latest), OutboxAttempt.outcome == "unverified"
        )
    ).all()
