"""The outbox's delivery engine: claim what is due, hand it to its handler, record the outcome.

Features register a handler per kind prefix (``register_handler``); workers
(``run_worker``, ``flask outbox work``) then repeat three steps:

1. ``claim_due`` (``core.outbox.claims``) marks a batch ``sending`` under a
   lease; a killed worker's messages are claimed again once their lease is over.
2. ``attempt`` calls the handler with no claim transaction open; ``record`` then keeps
   what came of it (of several attempts at once) in one short transaction, with an
   ``OutboxAttempt`` each as evidence (``deliver`` does both for one message): delivered;
   rejected; queued again after an exponential backoff with full jitter, or dead after
   ``RetryPolicy.max_attempts``; or unverified. An unverified message is due again after
   the same backoff if its receiver de-duplicates by key (``resend_unverified``): it is
   resent with the same key and stays unverified until an attempt decides. Otherwise,
   or once its attempts are used up, it waits for an operator to replay it.
3. A ``CircuitBreaker`` per channel (``core.outbox.worker``) stops calling a
   receiver that keeps failing.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from core.database import DbSession, begin_immediate
from core.outbox.claims import MAX_ATTEMPTS, claim_due, release
from core.outbox.messages import (
    Handler,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    Outcome,
    StateListener,
    register_handler,
)

__all__ = [
    "DEFAULT_POLICY",
    "MAX_ATTEMPTS",
    "Attempted",
    "RetryPolicy",
    "attempt",
    "claim_due",
    "deliver",
    "record",
    "register_handler",
    "release",
]

log = logging.getLogger(__name__)

MESSAGES: Table = OutboxMessage.__table__  # type: ignore[assignment]  # a Table, as declared
ATTEMPTS: Table = OutboxAttempt.__table__  # type: ignore[assignment]

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
class _Claim:
    """What identifies one claim of a message: a new claim changes ``attempts``."""

    id: int
    attempts: int
    worker: str


@dataclass(frozen=True)
class Attempted:
    """A message its handler has had, the outcome not yet recorded (``record``)."""

    claim: _Claim
    outcome: Outcome
    at: dt.datetime
    duration_ms: int


def attempt(
    session: DbSession,
    message_id: int,
    handler: Handler,
    *,
    now: dt.datetime,
    worker_id: str | None = None,
) -> Attempted | None:
    """Hand one claimed message to ``handler``; ``record`` keeps what came of it.

    The claim is already committed, so no lock is held while the handler talks to its
    receiver. An exception from the handler counts as ``retry``, with the exception as
    the detail. Handlers only read: what one changed in the session is rolled back.
    Returns None if the message is not this claim's to deliver (not ``sending``,
    another worker's, or its lease is over).
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
    if session.new or session.dirty or session.deleted:
        log.warning("outbox message %s: its handler changed data; rolled back", message.id)
        session.rollback()
    return Attempted(claim, outcome, now, duration_ms)


def record(
    session: DbSession,
    attempted: Sequence[Attempted],
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    on_state: StateListener | None = None,
) -> None:
    """Keep what came of ``attempted`` and the evidence, in one transaction; commit.

    A message moves on only if it is still its claim's: if its lease ran out and another
    worker took it over, that worker's attempt decides (the evidence says so). Recording
    a batch at once spares a transaction per message; a worker killed before it records
    leaves its messages to be claimed again once their lease is over, and sent again
    with the same key. ``on_state`` hears each message's new state, in the transaction.
    """
    if not attempted:
        return
    ids = [one.claim.id for one in attempted]
    # One read for the batch (none if the attempts left them loaded), before the lock.
    loaded = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    messages = {message.id: message for message in loaded}
    _lock_for_writing(session)
    evidence = []
    for one in attempted:
        message = messages[one.claim.id]
        changes = _changes(one.outcome, one.claim, one.at, policy)
        detail = one.outcome.detail
        if _apply(session, message, one.claim, changes):
            if on_state is not None:
                on_state(session, message, changes["state"], one.at)
        else:
            detail = f"lease lost, outcome not applied; {detail}"
        evidence.append(
            {
                "message_id": one.claim.id,
                "at": one.at,
                "worker": one.claim.worker,
                "outcome": one.outcome.kind,
                "detail": detail[:DETAIL_LIMIT],
                "duration_ms": one.duration_ms,
            }
        )
    session.execute(insert(ATTEMPTS), evidence)
    session.commit()


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
    """``attempt`` one claimed message and ``record`` its outcome at once; commit.

    Returns the outcome, or None if the message is not this claim's to deliver.
    """
    attempted = attempt(session, message_id, handler, now=now, worker_id=worker_id)
    if attempted is None:
        return None
    record(session, [attempted], policy=policy, on_state=on_state)
    return attempted.outcome


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


def _apply(
    session: DbSession, message: OutboxMessage, claim: _Claim, changes: dict[str, Any]
) -> bool:
    """Move the message on if it is still this claim's; False if the lease was lost.

    ``message`` then shows the values written, as if read back (one query less).
    """
    # Core statements on the tables: the ORM's are costlier, and once per message counts.
    values = {"claimed_by": "", "claimed_until": None, **changes}
    result = session.execute(
        update(MESSAGES)
        .where(
            MESSAGES.c.id == claim.id,
            MESSAGES.c.state == OutboxState.SENDING,
            MESSAGES.c.attempts == claim.attempts,
            MESSAGES.c.claimed_by == claim.worker,
        )
        .values(values)
    )
    if not cast("CursorResult[Any]", result).rowcount:
        return False
    for name, value in values.items():
        set_committed_value(message, name, value)
    return True


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
    retry_at = now + policy.backoff(claim.attempts)
    if outcome.kind == "unverified":
        # Unverified until the next attempt decides. ``claim_due`` takes it again after
        # the backoff only if its receiver de-duplicates and it has attempts left.
        return {"state": OutboxState.UNVERIFIED, "next_attempt_at": retry_at, "last_error": error}
    if claim.attempts >= policy.max_attempts:
        return {"state": OutboxState.DEAD, "last_error": error}
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
