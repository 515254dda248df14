"""From outbox messages to deliveries: the handlers ``core``'s worker calls.

``lodging.registration.reports`` queues one ``lodging.stay.<route>.<event>`` message per
reportable change and police route (citizens, foreigners), naming the stay, the event
and the guests it concerns. Each route is a channel of its own (``vn-luutru``,
``vn-tamtru``): its own handler route, states, retries, receipts and circuit breaker,
so a foreigners' receiver that is down never holds up the citizens' reports.

A receiver's field errors come back on the declaration's own paths where there is
one (``guests[1].document_number``), so the owner sees them on the field to fix;
others keep the channel's path, prefixed by the channel (``vn-tamtru:room``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from flask import Flask
from sqlalchemy import select

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from core.outbox import messages as outbox
from core.outbox.messages import Handler, OutboxMessage, OutboxState, Outcome
from lodging.feeds.payloads import police_reports
from lodging.feeds.police_mail import PoliceMail, compose_notice
from lodging.feeds.routing import WORKSPACE_RECEIPT_PREFIX, Route, route_for
from lodging.feeds.stats import daily_stats
from lodging.feeds.transports import Transport, is_archive_receipt
from lodging.properties.models import Establishment, EstablishmentStatus
from lodging.properties.services import all_establishments
from lodging.registration.models import Guest, Stay
from lodging.registration.reports import (
    FILED,
    POLICE_CHANNELS,
    REPORT_KIND_PREFIX,
    FeedChannel,
    police_channel,
    report_key,
)

STAY_KIND_PREFIX = REPORT_KIND_PREFIX
STATS_KIND = "lodging.stats.day"
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


def register_feeds(
    app: Flask,
    transport: Transport,
    cipher: PersonalDataCipher,
    *,
    mail: PoliceMail | None = None,
    https_channels: Collection[str] = (),
    workspace_provinces: Collection[int] = (),
) -> None:
    """Let the outbox workers deliver the stays' police reports and the daily statistics.

    ``transport`` carries the channels in ``https_channels`` over HTTPS and the others
    into the file drop; with ``mail``, a report of a channel without HTTPS goes to its
    police unit's e-mail address where it has one; a report of an establishment in one
    of ``workspace_provinces`` is delivered to the police workspace (``lodging.feeds.routing``).

    Every receiver de-duplicates by ``Idempotency-Key`` (the file drop by file name), so a
    report whose outcome is unknown is resent on its own, with the same key, to arrive
    in time. An e-mail resent after a lost answer carries the same Message-ID.
    """
    for channel in POLICE_CHANNELS:
        https = channel.value in https_channels
        outbox.register_handler(
            app,
            f"{STAY_KIND_PREFIX}{channel.route}.",
            make_handler(
                transport,
                cipher,
                channel,
                mail=mail,
                https=https,
                workspace_provinces=frozenset(workspace_provinces),
            ),
            channel=channel.value,
            resend_unverified=True,
        )
    outbox.register_handler(
        app,
        STATS_KIND,
        make_stats_handler(transport),
        channel=FeedChannel.STATISTICS.value,
        resend_unverified=True,
    )


def make_handler(
    transport: Transport,
    cipher: PersonalDataCipher,
    channel: FeedChannel,
    *,
    mail: PoliceMail | None = None,
    https: bool = False,
    workspace_provinces: Collection[int] = (),
) -> Handler:
    """The handler of one police channel's ``lodging.stay.<route>.<event>`` messages.

    Without ``mail`` every report goes to ``transport``; with it, a report the routing
    sends by e-mail goes to the police unit's address instead.
    """

    def deliver_stay_report(
        session: DbSession, message: OutboxMessage, now: dt.datetime
    ) -> Outcome:
        stay = session.get(Stay, message.payload["stay_id"])
        if stay is None:
            return Outcome("rejected", errors={"stay_id": "This stay does not exist."})
        wanted = set(message.payload.get("guest_ids", ()))
        guests = [g for g in stay.guests if g.id in wanted and police_channel(g) is channel]
        event = message.kind.rpartition(".")[2]
        amends = (
            {channel: previous_report(session, stay, message.payload["event_id"], channel)}
            if event != "declare"
            else {}
        )
        reports = police_reports(stay, guests, event=event, amends=amends, cipher=cipher)
        if not reports:
            return Outcome("delivered", detail="no guest to report")
        [(_channel, body)] = reports
        route, address = route_for(
            session,
            stay.establishment,
            channel,
            https=https,
            email=mail is not None,
            workspace_provinces=workspace_provinces,
        )
        if route is Route.WORKSPACE:
            # The police read it in their workspace: it has arrived once it is committed.
            return Outcome("delivered", receipt_id=f"{WORKSPACE_RECEIPT_PREFIX}{message.key}")
        if route is Route.EMAIL and mail is not None and address:
            notice = compose_notice(
                stay, guests, channel, event=event, to=address, cipher=cipher, now=now
            )
            return on_declaration_paths(mail.send(notice, message.key, now), channel, guests)
        return on_declaration_paths(transport.send(channel, message.key, body), channel, guests)

    return deliver_stay_report


def previous_report(
    session: DbSession, stay: Stay, event_id: int, route: FeedChannel
) -> str | None:
    """The key of this stay's latest report on ``route`` before ``event_id``: what it amends."""
    keys = [report_key(e.id, route) for e in stay.events if e.id < event_id]
    if not keys:
        return None
    return session.scalars(
        select(OutboxMessage.key)
        .where(OutboxMessage.key.in_(keys))
        .order_by(OutboxMessage.id.desc())
    ).first()


def on_declaration_paths(
    outcome: Outcome, channel: FeedChannel, guests: Sequence[Guest]
) -> Outcome:
    """The receiver's outcome, its field errors moved onto the declaration's own paths."""
    if not outcome.errors:
        return outcome
    errors: dict[str, str] = {}
    for path, text in outcome.errors.items():
        errors.setdefault(declaration_path(channel, path, guests), text)
    return replace(outcome, errors=errors)


def declaration_path(channel: FeedChannel, path: str, guests: Sequence[Guest]) -> str:
    """A receiver's field path as the declaration's path, where it has one."""
    if path in _STAY_FIELDS:
        return _STAY_FIELDS[path]
    match = _GUEST_PATH.fullmatch(path)
    if match:
        sent = [g for g in guests if police_channel(g) is channel]
        index, rest = int(match[1]), match[2]
        field = _GUEST_FIELDS.get(rest) or _GUEST_FIELDS.get(rest.split(".")[0])
        if index < len(sent) and field:
            return f"guests[{sent[index].position}].{field}"
    return f"{channel.value}:{path}"


def follow_delivery(
    session: DbSession, message: OutboxMessage, state: OutboxState, now: dt.datetime
) -> None:
    """Show a stay report's delivery state on its guests (the desk, the deadline alerts).

    ``reported_at`` is the first delivery to the police (HTTPS receipt, e-mail taken by
    the mail server): what the deadline is measured against. A report delivered into
    the file drop is only a signed archive copy that no police body reads: its guests
    show ``filed`` and stay not notified, to be handed over.
    """
    if not message.kind.startswith(STAY_KIND_PREFIX):
        return
    archived = state is OutboxState.DELIVERED and is_archive_receipt(message.receipt_id)
    notified = state is OutboxState.DELIVERED and not archived
    ids = list(message.payload.get("guest_ids", ()))
    for guest in session.scalars(select(Guest).where(Guest.id.in_(ids))):
        guest.report_status = FILED if archived else state.value
        if notified and guest.reported_at is None:
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


def schedule_daily_stats(session: DbSession, now: dt.datetime) -> None:
    """The workers' periodic task: once a day is over in Vietnam, queue its statistics.

    Runs every few minutes and queues only what is missing, so the first run after
    midnight queues the day and the others find nothing to do.
    """
    yesterday = now.astimezone(VIETNAM).date() - dt.timedelta(days=1)
    enqueue_stats_for_day(session, yesterday, now=now)


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
