"""The delivery worker: a loop over ``claim_due``, ``attempt`` and ``record``, with a breaker.

One worker delivers one message at a time, and records the outcomes of a batch together
(one transaction, not one per message); run several (threads, processes, machines)
for more. ``flask outbox work`` runs one until SIGTERM or SIGINT, which let the delivery
under way finish, hand back what was claimed but not started, and exit.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.database import WRITE_LOCK_TIMEOUT_S
from core.extensions import db
from core.outbox.delivery import (
    DEFAULT_POLICY,
    Attempted,
    RetryPolicy,
    attempt,
    claim_due,
    record,
    release,
)
from core.outbox.messages import HandlerRegistry, OutboxMessage, handlers_of
from core.outbox.periodic import PeriodicRunner, periodic_tasks

log = logging.getLogger(__name__)

DEFAULT_LEASE = dt.timedelta(minutes=5)
DEFAULT_COOLDOWN = dt.timedelta(seconds=30)
# The longest an outcome waits to be recorded with others of its batch (and, at most, half
# the lease: an outcome recorded after its lease is over is lost, and the message resent).
RECORD_WITHIN = dt.timedelta(seconds=1)
FAILURES = ("retry", "unverified")
# The wait after a pass that failed (the database locked or gone...): up to 1 s after the
# first failure, doubling to a minute, with full jitter so that restarted workers spread.
ERROR_BACKOFF = RetryPolicy(base=dt.timedelta(seconds=1), cap=dt.timedelta(minutes=1))


class CircuitState(StrEnum):
    CLOSED = "closed"  # messages flow
    OPEN = "open"  # the receiver keeps failing: its messages wait, untouched
    HALF_OPEN = "half-open"  # the cool-down is over: one message probes the receiver


@dataclass
class _Circuit:
    failures: int = 0
    open_until: dt.datetime | None = None
    probing: bool = False


class CircuitBreaker:
    """Per channel, in one worker: stop calling a receiver that keeps failing.

    After ``threshold`` consecutive failures (retry or unverified) the channel opens: its
    messages stay queued, neither claimed nor attempted, for ``cooldown``. Then one
    message is let through as a probe: an answer (delivered, or even rejected: the
    receiver is up) closes the channel; another failure opens it for another cool-down.
    """

    def __init__(self, *, threshold: int = 5, cooldown: dt.timedelta = DEFAULT_COOLDOWN) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._circuits: dict[str, _Circuit] = {}

    def state(self, channel: str, now: dt.datetime) -> CircuitState:
        circuit = self._circuits.get(channel)
        if circuit is None or circuit.open_until is None:
            return CircuitState.CLOSED
        if circuit.probing or now < circuit.open_until:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def admit(self, channel: str, now: dt.datetime) -> bool:
        """May a message of ``channel`` be attempted now? When half-open, only the first."""
        state = self.state(channel, now)
        if state is CircuitState.HALF_OPEN:
            self._circuits[channel].probing = True
        return state is not CircuitState.OPEN

    def record(self, channel: str, outcome: str, now: dt.datetime) -> None:
        if outcome not in FAILURES:
            self._circuits.pop(channel, None)
            return
        circuit = self._circuits.setdefault(channel, _Circuit())
        circuit.failures += 1
        if circuit.probing or circuit.failures >= self.threshold:
            if circuit.open_until is None or circuit.probing:
                log.warning("channel %s: circuit open for %s", channel, self.cooldown)
            circuit.open_until = now + self.cooldown
            circuit.probing = False


@dataclass
class Worker:
    """One worker's loop state: its two sessions, its breaker and what it has done."""

    registry: HandlerRegistry
    worker_id: str
    stop: threading.Event
    claims: Session  # the app's engine: claims must be serialized on SQLite
    deliveries: Session  # see delivery_engine
    policy: RetryPolicy = DEFAULT_POLICY
    lease: dt.timedelta = DEFAULT_LEASE
    batch: int = 20
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    clock: Callable[[], dt.datetime] = utcnow
    outcomes: Counter[str] = field(default_factory=Counter)
    periodic: PeriodicRunner = field(default_factory=lambda: PeriodicRunner(()))

    def run(self, *, drain: bool, poll_interval: float) -> None:
        """Deliver until stopped; with ``drain``, also stop once nothing is due.

        The periodic tasks run first (their alerts may be due at once), then as due.
        """
        failures = 0
        while not self.stop.is_set():
            try:
                self.periodic.run_due(self.claims, self.clock())
                claimed = self.step()
            # Whatever failed (a held lock raises sqlite3's own error, not SQLAlchemy's; a
            # listener may have a bug), the next pass may work: a stopped worker stops every
            # report. KeyboardInterrupt and SystemExit are not Exceptions: they still stop it.
            except Exception:
                if drain:
                    raise
                failures += 1
                log.exception("delivery worker %s: pass failed, trying again", self.worker_id)
                self._start_afresh()
                self.stop.wait(ERROR_BACKOFF.backoff(failures).total_seconds())
                continue
            failures = 0
            if claimed:
                continue
            if drain:
                return
            self.stop.wait(poll_interval)

    def _start_afresh(self) -> None:
        """Drop both sessions' transactions (and their connections, if even that fails)."""
        for session in (self.claims, self.deliveries):
            try:
                session.rollback()
            except Exception:  # the connection is gone: the next pass takes another one
                log.exception("delivery worker %s: rollback failed", self.worker_id)
                session.invalidate()

    def step(self) -> int:
        """Claim one batch and deliver it; return how many messages were claimed."""
        ids = self._claim(self.clock())
        if not ids:
            return 0
        # Loaded in one read and held until recorded: each attempt finds its message here.
        claimed = self.deliveries.scalars(
            select(OutboxMessage).where(OutboxMessage.id.in_(ids))
        ).all()
        kinds = {message.id: message.kind for message in claimed}
        outcomes = _Unrecorded(self)
        not_attempted = [m for m in ids if not self._deliver(m, kinds, outcomes)]
        outcomes.record()
        if not_attempted:
            release(self.claims, not_attempted, worker_id=self.worker_id)
        return len(ids)

    def _claim(self, now: dt.datetime) -> list[int]:
        """A batch from the closed channels, and one probe per half-open channel."""
        states = {channel: self.breaker.state(channel, now) for channel in self.registry.channels}
        closed = [channel for channel, state in states.items() if state is CircuitState.CLOSED]
        probing = [channel for channel, state in states.items() if state is CircuitState.HALF_OPEN]
        ids = self._claim_from(closed, self.batch, now)
        for channel in probing:
            ids += self._claim_from([channel], 1, now)
        return ids

    def _claim_from(self, channels: list[str], limit: int, now: dt.datetime) -> list[int]:
        return claim_due(
            self.claims,
            now=now,
            worker_id=self.worker_id,
            lease=self.lease,
            limit=limit,
            registry=self.registry,
            channels=channels,
            max_attempts=self.policy.max_attempts,
        )

    def _deliver(self, message_id: int, kinds: dict[int, str], outcomes: _Unrecorded) -> bool:
        """Attempt one claimed message, unless stopping or its channel is open (then False).

        Outcomes to a receiver that de-duplicates are recorded in groups (at the end of the
        batch, or once the oldest is ``RECORD_WITHIN`` old); others at once, so that a
        killed worker cannot leave one to be sent twice.
        """
        route = self.registry.route_for(kinds.get(message_id, ""))
        now = self.clock()
        if self.stop.is_set() or route is None or not self.breaker.admit(route.channel, now):
            return False
        outcomes.record_if_due()
        attempted = attempt(
            self.deliveries, message_id, route.handler, now=now, worker_id=self.worker_id
        )
        if attempted is not None:
            self.breaker.record(route.channel, attempted.outcome.kind, self.clock())
            self.outcomes[attempted.outcome.kind] += 1
            outcomes.add(attempted, at_once=not route.resend_unverified)
        return True


@dataclass
class _Unrecorded:
    """Outcomes attempted but not yet recorded, and when they must be at the latest."""

    worker: Worker
    attempted: list[Attempted] = field(default_factory=list)
    due: dt.datetime | None = None

    def add(self, attempted: Attempted, *, at_once: bool) -> None:
        if not self.attempted:
            window = min(RECORD_WITHIN, self.worker.lease / 2)
            self.due = self.worker.clock() + window
        self.attempted.append(attempted)
        if at_once:
            self.record()
        else:
            self.record_if_due()

    def record_if_due(self) -> None:
        if self.due is not None and self.worker.clock() >= self.due:
            self.record()

    def record(self) -> None:
        """Record what was attempted (if anything) in one transaction."""
        worker = self.worker
        record(
            worker.deliveries,
            self.attempted,
            policy=worker.policy,
            on_state=worker.registry.notify,
        )
        self.attempted.clear()
        self.due = None


def run_worker(
    app: Flask,
    *,
    drain: bool,
    worker_id: str,
    stop: threading.Event,
    policy: RetryPolicy = DEFAULT_POLICY,
    poll_interval: float = 1.0,
    lease: dt.timedelta = DEFAULT_LEASE,
    batch: int = 20,
    breaker: CircuitBreaker | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
) -> Counter[str]:
    """Deliver ``app``'s outbox until ``stop`` is set (with ``drain``: until none is due).

    Setting ``stop`` lets the delivery under way finish; what was claimed but not yet
    attempted is handed back at once. Returns how many attempts came to each outcome.
    """
    with (
        app.app_context(),
        delivery_engine(db.engine) as deliveries_engine,
        Session(db.engine) as claims,
        Session(deliveries_engine) as deliveries,
    ):
        worker = Worker(
            handlers_of(app),
            worker_id,
            stop,
            claims,
            deliveries,
            policy=policy,
            lease=lease,
            batch=batch,
            breaker=breaker or CircuitBreaker(),
            clock=clock,
            periodic=PeriodicRunner(periodic_tasks(app)),
        )
        worker.run(drain=drain, poll_interval=poll_interval)
    return worker.outcomes


@contextmanager
def delivery_engine(engine: Engine) -> Iterator[Engine]:
    """The engine deliveries run on: the app's, except on SQLite a sibling of it.

    The app begins every SQLite transaction IMMEDIATE (``configure_sqlite``), so a
    handler's first read would take the database's only write lock and keep it through
    its network call: every declaration would wait for the receiver. The sibling runs in
    pysqlite's own mode instead, where reads take no lock and a transaction begins at the
    first write: the outcome, recorded once the handler has returned.
    """
    if engine.dialect.name != "sqlite":
        yield engine
        return
    sibling = create_engine(engine.url, connect_args={"timeout": WRITE_LOCK_TIMEOUT_S})
    event.listen(sibling, "connect", _enforce_foreign_keys)
    try:
        yield sibling
    finally:
        sibling.dispose()


def _enforce_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=ON")
