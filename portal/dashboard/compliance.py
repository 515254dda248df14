"""Which establishments declare late, which declare nothing, which reports do not arrive.

The department enforces the declaration deadlines per establishment, so these are
counts per establishment and per channel: no guest, no name, no document ever
leaves this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from core.database import DbSession
from core.outbox.messages import ChannelStatus, OutboxState, delivery_status
from lodging.properties.models import Closure, Establishment, EstablishmentStatus
from lodging.registration.models import Guest, Stay, StayStatus

# An establishment open this long without a single declaration is worth a phone call.
SILENCE = dt.timedelta(days=7)
# What a channel's operator must act on: given up, refused, or not known to have arrived.
FAILED_STATES = (OutboxState.DEAD, OutboxState.REJECTED, OutboxState.UNVERIFIED)


@dataclass(frozen=True)
class LateDeclarations:
    """One establishment's guests reported after their deadline, or not yet and overdue."""

    establishment_id: int
    name: str
    commune_code: int
    late: int
    overdue: int
    oldest_deadline_missed: dt.datetime | None


@dataclass(frozen=True)
class SilentEstablishment:
    establishment_id: int
    name: str
    commune_code: int
    last_declared_at: dt.datetime | None


@dataclass(frozen=True)
class ChannelFailures:
    channel: str
    failed: int
    waiting: int
    delivered: int
    oldest_waiting_since: dt.datetime | None


def _scope(ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    return [] if ids is None else [Establishment.id.in_(ids)]


def late_declarations(
    session: DbSession,
    *,
    since: dt.datetime,
    now: dt.datetime,
    establishment_ids: Collection[int] | None = None,
) -> list[LateDeclarations]:
    """Establishments with guests (arrived since ``since``) reported late or overdue at ``now``.

    Late: first delivered after the deadline. Overdue: the deadline has passed and no
    report has been delivered. Worst first.
    """
    late = and_(Guest.reported_at.is_not(None), Guest.reported_at > Guest.deadline)
    overdue = and_(Guest.reported_at.is_(None), Guest.deadline < now)
    late_count = func.sum(case((late, 1), else_=0))
    overdue_count = func.sum(case((overdue, 1), else_=0))
    missed = func.min(case((or_(late, overdue), Guest.deadline), else_=None))
    rows = session.execute(
        select(
            Establishment.id,
            Establishment.name,
            Establishment.commune_code,
            late_count,
            overdue_count,
            missed,
        )
        .join(Stay, Stay.establishment_id == Establishment.id)
        .join(Guest, Guest.stay_id == Stay.id)
        .where(
            Guest.deadline.is_not(None),
            Guest.arrival >= since,
            Stay.status != StayStatus.CANCELLED,
            or_(late, overdue),
            *_scope(establishment_ids),
        )
        .group_by(Establishment.id, Establishment.name, Establishment.commune_code)
        .order_by(overdue_count.desc(), late_count.desc(), Establishment.name)
    ).all()
    return [
        LateDeclarations(
            establishment_id=row[0],
            name=row[1],
            commune_code=row[2],
            late=int(row[3] or 0),
            overdue=int(row[4] or 0),
            oldest_deadline_missed=row[5],
        )
        for row in rows
    ]


def silent_establishments(
    session: DbSession,
    *,
    today: dt.date,
    now: dt.datetime,
    establishment_ids: Collection[int] | None = None,
) -> list[SilentEstablishment]:
    """Approved establishments with no declaration for ``SILENCE`` and not closed meanwhile.

    A closure of the whole place (no room) touching the silent week excuses it: a
    closed hotel has nobody to declare.
    """
    since = now - SILENCE
    first_night = today - dt.timedelta(days=SILENCE.days)
    last_declared = (
        select(Stay.establishment_id, func.max(Stay.created_at).label("last"))
        .group_by(Stay.establishment_id)
        .subquery()
    )
    closed = (
        select(Closure.id)
        .where(
            Closure.establishment_id == Establishment.id,
            Closure.room_id.is_(None),
            Closure.starts_on <= today,
            Closure.ends_on > first_night,
        )
        .exists()
    )
    rows = session.execute(
        select(
            Establishment.id, Establishment.name, Establishment.commune_code, last_declared.c.last
        )
        .outerjoin(last_declared, last_declared.c.establishment_id == Establishment.id)
        .where(
            Establishment.status == EstablishmentStatus.APPROVED,
            or_(last_declared.c.last.is_(None), last_declared.c.last < since),
            ~closed,
            *_scope(establishment_ids),
        )
        .order_by(last_declared.c.last.is_not(None), last_declared.c.last, Establishment.name)
    ).all()
    return [SilentEstablishment(row[0], row[1], row[2], row[3]) for row in rows]


def channel_failures(
    session: DbSession, channel_of: Callable[[str], str | None]
) -> list[ChannelFailures]:
    """Per delivery channel: failed, still waiting and delivered messages."""
    return [_failures(status) for status in delivery_status(session, channel_of)]


def _failures(status: ChannelStatus) -> ChannelFailures:
    counts = status.counts
    return ChannelFailures(
        channel=status.channel,
        failed=sum(counts.get(state, 0) for state in FAILED_STATES),
        waiting=counts.get(OutboxState.QUEUED, 0) + counts.get(OutboxState.SENDING, 0),
        delivered=counts.get(OutboxState.DELIVERED, 0),
        oldest_waiting_since=status.oldest_waiting_since,
    )


def feed_channels_only(
    failures: Sequence[ChannelFailures], channels: Collection[str]
) -> list[ChannelFailures]:
    """Keep the report feeds' channels (police, statistics), not mail or search indexing."""
    return [f for f in failures if f.channel in channels]
