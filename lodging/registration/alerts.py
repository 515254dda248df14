"""E-mail alerts: thirty minutes before a guest's deadline, the report is still not in.

The desk shows the same alert to whoever has it open; the e-mail reaches the owner and
staff who do not. One e-mail per stay, deadline and person, ever: the outbox key says
so, and a periodic task (``core.outbox.periodic``) looks every minute. The e-mail names
no guest and no document: it gives the room, the count and the deadline, and links to
the desk and to the fallback files the authorities accept by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from core.auth.models import User
from core.database import DbSession
from core.outbox.mail import enqueue_mail, mail_key
from core.outbox.periodic import already_queued
from lodging.properties.models import Establishment, Membership
from lodging.registration.delivery_state import ALERT_WINDOW
from lodging.registration.models import Guest, Stay, StayStatus

# An overdue report keeps alerting whoever has not been told yet, for this long (a worker
# that was down overnight still sends what it missed, but not alerts about last month).
LOOKBACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class DeadlineAlert:
    """What one person is told about one stay whose reports are late or nearly so."""

    key: str
    email: str
    locale: str
    establishment_id: int
    establishment_name: str
    stay_id: int
    room: str
    guests: int
    foreigners: int
    deadline: dt.datetime  # the earliest of the stay's undelivered guests


# Writes the alert in its reader's language: (subject, text).
Compose = Callable[[DeadlineAlert], tuple[str, str]]


def enqueue_deadline_alerts(session: DbSession, now: dt.datetime, compose: Compose) -> int:
    """Queue an e-mail for every alert not sent yet; return how many were queued."""
    alerts = due_alerts(session, now)
    for alert in alerts:
        subject, text = compose(alert)
        enqueue_mail(
            session,
            to=[alert.email],
            subject=subject,
            text=text,
            key=alert.key,
            now=now,
            lang=alert.locale,
        )
    return len(alerts)


def due_alerts(session: DbSession, now: dt.datetime) -> list[DeadlineAlert]:
    """The alerts to send now: one per late stay and person who works there, not sent."""
    late = _late_guests(session, now)
    by_stay: dict[int, list[Guest]] = defaultdict(list)
    for guest in late:
        by_stay[guest.stay_id].append(guest)
    people = _people(session, {guest.stay.establishment_id for guest in late})
    alerts = []
    for guests in by_stay.values():
        stay = guests[0].stay
        deadline = min(guest.deadline for guest in guests if guest.deadline)
        for user in people.get(stay.establishment_id, ()):
            key = f"deadline-alert:{stay.id}:{deadline:%Y%m%dT%H%M}:{user.id}"
            if already_queued(session, mail_key(key)):
                continue
            alerts.append(_alert(key, user, stay, guests, deadline))
    return alerts


def _alert(
    key: str, user: User, stay: Stay, guests: list[Guest], deadline: dt.datetime
) -> DeadlineAlert:
    return DeadlineAlert(
        key=key,
        email=user.email,
        locale=user.locale or "vi",
        establishment_id=stay.establishment_id,
        establishment_name=stay.establishment.name,
        stay_id=stay.id,
        room=stay.room.number if stay.room else "",
        guests=len(guests),
        foreigners=sum(1 for guest in guests if guest.is_foreigner),
        deadline=deadline,
    )


def _late_guests(session: DbSession, now: dt.datetime) -> list[Guest]:
    return list(
        session.scalars(
            select(Guest)
            .join(Guest.stay)
            .where(
                Stay.status != StayStatus.CANCELLED,
                Guest.confirmed_at.is_not(None),
                Guest.purged_at.is_(None),
                Guest.deadline.is_not(None),
                Guest.deadline <= now + ALERT_WINDOW,
                Guest.deadline > now - LOOKBACK,
                Guest.reported_at.is_(None),  # not notified by any route
            )
            .order_by(Guest.stay_id, Guest.id)
        )
    )


def _people(session: DbSession, establishment_ids: set[int]) -> dict[int, list[User]]:
    """Who works at each establishment and can be written to."""
    if not establishment_ids:
        return {}
    rows = session.execute(
        select(Membership.establishment_id, User)
        .join(User, User.id == Membership.user_id)
        .join(Establishment, Establishment.id == Membership.establishment_id)
        .where(Membership.establishment_id.in_(establishment_ids), User.active.is_(True))
        .order_by(User.id)
    )
    people: dict[int, list[User]] = defaultdict(list)
    for establishment_id, user in rows:
        people[establishment_id].append(user)
    return people
