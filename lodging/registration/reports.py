"""The police reports of stay events: which route each guest takes, and its outbox message.

Every reportable event (declaration, check-out, correction…) queues one message per
police route it concerns: citizens go to the stay notices (``vn-luutru``), foreigners
to the foreigners' declarations (``vn-tamtru``). The message names the stay, the event
and the guests; ``lodging.feeds`` builds the payload when it delivers it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from core.database import DbSession
from core.outbox import messages as outbox
from core.outbox.messages import OutboxState
from lodging.registration.models import Guest, StayEvent


class PoliceRoute(StrEnum):
    """The police system a guest is reported to.

    One outbox message per route and event, so each has its own state, retries, receipt
    and circuit breaker.
    """

    CITIZENS = "citizens"  # the stay notice (thông báo lưu trú)
    FOREIGNERS = "foreigners"  # the foreigner's declaration (khai báo tạm trú, NA17)


REPORT_KIND_PREFIX = "lodging.stay."


def police_route(guest: Guest) -> PoliceRoute:
    return PoliceRoute.FOREIGNERS if guest.is_foreigner else PoliceRoute.CITIZENS


def report_kind(route: PoliceRoute, event_kind: str) -> str:
    """``lodging.stay.<route>.<event>``: the outbox kind of one route's report of an event."""
    return f"{REPORT_KIND_PREFIX}{route.value}.{event_kind}"


def report_key(event_id: int, route: PoliceRoute) -> str:
    """The outbox key of a stay event's report on one route: the receiver's idempotency key."""
    return f"lodging-stay-event-{event_id}-{route.value}"


def report_keys(event_ids: Iterable[int]) -> list[str]:
    """Every key the reports of these events may have (on every route)."""
    return [report_key(event_id, route) for event_id in event_ids for route in PoliceRoute]


def queue_reports(
    session: DbSession, event: StayEvent, guests: Sequence[Guest], *, now: dt.datetime
) -> None:
    """Queue ``event``'s reports of ``guests``, one per route, in the caller's transaction."""
    for route in PoliceRoute:
        on_route = [guest for guest in guests if police_route(guest) is route]
        for guest in on_route:
            guest.report_status = OutboxState.QUEUED.value
        if on_route:
            outbox.enqueue(
                session,
                kind=report_kind(route, event.kind),
                key=report_key(event.id, route),
                payload={
                    "stay_id": event.stay_id,
                    "event_id": event.id,
                    "guest_ids": [guest.id for guest in on_route],
                },
                now=now,
            )
