"""Hand-over at the desk: the guests due at each police portal, their batch, its file number.

No police portal has an API: the owner downloads a batch in the portal's own template,
uploads it there, and types the file number (mã hồ sơ) the portal gives back. From that
moment the batch's guests count as notified (``Guest.reported_at``, if not set yet), for
the deadline and the fine count alike. A guest changed after hand-over is due again, for
a corrected notice: the batch kept a keyed fingerprint of what it said about each guest.

Callers have checked that the user works at the establishment.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from flask_babel import LazyString
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager, selectinload

from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.feeds import batch_templates
from lodging.feeds.models import HandoverBatch, HandoverGuest
from lodging.registration.deadlines import FineBand, fine_band, is_overdue, time_left
from lodging.registration.models import Guest, Stay, StayEvent, StayStatus
from lodging.registration.reports import FeedChannel, police_channel
from lodging.registration.services import guest_snapshot

FINGERPRINT_CONTEXT = "lodging_handover_guest.fingerprint"
PORTAL_OF_CHANNEL = {
    FeedChannel.CITIZENS: batch_templates.CITIZENS_PORTAL,
    FeedChannel.FOREIGNERS: batch_templates.FOREIGNERS_PORTAL,
}
FILE_NUMBER = re.compile(r"[0-9A-Za-z./ -]{1,64}")
RECENT_BATCHES = 10


class HandoverError(ValueError):
    """A hand-over that cannot be done; ``errors`` names the field and says why."""

    def __init__(self, field: str, message: LazyString) -> None:
        super().__init__(field, message)
        self.errors = {field: message}


class BatchNotFoundError(LookupError):
    """No such batch at this establishment."""


@dataclass(frozen=True)
class DueGuest:
    guest_id: int
    stay_id: int
    full_name: str
    room: str
    deadline: dt.datetime
    time_left: dt.timedelta
    overdue: bool
    correction: bool  # notified before and changed since


@dataclass(frozen=True)
class BatchLine:
    batch_id: int
    portal: str
    template_version: int
    names: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    downloaded_at: dt.datetime
    file_number: str | None
    handed_over_at: dt.datetime | None
    handed_over_by: str


@dataclass(frozen=True)
class PortalCard:
    portal: str
    template_version: int
    verified: bool
    due: tuple[DueGuest, ...]  # the overdue first, then by deadline
    open_batch: BatchLine | None  # downloaded, its file number not recorded yet
    handed_over: tuple[BatchLine, ...]  # the newest first


@dataclass(frozen=True)
class Board:
    cards: tuple[PortalCard, ...]
    overdue_count: int  # guests past their deadline and not notified: the fine count
    fine_band: FineBand | None


@dataclass(frozen=True)
class Download:
    batch_id: int
    filename: str
    content: bytes


def fingerprint(guest: Guest, cipher: PersonalDataCipher) -> str:
    """A keyed hash of what a notice says about the guest and the stay; no data is kept."""
    snapshot = guest_snapshot(guest, cipher)
    for unused in ("id", "role", "relationship", "document_expiry"):
        snapshot.pop(unused, None)
    stay = guest.stay
    snapshot |= {
        "room": stay.room.number if stay.room else "",
        "stay_arrival": stay.arrival.isoformat(),
        "expected_departure": stay.expected_departure.isoformat(),
        "purpose": stay.purpose.value,
    }
    raw = json.dumps(snapshot, sort_keys=True, default=str)
    return cipher.lookup_hash(raw, context=FINGERPRINT_CONTEXT)


def board(
    session: DbSession, establishment_id: int, cipher: PersonalDataCipher, now: dt.datetime
) -> Board:
    """Per portal: who is due (overdue first), the batch waiting for its number, the past ones."""
    due = due_guests(session, establishment_id, cipher)
    batches = [_line(batch) for batch in _batches(session, establishment_id)]
    cards = tuple(_card(portal, due, batches, now) for portal in batch_templates.PORTALS)
    overdue = sum(1 for card in cards for line in card.due if line.overdue)
    return Board(cards, overdue, fine_band(overdue))


def _card(
    portal: str, due: list[tuple[Guest, bool]], batches: list[BatchLine], now: dt.datetime
) -> PortalCard:
    template = batch_templates.current(portal)
    mine = [_due(guest, now, fixing) for guest, fixing in due if portal_of(guest) == portal]
    mine.sort(key=lambda line: (not line.overdue, line.deadline, line.guest_id))
    lines = [line for line in batches if line.portal == portal]
    # Only the newest batch waits for its number: a batch downloaded again and again before
    # an upload leaves older ones behind, which would else show guests handed over since.
    waiting = lines[0] if lines and lines[0].handed_over_at is None else None
    done = tuple(line for line in lines if line.handed_over_at is not None)[:RECENT_BATCHES]
    return PortalCard(portal, template.version, template.verified, tuple(mine), waiting, done)


def portal_of(guest: Guest) -> str:
    return PORTAL_OF_CHANNEL[police_channel(guest)]


def _due(guest: Guest, now: dt.datetime, correction: bool) -> DueGuest:
    deadline = guest.deadline or guest.arrival
    return DueGuest(
        guest_id=guest.id,
        stay_id=guest.stay_id,
        full_name=guest.full_name,
        room=guest.stay.room.number if guest.stay.room else "",
        deadline=deadline,
        time_left=time_left(deadline, now),
        overdue=not correction and is_overdue(deadline, now),
        correction=correction,
    )


def _line(batch: HandoverBatch) -> BatchLine:
    return BatchLine(
        batch_id=batch.id,
        portal=batch.portal,
        template_version=batch.template_version,
        names=tuple(entry.guest.full_name for entry in batch.guests if entry.guest),
        created_at=batch.created_at,
        created_by=batch.created_by_label,
        downloaded_at=batch.downloaded_at,
        file_number=batch.file_number,
        handed_over_at=batch.handed_over_at,
        handed_over_by=batch.handed_over_by_label,
    )


def _live() -> list[ColumnElement[bool]]:
    return [
        Stay.status != StayStatus.CANCELLED,
        Guest.confirmed_at.is_not(None),
        Guest.purged_at.is_(None),
    ]


def due_guests(
    session: DbSession, establishment_id: int, cipher: PersonalDataCipher
) -> list[tuple[Guest, bool]]:
    """The guests not notified, then those changed after their last hand-over."""
    query = (
        select(Guest)
        .join(Guest.stay)
        .options(contains_eager(Guest.stay).selectinload(Stay.room))
        .where(Stay.establishment_id == establishment_id, *_live())
    )
    fresh = session.scalars(
        query.where(Guest.deadline.is_not(None), Guest.reported_at.is_(None)).order_by(Guest.id)
    ).all()
    due = [(guest, False) for guest in fresh]
    for guest, print_ in _handed_over_and_changed(session, establishment_id):
        if guest.reported_at is not None and fingerprint(guest, cipher) != print_:
            due.append((guest, True))
    return due


def _handed_over_and_changed(session: DbSession, establishment_id: int) -> list[tuple[Guest, str]]:
    """Each guest's latest handed-over fingerprint, for stays changed since that hand-over."""
    rows = session.execute(
        select(Guest, HandoverGuest.fingerprint, HandoverBatch.handed_over_at)
        .join(HandoverGuest, HandoverGuest.guest_id == Guest.id)
        .join(HandoverBatch, HandoverBatch.id == HandoverGuest.batch_id)
        .join(Guest.stay)
        .options(contains_eager(Guest.stay).selectinload(Stay.room))
        .where(
            HandoverBatch.establishment_id == establishment_id,
            HandoverBatch.handed_over_at.is_not(None),
            *_live(),
        )
        .order_by(Guest.id, HandoverBatch.handed_over_at, HandoverBatch.id)
    ).all()
    latest = {guest.id: (guest, print_, at) for guest, print_, at in rows}  # the last wins
    if not latest:
        return []
    stays = {guest.stay_id for guest, _print, _at in latest.values()}
    changes = session.execute(
        select(StayEvent.stay_id, func.max(StayEvent.at))
        .where(StayEvent.stay_id.in_(stays))
        .group_by(StayEvent.stay_id)
    ).all()
    last_change: dict[int, dt.datetime] = {row[0]: row[1] for row in changes}
    return [
        (guest, print_)
        for guest, print_, at in latest.values()
        if _after(last_change.get(guest.stay_id), at)
    ]


def _after(moment: dt.datetime | None, than: dt.datetime | None) -> bool:
    if moment is None or than is None:
        return False
    return _utc(moment) > _utc(than)


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive UTC datetimes; PostgreSQL aware ones.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _batches(session: DbSession, establishment_id: int) -> list[HandoverBatch]:
    return list(
        session.scalars(
            select(HandoverBatch)
            .where(HandoverBatch.establishment_id == establishment_id)
            .options(selectinload(HandoverBatch.guests).joinedload(HandoverGuest.guest))
            .order_by(HandoverBatch.created_at.desc(), HandoverBatch.id.desc())
            .limit(RECENT_BATCHES * 2 + 2)
        )
    )
