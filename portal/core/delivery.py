"""The outbox's delivery engine: claim what is due, hand it to its handler, record the outcome.

Features register a handler per kind prefix (``register_handler``); workers
(``run_worker``, ``flask feeds work``) then repeat three steps:

1. ``claim_due`` marks a batch ``sending`` under a lease (this worker, until when) in one
   short transaction. On PostgreSQL the rows are picked ``FOR UPDATE SKIP LOCKED``, so
   workers on several machines take different ones; on SQLite every transaction begins
   IMMEDIATE, so claims are serialized. A killed worker's rows are claimed again once
   their lease is over.
2. ``deliver`` calls the handler with no claim transaction open, then records what came
   of it in one short transaction, with an ``OutboxAttempt`` as evidence: delivered;
   rejected; queued again after an exponential backoff with full jitter, or dead after
   ``RetryPolicy.max_attempts``; or unverified, which is never resent on its own (an
   operator replays it, with the same key).
3. A ``CircuitBreaker`` per channel (``portal.core.delivery_worker``) stops calling a
   receiver that keeps failing.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, select, update

from portal.core.database import DbSession, begin_immediate
from portal.core.outbox import (
    Handler,
    HandlerRegistry,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    Outcome,
    StateListener,
    register_handler,
)

__all__ = [
    "DEFAULT_POLICY",
    "RetryPolicy",
    "claim_due",
    "deliver",
    "register_handler",
    "release",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
DETAIL_LIMIT = 2000  # characters of an error kept in the evidence
# Spreads retries over time; nothing secret depends on it.
_JITTER = random.Random()  # noqa: S311


@dataclass(frozen=True)
class RetryPolicy:
    """How transient failures are retried: exponential backoff with full jitter, then dead."""

    base: dt.timedelta = dt.timedelta(seconds=2)
    cap: dt.timedelta = dt.timedelta(minutes=10)
    max_attempts: int = MAX_ATTEMPTS

    def ceiling(self, attempt: int) -> dt.timedelta:
        """The longest wait after the ``attempt``-th try: base * 2^(attempt - 1), at most cap."""
        doublings = min(max(attempt - 1, 0), 40)
        return min(self.cap, self.base * (1 << doublings))

    def backoff(self, attempt: int, rng: random.Random = _JITTER) -> dt.timedelta:
        """A wait drawn evenly from [0, ceiling): workers retrying together spread out."""
        return self.ceiling(attempt) * rng.random()


DEFAULT_POLICY = RetryPolicy()


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

    Due: queued with ``next_attempt_at`` passed, or still ``sending`` with its lease over
    (its worker died: the lost attempt is kept as "abandoned", and a message that has used
    up its attempts that way goes dead rather than take down the next worker too). Only
    kinds a handler of ``channels`` (default: every channel) takes. Returns their ids.
    """
    kinds = registry.kinds_of(registry.channels if channels is None else channels)
    if kinds is None or limit <= 0:
        return []
    try:
        expired = (OutboxMessage.state == OutboxState.SENDING, OutboxMessage.claimed_until <= now)
        stale = _candidates(session, limit, kinds, *expired)
        due = (OutboxMessage.state == OutboxState.QUEUED, OutboxMessage.next_attempt_at <= now)
        fresh = _candidates(session, limit - len(stale), kinds, *due)
        retried = _abandon(session, stale, registry, now=now, max_attempts=max_attempts)
        claimed = [*retried, *fresh]
        _take(session, claimed, registry, worker_id=worker_id, until=now + lease)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return [candidate.id for candidate in claimed]


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
    """Give back claimed messages that were not attempted: queued, due as before; commit."""
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.claimed_by == worker_id,
        )
        .values(
            state=OutboxState.QUEUED,
            claimed_by="",
            claimed_until=None,
            attempts=OutboxMessage.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()


@dataclass(frozen=True)
class _Claim:
    """What identifies one claim of a message: a new claim changes ``attempts``."""

    id: int
    attempts: int
    worker: str


def deliver(
    session: DbSession,
    message_id: int,
    handler: Handler,
    *,
    now: dt.datetime,
    policy: RetryPolicy = DEFAULT_POLICY,
    worker_id: str | None = None,
    on_state: StateListener | None = None,
) -> Outcome | None:
    """Hand one claimed message to ``handler`` and record what came of it; commit.

    The claim is already committed, so no lock is held while the handler talks to its
    receiver. An exception from the handler counts as ``retry``, with the exception as
    the detail. ``on_state`` hears the message's new state in the same transaction.
    Returns the outcome, or None if the message is not this claim's to deliver (not
    ``sending``, another worker's, or its lease is over).
    """
    message = session.get(OutboxMessage, message_id)
    if not _is_claimed(message, worker_id, now):
        session.rollback()
        return None
    assert message is not None  # noqa: S101 - _is_claimed checked it; this tells mypy
    claim = _Claim(message.id, message.attempts, message.claimed_by)
    started = time.monotonic()
    outcome = _attempt(handler, session, message, now)
    duration_ms = round((time.monotonic() - started) * 1000)
    changes = _changes(outcome, claim, now, policy)
    detail = outcome.detail
    if _apply(session, claim, changes):
        session.expire(message)
        if on_state is not None:
            on_state(session, message, changes["state"], now)
    else:
        detail = f"lease lost, outcome not applied; {detail}"
    session.add(
        OutboxAttempt(
            message_id=claim.id,
            at=now,
            worker=claim.worker,
            outcome=outcome.kind,
            detail=detail[:DETAIL_LIMIT],
            duration_ms=duration_ms,
        )
    )
    session.commit()
    return outcome


def _is_claimed(message: OutboxMessage | None, worker_id: str | None, now: dt.datetime) -> bool:
    return (
        message is not None
        and message.state is OutboxState.SENDING
        and (worker_id is None or message.claimed_by == worker_id)
        and message.claimed_until is not None
        and message.claimed_until > now
    )


def _attempt(
    handler: Handler, session: DbSession, message: OutboxMessage, now: dt.datetime
) -> Outcome:
    try:
        return handler(session, message, now)
    except Exception as exc:  # whatever breaks in a handler is one failed attempt
        log.warning("outbox message %s: handler failed", message.id, exc_info=True)
        session.rollback()
        return Outcome("retry", detail=f"{type(exc).__name__}: {exc}")


def _apply(session: DbSession, claim: _Claim, changes: dict[str, Any]) -> bool:
    """Move the message on if it is still this claim's; False if the lease was lost."""
    _lock_for_writing(session)
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.attempts == claim.attempts,
            OutboxMessage.claimed_by == claim.worker,
        )
        .values(claimed_by="", claimed_until=None, **changes)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount:
        return True
    # The lease ran out and another worker took the message over: its attempt decides,
    # and what this handler wrote goes too.
    session.rollback()
    _lock_for_writing(session)
    return False


def _changes(
    outcome: Outcome, claim: _Claim, now: dt.datetime, policy: RetryPolicy
) -> dict[str, Any]:
    """The message's new state after ``outcome``."""
    error = outcome.detail[:DETAIL_LIMIT]
    if outcome.kind == "delivered":
        receipt = outcome.receipt_id[:128]
        return {"state": OutboxState.DELIVERED, "receipt_id": receipt, "delivered_at": now}
    if outcome.kind == "rejected":
        return {"state": OutboxState.REJECTED, "errors": dict(outcome.errors), "last_error": error}
    if outcome.kind == "unverified":
        return {"state": OutboxState.UNVERIFIED, "last_error": error}
    if claim.attempts >= policy.max_attempts:
        return {"state": OutboxState.DEAD, "last_error": error}
    retry_at = now + policy.backoff(claim.attempts)
    return {"state": OutboxState.QUEUED, "next_attempt_at": retry_at, "last_error": error}


def _lock_for_writing(session: DbSession) -> None:
    """On a delivery session over SQLite (see ``delivery_engine``), take the write lock now.

    Its transactions begin at the first write, and pysqlite's busy handler waits in steps of
    up to 100 ms: ``begin_immediate`` waits the way every other transaction here does.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi_connection = connection.connection.driver_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        begin_immediate(dbapi_connection)
