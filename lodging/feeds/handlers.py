"""From outbox messages to deliveries: the handlers ``portal.core``'s worker calls.

``lodging.registration.services`` queues one ``lodging.stay.<event>`` message per
reportable change, naming the stay, the event and the guests it concerns. One such
message may concern citizens *and* foreigners, who go to two police channels: the
handler sends one payload per channel in turn, under the message's key, and reports
one outcome for both, by this order: ``retry`` if any channel failed in passing (so
the message keeps moving towards its deadline without a person), else ``rejected``
if any refused it (a person must fix it), else ``unverified`` if any answer was lost,
else ``delivered``. Every resend repeats every channel with the same key; the
receivers de-duplicate by key, so a channel that already had it answers with its
first receipt. Fanning out into one outbox message per channel when the stay is
declared would be cleaner: each channel would get its own state, retries, receipt
and circuit breaker. That is a change to the registration services.

A receiver's field errors come back on the declaration's own paths where there is
one (``guests[1].document_number``), so the owner sees them on the field to fix;
others keep the channel's path, prefixed by the channel (``vn-tamtru:room``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from flask import Flask
from sqlalchemy import select

from lodging.feeds.channels import FeedChannel
from lodging.feeds.payloads import channel_of, police_reports
from lodging.feeds.stats import daily_stats
from lodging.feeds.transports import Transport
from lodging.properties.models import Establishment, EstablishmentStatus
from lodging.properties.services import all_establishments
from lodging.registration.models import Guest, Stay
from lodging.registration.services import report_key as event_report_key
from portal.core import outbox
from portal.core.crypto import PersonalDataCipher
from portal.core.database import DbSession
from portal.core.outbox import Handler, OutboxMessage, OutboxState, Outcome

STAY_KIND_PREFIX = "lodging.stay."
STATS_KIND = "lodging.stats.day"
POLICE_CHANNELS = (FeedChannel.CITIZENS, FeedChannel.FOREIGNERS)
POLICE_BREAKER = "police"
# Which outcome of one channel decides the message's (see the module's docstring).
_PRECEDENCE = {"delivered": 0, "unverified": 1, "rejected": 2, "retry": 3}
_GUEST_PATH = re.compile(r"guests\[(\d+)\]\.(.+)")
_STAY_FIELDS = {"reason": "purpose", "room": "room"}
_GUEST_FIELDS = {
    "full_name": "full_name",
    "full_name_ascii": "full_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "document_type": "document_type",
    "id_number": "document_number",
    "nationality": "nationality",
    "period.from": "arrival",
    "passport.number": "document_number",
    "passport.type": "foreigner.passport_type",
    "passport.expiry": "document_expiry",
    "entry_permit.type": "foreigner.visa_type",
    "entry_permit.number": "foreigner.visa_number",
    "entry_permit.valid_until": "foreigner.visa_valid_until",
    "entry_permit.issued_on": "foreigner.visa_issued_on",
    "entry_permit.issuer": "foreigner.visa_issuer",
    "entry.date": "foreigner.entry_date",
    "entry.port": "foreigner.entry_port",
    "entry.purpose": "foreigner.entry_purpose",
}


def register_feeds(app: Flask, transport: Transport, cipher: PersonalDataCipher) -> None:
    """Let the outbox workers deliver the stays' police reports and the daily statistics.

    Both police channels sit behind one handler, so they share one circuit breaker
    (``police``) until the messages are fanned out per channel. Every receiver
    de-duplicates by ``Idempotency-Key`` (the file drop by file name), so a report whose
    outcome is unknown is resent on its own, with the same key, to arrive in time.
    """
    outbox.register_handler(
        app,
        STAY_KIND_PREFIX,
        make_handler(transport, cipher),
        channel=POLICE_BREAKER,
        resend_unverified=True,
    )
    outbox.register_handler(
        app,
        STATS_KIND,
        make_stats_handler(transport),
        channel=FeedChannel.STATISTICS.value,
        resend_unverified=True,
    )


def make_handler(transport: Transport, cipher: PersonalDataCipher) -> Handler:
    """The handler of ``lodging.stay.*`` messages: the police channels' reports."""

    def deliver_stay_report(
        session: DbSession, message: OutboxMessage, now: dt.datetime
    ) -> Outcome:
        stay = session.get(Stay, message.payload["stay_id"])
        if stay is None:
            return Outcome("rejected", errors={"stay_id": "This stay does not exist."})
        wanted = set(message.payload.get("guest_ids", ()))
        guests = [g for g in stay.guests if g.id in wanted]
        event = message.kind.removeprefix(STAY_KIND_PREFIX)
        amends = (
            previous_reports(session, stay, message.payload["event_id"])
            if event != "declare"
            else {}
        )
        reports = police_reports(stay, guests, event=event, amends=amends, cipher=cipher)
        if not reports:
            return Outcome("delivered", detail="no guest to report")
        sent = [(channel, transport.send(channel, message.key, body)) for channel, body in reports]
        return combine(sent, guests)

    return deliver_stay_report


def previous_reports(
    session: DbSession, stay: Stay, event_id: int
) -> dict[FeedChannel, str | None]:
    """Per police channel, the key of this stay's latest earlier report on it."""
    keys = [event_report_key(e.id) for e in stay.events if e.id < event_id]
    queued: dict[str, dict[str, Any]] = {}
    if keys:
        rows = session.execute(
            select(OutboxMessage.key, OutboxMessage.payload).where(OutboxMessage.key.in_(keys))
        )
        queued = dict(rows.tuples().all())
    by_id = {g.id: g for g in stay.guests}
    found: dict[FeedChannel, str | None] = dict.fromkeys(POLICE_CHANNELS)
    for key in reversed(keys):
        for guest_id in queued.get(key, {}).get("guest_ids", ()):
            channel = channel_of(by_id[guest_id]) if guest_id in by_id else None
            if channel is not None and found[channel] is None:
                found[channel] = key
    return found


def combine(sent: Sequence[tuple[FeedChannel, Outcome]], guests: Sequence[Guest]) -> Outcome:
    """One outcome for a message sent on several channels (see the module's docstring)."""
    kind = max((outcome.kind for _, outcome in sent), key=_PRECEDENCE.__getitem__)
    receipts = [(channel, o.receipt_id) for channel, o in sent if o.kind == "delivered"]
    receipt = (
        receipts[0][1]
        if len(sent) == 1 and receipts
        else " ".join(f"{channel}:{receipt}" for channel, receipt in receipts)
    )
    errors: dict[str, str] = {}
    for channel, outcome in sent:
        for path, text in outcome.errors.items():
            errors.setdefault(declaration_path(channel, path, guests), text)
    detail = "; ".join(
        f"{channel}: {outcome.kind}" + (f" ({outcome.detail})" if outcome.detail else "")
        for channel, outcome in sent
    )
    return Outcome(
        kind,
        receipt_id=receipt if kind == "delivered" else "",
        errors=errors,
        detail=detail if len(sent) > 1 else sent[0][1].detail,
    )


def declaration_path(channel: FeedChannel, path: str, guests: Sequence[Guest]) -> str:
    """A receiver's field path as the declaration's path, where it has one."""
    if path in _STAY_FIELDS:
        return _STAY_FIELDS[path]
    match = _GUEST_PATH.fullmatch(path)
    if match:
        sent = [g for g in guests if channel_of(g) is channel]
        index, rest = int(match[1]), match[2]
        field = _GUEST_FIELDS.get(rest) or _GUEST_FIELDS.get(rest.split(".")[0])
        if index < len(sent) and field:
            return f"guests[{sent[index].position}].{field}"
    return f"{channel.value}:{path}"


def follow_delivery(
    session: DbSession, message: OutboxMessage, state: OutboxState, now: dt.datetime
) -> None:
    """Show a stay report's delivery state on its guests (the desk, the deadline alerts).

    ``reported_at`` is the first delivery: what the deadline is measured against.
    """
    if not message.kind.startswith(STAY_KIND_PREFIX):
        return
    ids = list(message.payload.get("guest_ids", ()))
    for guest in session.scalars(select(Guest).where(Guest.id.in_(ids))):
        guest.report_status = state.value
        if state is OutboxState.DELIVERED and guest.reported_at is None:
            guest.reported_at = now


def stats_key(establishment_id: int, day: dt.date) -> str:
    return f"lodging-stats-{establishment_id}-{day.isoformat()}"


def enqueue_daily_stats(
    session: DbSession, establishment: Establishment, day: dt.date, *, now: dt.datetime
) -> OutboxMessage:
    """Queue the statistics of one establishment's day (once the day is over)."""
    return outbox.enqueue(
        session,
        kind=STATS_KIND,
        key=stats_key(establishment.id, day),
        payload={"establishment_id": establishment.id, "day": day.isoformat()},
        now=now,
    )


def enqueue_stats_for_day(session: DbSession, day: dt.date, *, now: dt.datetime) -> int:
    """Queue ``day``'s statistics for every approved establishment not queued yet.

    Safe to run again (from cron, after a missed night): an establishment-day already
    in the outbox keeps its one message. Returns how many were queued now.
    """
    queued = set(
        session.scalars(
            select(OutboxMessage.key).where(
                OutboxMessage.kind == STATS_KIND, OutboxMessage.key.like(f"%-{day.isoformat()}")
            )
        )
    )
    count = 0
    for establishment in all_establishments(session, status=EstablishmentStatus.APPROVED):
        if stats_key(establishment.id, day) not in queued:
            enqueue_daily_stats(session, establishment, day, now=now)
            count += 1
    return count


def make_stats_handler(transport: Transport) -> Handler:
    """The handler of ``lodging.stats.day`` messages: one establishment-day's counts."""

    def deliver_daily_stats(
        session: DbSession, message: OutboxMessage, now: dt.datetime
    ) -> Outcome:
        establishment = session.get(Establishment, message.payload["establishment_id"])
        if establishment is None:
            return Outcome("rejected", errors={"establishment_id": "No such establishment."})
        day = dt.date.fromisoformat(message.payload["day"])
        payload = daily_stats(session, establishment, day)
        return transport.send(FeedChannel.STATISTICS, message.key, payload)

    return deliver_daily_stats
