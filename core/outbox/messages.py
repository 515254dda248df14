"""The transactional outbox: what must leave the system, written with the change itself.

A feature that changes something others must hear about (a stay the police must
receive, a page the search index must show) adds an ``OutboxMessage`` in the same
transaction as the change. If the transaction rolls back, the message never existed;
if it commits, a worker delivers it afterwards. Nothing is ever sent before the commit.

A message is generic: a ``kind`` that names its handler, a ``payload`` and a ``key``
that is unique and doubles as the receivers' idempotency key. Features register a
``Handler`` for a kind prefix (``register_handler``); ``core.outbox.delivery`` runs
them. Operators see ``delivery_status`` and ``replay`` what was given up on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, Literal, cast

from flask import Flask
from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Insert,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.database import Base, DbSession, enum_type

HANDLERS = "outbox_handlers"  # the handler registry's key in app.extensions
CHANNEL_LENGTH = 32


class OutboxState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    DELIVERED = "delivered"
    REJECTED = "rejected"
    UNVERIFIED = "unverified"
    DEAD = "dead"


class OutboxMessage(Base):
    __tablename__ = "core_outbox_message"
    # What a worker asks for: "queued and due, oldest first" (and "sending, lease over",
    # "unverified and due again").
    __table_args__ = (Index("ix_core_outbox_message_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[OutboxState] = mapped_column(enum_type(OutboxState), default=OutboxState.QUEUED)
    created_at: Mapped[dt.datetime]
    next_attempt_at: Mapped[dt.datetime]
    # How many times a worker took it (a claim counts: a worker killed mid-delivery did try).
    attempts: Mapped[int] = mapped_column(default=0)
    # The channel of the handler that took it ("" until a worker claims it).
    channel: Mapped[str] = mapped_column(String(CHANNEL_LENGTH), default="", server_default="")
    # The lease: while ``sending``, the worker delivering it and until when it may.
    claimed_by: Mapped[str] = mapped_column(String(128), default="", server_default="")
    claimed_until: Mapped[dt.datetime | None]
    receipt_id: Mapped[str] = mapped_column(String(128), default="", server_default="")
    delivered_at: Mapped[dt.datetime | None]
    # A rejection's per-field errors, for a person to fix and resend.
    errors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    last_error: Mapped[str] = mapped_column(Text, default="", server_default="")


class OutboxAttempt(Base):
    """One delivery attempt, kept as evidence: when, by whom, what came of it, how long."""

    __tablename__ = "core_outbox_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("core_outbox_message.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    worker: Mapped[str] = mapped_column(String(128), default="")
    # An Outcome's kind, or "abandoned": the worker stopped before it could tell.
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(default=0)


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


def enqueue_all(
    session: DbSession, messages: Sequence[tuple[str, str, dict[str, Any]]], *, now: dt.datetime
) -> None:
    """Add ``(kind, key, payload)`` messages to the caller's transaction, each due at once.

    The same rows as ``enqueue``'s, written by one INSERT when called, for a caller that
    needs no message back: ORM objects would wait for a flush of their own at the
    commit (0.4 ms a declaration, against 0.1 ms).
    """
    if messages:
        rows = [
            {"kind": kind, "key": key, "payload": payload, "state": OutboxState.QUEUED}
            | {"created_at": now, "next_attempt_at": now, "attempts": 0}
            for kind, key, payload in messages
        ]
        session.execute(_insert_messages(), rows)


@cache
def _insert_messages() -> Insert:
    return insert(cast(Table, OutboxMessage.__table__))  # the table's: no ORM bulk insert


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


# A handler delivers one message. It reads the database to build its payload and writes
# nothing: its transaction is rolled back once it returns (on SQLite its reads take no
# lock, so a slow receiver never holds up a declaration). What a feature keeps about a
# delivery, it writes from a state listener, in the transaction that records the outcome.
Handler = Callable[[DbSession, OutboxMessage, dt.datetime], Outcome]

# Told of each new state of a message (after an attempt, or a replay) in the transaction
# that records it, so a feature can show it on its own records (a guest's report status).
StateListener = Callable[[DbSession, OutboxMessage, OutboxState, dt.datetime], None]


@dataclass(frozen=True)
class Route:
    prefix: str
    handler: Handler
    channel: str
    # The receiver de-duplicates by key: an unverified message may be resent on its own.
    resend_unverified: bool = False


class HandlerRegistry:
    """Which handler takes which kinds: the longest registered prefix of a kind wins."""

    def __init__(self) -> None:
        self._routes: dict[str, Route] = {}
        self._listeners: list[StateListener] = []

    def listen(self, listener: StateListener) -> None:
        self._listeners.append(listener)

    def notify(
        self, session: DbSession, message: OutboxMessage, state: OutboxState, now: dt.datetime
    ) -> None:
        """Tell every listener that ``message`` is now in ``state``."""
        for listener in self._listeners:
            listener(session, message, state, now)

    def add(
        self, prefix: str, handler: Handler, channel: str, *, resend_unverified: bool = False
    ) -> None:
        if not 0 < len(channel) <= CHANNEL_LENGTH:
            raise ValueError(f"a channel name has 1 to {CHANNEL_LENGTH} characters: {channel!r}")
        if prefix in self._routes:
            raise ValueError(f"an outbox handler is already registered for {prefix!r}")
        self._routes[prefix] = Route(prefix, handler, channel, resend_unverified)

    def route_for(self, kind: str) -> Route | None:
        matching = [route for prefix, route in self._routes.items() if kind.startswith(prefix)]
        return max(matching, key=lambda route: len(route.prefix), default=None)

    def channel_of(self, kind: str) -> str | None:
        route = self.route_for(kind)
        return route.channel if route else None

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(route.channel for route in self._routes.values())

    def kinds_of(
        self, channels: Collection[str], *, resending: bool = False
    ) -> ColumnElement[bool] | None:
        """SQL for "a handler of one of ``channels`` takes this message" (None: none can).

        With ``resending``, only the handlers whose receiver de-duplicates by key. A kind
        belongs to a route when the route's prefix is its longest registered one: it
        starts with the prefix and with none of the longer prefixes that extend it.
        """
        terms = [
            and_(
                _starts_with(route.prefix),
                *(not_(_starts_with(other)) for other in self._extensions_of(route.prefix)),
            )
            for route in self._routes.values()
            if route.channel in channels and (route.resend_unverified or not resending)
        ]
        return or_(*terms) if terms else None

    def _extensions_of(self, prefix: str) -> list[str]:
        return [other for other in self._routes if other != prefix and other.startswith(prefix)]


def _starts_with(prefix: str) -> ColumnElement[bool]:
    # Not LIKE: SQLite's LIKE ignores case, and "_" in a prefix would be a wildcard.
    return func.substr(OutboxMessage.kind, 1, len(prefix)) == prefix


def register_handler(
    app: Flask,
    kind_prefix: str,
    handler: Handler,
    *,
    channel: str,
    resend_unverified: bool = False,
) -> None:
    """Let ``handler`` deliver the messages whose kind starts with ``kind_prefix``.

    ``channel`` names the receiver behind it: status is counted and the circuit breaker
    trips per channel. A message no handler takes stays queued (``status`` shows it).

    ``resend_unverified`` says the receiver de-duplicates by the message's key: a message
    whose outcome is unknown (``unverified``) is then due again after a backoff and sent
    again with the same key, so it still arrives before its deadline. Without it, an
    unverified message waits for an operator to reconcile or replay it: resending to a
    receiver that does not de-duplicate could record the report twice.
    """
    handlers_of(app).add(kind_prefix, handler, channel, resend_unverified=resend_unverified)


def register_state_listener(app: Flask, listener: StateListener) -> None:
    """Call ``listener`` whenever a worker or a replay moves a message to a new state."""
    handlers_of(app).listen(listener)


def handlers_of(app: Flask) -> HandlerRegistry:
    registry: HandlerRegistry = app.extensions.setdefault(HANDLERS, HandlerRegistry())
    return registry


class ReplayError(Exception):
    """The message cannot be replayed: unknown, or not in a state an operator may replay."""


# What an operator may send again: given up on, unknown outcome, or refused (after a fix).
REPLAYABLE = (OutboxState.DEAD, OutboxState.UNVERIFIED, OutboxState.REJECTED)
WAITING = (OutboxState.QUEUED, OutboxState.SENDING)


def replay(
    session: DbSession,
    message: OutboxMessage,
    *,
    now: dt.datetime,
    actor_label: str,
    actor_id: int | None = None,
    on_state: StateListener | None = None,
) -> None:
    """Queue a finished message again with the SAME key, attempts reset; audit-logged.

    The same key is the point: a receiver that did get an unverified delivery recognises
    the resend as the report it already holds instead of recording a second one.
    """
    if message.state not in REPLAYABLE:
        raise ReplayError(f"message {message.id} is {message.state.value}, not replayable")
    previous = message.state
    message.state = OutboxState.QUEUED
    message.attempts = 0
    message.next_attempt_at = now
    message.claimed_by = ""
    message.claimed_until = None
    message.errors = {}
    audit.record(
        session,
        action="outbox.replay",
        now=now,
        actor_id=actor_id,
        actor_label=actor_label,
        target_type="outbox_message",
        target_id=message.id,
        detail={"kind": message.kind, "key": message.key, "from": previous.value},
    )
    if on_state is not None:
        on_state(session, message, OutboxState.QUEUED, now)


def replay_message(
    session: DbSession,
    message_id: int,
    *,
    now: dt.datetime,
    actor_label: str,
    on_state: StateListener | None = None,
) -> OutboxMessage:
    """Replay one message by id (see ``replay``); raises ``ReplayError``."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise ReplayError(f"no outbox message {message_id}")
    replay(session, message, now=now, actor_label=actor_label, on_state=on_state)
    return message


def replay_all(
    session: DbSession,
    state: OutboxState,
    *,
    now: dt.datetime,
    actor_label: str,
    on_state: StateListener | None = None,
) -> int:
    """Replay every message in ``state`` (dead or unverified); return how many."""
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.state == state).order_by(OutboxMessage.id)
    ).all()
    for message in messages:
        replay(session, message, now=now, actor_label=actor_label, on_state=on_state)
    return len(messages)


@dataclass(frozen=True)
class ChannelStatus:
    """How one channel's messages stand. ``channel`` is "" for kinds no handler takes."""

    channel: str
    kinds: tuple[str, ...]
    counts: dict[OutboxState, int]
    # When the oldest message still waiting (queued or sending) was written.
    oldest_waiting_since: dt.datetime | None


def delivery_status(
    session: DbSession, channel_of: Callable[[str], str | None]
) -> list[ChannelStatus]:
    """Counts per channel and state; ``channel_of`` names the channel that takes a kind."""
    rows = session.execute(
        select(
            OutboxMessage.channel,
            OutboxMessage.kind,
            OutboxMessage.state,
            func.count(),
            func.min(OutboxMessage.created_at),
        ).group_by(OutboxMessage.channel, OutboxMessage.kind, OutboxMessage.state)
    ).all()
    kinds: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, Counter[OutboxState]] = defaultdict(Counter)
    oldest: dict[str, dt.datetime] = {}
    for stored_channel, kind, state, count, first in rows:
        channel = stored_channel or channel_of(kind) or ""
        kinds[channel].add(kind)
        counts[channel][state] += count
        if state in WAITING and (channel not in oldest or first < oldest[channel]):
            oldest[channel] = first
    return [
        ChannelStatus(
            channel=channel,
            kinds=tuple(sorted(kinds[channel])),
            counts=dict(counts[channel]),
            oldest_waiting_since=oldest.get(channel),
        )
        for channel in sorted(counts)
    ]
