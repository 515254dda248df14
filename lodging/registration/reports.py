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


class FeedChannel(StrEnum):
    """Where reports go: the police's two systems, and the tourism statistics.

    Each guest is reported on one police channel (``police_channel``): one outbox message
    per channel and event, so each has its own state, retries, receipt and circuit breaker.
    """

    CITIZENS = "vn-luutru"  # the stay notice (thông báo lưu trú) for Vietnamese citizens
    FOREIGNERS = "vn-tamtru"  # the foreigner's declaration (khai báo tạm trú, NA17)
    STATISTICS = "stats"  # the tourism statistics: aggregates per establishment and day

    @property
    def route(self) -> str:
        """The channel's word in outbox kinds and keys (``lodging.stay.citizens.declare``)."""
        return self.name.lower()


POLICE_CHANNELS = (FeedChannel.CITIZENS, FeedChannel.FOREIGNERS)


REPORT_KIND_PREFIX = "lodging.stay."
# A guest's ``report_status`` when the report was delivered only into the file drop: a
# signed archive copy, not a notification (``reported_at`` stays empty; hand it over).
FILED = "filed"


def police_channel(guest: Guest) -> FeedChannel:
    """The police channel that receives this guest."""
    return FeedChannel.FOREIGNERS if guest.is_foreigner else FeedChannel.CITIZENS


def report_kind(route: FeedChannel, event_kind: str) -> str:
    """``lodging.stay.<route>.<event>``: the outbox kind of one route's report of an event."""
    return f"{REPORT_KIND_PREFIX}{route.route}.{event_kind}"


def report_key(event_id: int, route: FeedChannel) -> str:
    """The outbox key of a stay event's report on one route: the receiver's idempotency key."""
    return f"lodging-stay-event-{event_id}-{route.route}"


def report_keys(event_ids: Iterable[int]) -> list[str]:
    """Every key the reports of these events may have (on every route)."""
    return [report_key(event_id, route) for event_id in event_ids for route in POLICE_CHANNELS]


def queue_reports(
    session: DbSession, event: StayEvent, guests: Sequence[Guest], *, now: dt.datetime
) -> None:
    """Queue ``event``'s reports of ``guests``, one per route, in the caller's transaction."""
    messages = []
    for route in POLICE_CHANNELS:
        on_route = [guest for guest in guests if police_channel(guest) is route]
        for guest in on_route:
            # Only a change marks the guest for the flush (a declaration's are queued already).
            if guest.report_status != OutboxState.QUEUED.value:
                guest.report_status = OutboxState.QUEUED.value
        if on_route:
            payload = {
                "stay_id": event.stay_id,
                "event_id": event.id,
                "guest_ids": [guest.id for guest in on_route],
            }
            messages.append((report_kind(route, event.kind), report_key(event.id, route), payload))
    outbox.enqueue_all(session, messages, now=now)
