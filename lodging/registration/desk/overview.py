"""What the owner's desk shows: read-only queries over one establishment's stays.

Plain arguments in (a session, an establishment id, the time), plain values out; the
views format them. Callers have already checked that the user works at the
establishment (``properties.member_establishment`` or ``services.stay_for_member``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.registration import sealed
from lodging.registration.deadlines import FineBand, fine_band, is_overdue, time_left
from lodging.registration.declarations import LONG_STAY_DAYS, ForeignerInput, normalise_document
from lodging.registration.delivery_state import ALERT_WINDOW, Delivery, deliveries
from lodging.registration.models import (
    Channel,
    DocumentType,
    Guest,
    GuestRole,
    Purpose,
    Stay,
    StayEvent,
    StayStatus,
)
from search.folding import fold

PAGE_SIZE = 50


@dataclass(frozen=True)
class DueGuest:
    """A confirmed guest not notified to the police yet (``reported_at`` is NULL)."""

    guest_id: int
    stay_id: int
    full_name: str
    room: str
    deadline: dt.datetime
    time_left: dt.timedelta
    overdue: bool
    report_status: str | None
    foreigner: bool
    delivery: Delivery


@dataclass(frozen=True)
class StayLine:
    stay_id: int
    room: str
    names: tuple[str, ...]
    arrival: dt.datetime
    expected_departure: dt.date


@dataclass(frozen=True)
class WaitingGuest:
    """A guest who checked in themselves and is not reported until staff confirm them."""

    guest_id: int
    stay_id: int
    full_name: str
    room: str
    arrival: dt.datetime


@dataclass(frozen=True)
class Overview:
    unreported: tuple[DueGuest, ...]  # by deadline, the most urgent first
    alerts: tuple[DueGuest, ...]  # of those, due within ALERT_WINDOW or overdue
    overdue_count: int  # the count that decides the fine band
    fine_band: FineBand | None
    arrivals_today: tuple[StayLine, ...]
    in_house: tuple[StayLine, ...]
    departures_due: tuple[StayLine, ...]  # expected today or earlier, still in the house
    awaiting_confirmation: tuple[WaitingGuest, ...]


def _room(stay: Stay) -> str:
    return stay.room.number if stay.room else ""


def stay_line(stay: Stay) -> StayLine:
    return StayLine(
        stay_id=stay.id,
        room=_room(stay),
        names=tuple(guest.full_name for guest in stay.guests),
        arrival=stay.arrival,
        expected_departure=stay.expected_departure,
    )


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)


def overview(session: DbSession, establishment_id: int, now: dt.datetime) -> Overview:
    """The desk: who is due at the police, who arrives, who is here, who leaves."""
    unreported = _unreported(session, establishment_id, now)
    overdue = sum(1 for guest in unreported if guest.overdue)
    today = now.astimezone(VIETNAM).date()
    start = _local_day_start(today)
    stays = select(Stay).where(Stay.establishment_id == establishment_id).order_by(Stay.arrival)
    stays = stays.options(selectinload(Stay.guests), selectinload(Stay.room))
    in_house = session.scalars(stays.where(Stay.status == StayStatus.IN_HOUSE)).all()
    arrivals = session.scalars(
        stays.where(
            Stay.status != StayStatus.CANCELLED,
            Stay.arrival >= start,
            Stay.arrival < start + dt.timedelta(days=1),
        )
    ).all()
    return Overview(
        unreported=unreported,
        alerts=tuple(guest for guest in unreported if guest.time_left <= ALERT_WINDOW),
        overdue_count=overdue,
        fine_band=fine_band(overdue),
        arrivals_today=tuple(stay_line(stay) for stay in arrivals),
        in_house=tuple(stay_line(stay) for stay in in_house),
        departures_due=tuple(stay_line(s) for s in in_house if s.expected_departure <= today),
        awaiting_confirmation=tuple(
            WaitingGuest(g.id, s.id, g.full_name, _room(s), g.arrival)
            for s in in_house
            for g in s.guests
            if g.confirmed_at is None and g.purged_at is None
        ),
    )


def _unreported(
    session: DbSession, establishment_id: int, now: dt.datetime
) -> tuple[DueGuest, ...]:
    guests = session.scalars(
        select(Guest)
        .join(Guest.stay)
        .options(contains_eager(Guest.stay).selectinload(Stay.room))
        .where(
            Stay.establishment_id == establishment_id,
            Stay.status != StayStatus.CANCELLED,
            Guest.confirmed_at.is_not(None),
            Guest.purged_at.is_(None),
            Guest.deadline.is_not(None),
            # Not notified: no route (a delivery, a hand-over…) has reached the police yet.
            Guest.reported_at.is_(None),
        )
        .order_by(Guest.deadline, Guest.id)
    ).all()
    states = deliveries(session, guests)
    return tuple(
        _due(guest, guest.deadline, now, states[guest.id]) for guest in guests if guest.deadline
    )


def _due(guest: Guest, deadline: dt.datetime, now: dt.datetime, delivery: Delivery) -> DueGuest:
    return DueGuest(
        guest_id=guest.id,
        stay_id=guest.stay_id,
        full_name=guest.full_name,
        room=_room(guest.stay),
        deadline=deadline,
        time_left=time_left(deadline, now),
        overdue=is_overdue(deadline, now),
        report_status=guest.report_status,
        foreigner=guest.is_foreigner,
        delivery=delivery,
    )


# --- One stay, in full ---------------------------------------------------------------


@dataclass(frozen=True)
class GuestDetails:
    guest_id: int
    full_name: str
    role: GuestRole
    relationship: str
    birth_date: dt.date | None
    sex: str
    nationality: str
    residence_country: str
    residence_province_code: int | None
    document_type: DocumentType
    document_number: str  # decrypted: whoever sees it is audited
    document_expiry: dt.date | None
    foreigner: ForeignerInput | None
    arrival: dt.datetime
    deadline: dt.datetime | None
    time_left: dt.timedelta | None  # None once delivered
    overdue: bool
    report_status: str | None
    confirmed: bool


@dataclass(frozen=True)
class Change:
    """One value before and after an event; ``guest`` names whose value it is."""

    field: str
    before: Any
    after: Any
    guest: str = ""


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    at: dt.datetime
    actor: str
    channel: Channel
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class StayDetails:
    stay_id: int
    establishment_id: int
    establishment_name: str
    room: str
    arrival: dt.datetime
    expected_departure: dt.date
    departed_at: dt.datetime | None
    purpose: Purpose
    status: StayStatus
    nights: int
    long_stay: bool  # over 30 days: a temporary residence, not a stay
    checkin_token: str | None
    guests: tuple[GuestDetails, ...]
    history: tuple[HistoryEntry, ...]


def stay_details(stay: Stay, cipher: PersonalDataCipher, now: dt.datetime) -> StayDetails:
    """The stay with its guests' documents decrypted and its history made readable."""
    nights = (stay.expected_departure - stay.arrival.astimezone(VIETNAM).date()).days
    names = {guest.id: guest.full_name for guest in stay.guests}
    return StayDetails(
        stay_id=stay.id,
        establishment_id=stay.establishment_id,
        establishment_name=stay.establishment.name,
        room=_room(stay),
        arrival=stay.arrival,
        expected_departure=stay.expected_departure,
        departed_at=stay.departed_at,
        purpose=stay.purpose,
        status=stay.status,
        nights=nights,
        long_stay=nights > LONG_STAY_DAYS,
        checkin_token=stay.checkin_token,
        guests=tuple(_guest_details(guest, cipher, now) for guest in stay.guests),
        history=tuple(_history_entry(event, names) for event in stay.events),
    )


def _guest_details(guest: Guest, cipher: PersonalDataCipher, now: dt.datetime) -> GuestDetails:
    pending = guest.deadline is not None and guest.reported_at is None
    return GuestDetails(
        guest_id=guest.id,
        full_name=guest.full_name,
        role=guest.role,
        relationship=guest.relationship_to_head,
        birth_date=guest.birth_date,
        sex=guest.sex,
        nationality=guest.nationality,
        residence_country=guest.residence_country,
        residence_province_code=guest.residence_province_code,
        document_type=guest.document_type,
        document_number=sealed.document_number(guest, cipher),
        document_expiry=guest.document_expiry,
        foreigner=sealed.foreign_details(guest, cipher),
        arrival=guest.arrival,
        deadline=guest.deadline,
        time_left=time_left(guest.deadline, now) if pending and guest.deadline else None,
        overdue=bool(pending and guest.deadline and is_overdue(guest.deadline, now)),
        report_status=guest.report_status,
        confirmed=guest.confirmed_at is not None,
    )


def _history_entry(event: StayEvent, names: dict[int, str]) -> HistoryEntry:
    return HistoryEntry(
        kind=event.kind,
        at=event.at,
        actor=event.actor_label,
        channel=event.channel,
        changes=tuple(_changes(event, names)),
    )


def _changes(event: StayEvent, names: dict[int, str]) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    if "method" in after:  # staff confirmed a self-checked-in guest
        name = names.get(int(after.get("guest_id") or 0), "")
        return [Change("confirmation", None, after["method"], guest=name)]
    if event.kind == "declare":
        return []
    changes = [
        Change(key, before.get(key), value)
        for key, value in after.items()
        if key != "guests" and before.get(key) != value
    ]
    if "guests" in before and "guests" in after:
        changes += _guest_changes(before["guests"], after["guests"])
    return changes


def _guest_changes(
    before: Sequence[dict[str, Any]], after: Sequence[dict[str, Any]]
) -> list[Change]:
    earlier = {guest.get("id"): guest for guest in before}
    changes = []
    for guest in after:
        name = str(guest.get("full_name", ""))
        old = earlier.get(guest.get("id"))
        if old is None:
            changes.append(Change("guest_added", None, name, guest=name))
            continue
        for key, value in guest.items():
            if key == "id" or old.get(key) == value:
                continue
            # History keeps only a hash prefix of document numbers: say that it changed.
            if key == "document_hash":
                changes.append(Change("document_number", None, None, guest=name))
            else:
                changes.append(Change(key, old.get(key), value, guest=name))
    return changes


# --- History search ------------------------------------------------------------------


@dataclass(frozen=True)
class FoundGuest:
    stay_id: int
    guest_id: int
    full_name: str
    nationality: str
    room: str
    arrival: dt.datetime
    departure: dt.date  # the day they left, or are expected to
    status: StayStatus


@dataclass(frozen=True)
class HistoryPage:
    results: tuple[FoundGuest, ...]
    total: int
    page: int
    pages: int


def search_history(
    session: DbSession,
    establishment_id: int,
    *,
    cipher: PersonalDataCipher,
    text: str = "",
    arrived_from: dt.date | None = None,
    arrived_to: dt.date | None = None,
    page: int = 1,
) -> HistoryPage:
    """Guests by name (with or without diacritics) or exact document number, newest first."""
    conditions: list[ColumnElement[bool]] = [Stay.establishment_id == establishment_id]
    if text.strip():
        conditions.append(_matches(text, cipher))
    if arrived_from is not None:
        conditions.append(Stay.arrival >= _local_day_start(arrived_from))
    if arrived_to is not None:
        conditions.append(Stay.arrival < _local_day_start(arrived_to + dt.timedelta(days=1)))
    query = select(Guest).join(Guest.stay).where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    guests = session.scalars(
        query.options(contains_eager(Guest.stay).selectinload(Stay.room))
        .order_by(Stay.arrival.desc(), Stay.id.desc(), Guest.position)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return HistoryPage(tuple(_found(guest) for guest in guests), total, page, pages)


def _matches(text: str, cipher: PersonalDataCipher) -> ColumnElement[bool]:
    words = fold(text).split()
    by_name = and_(*(Guest.name_folded.contains(word, autoescape=True) for word in words))
    hashes = {
        sealed.document_hash(cipher, kind, normalise_document(kind, text))
        for kind in DocumentType
        if kind is not DocumentType.NONE
    }
    return or_(by_name, Guest.document_hash.in_(hashes))


def _found(guest: Guest) -> FoundGuest:
    stay = guest.stay
    left = stay.departed_at.astimezone(VIETNAM).date() if stay.departed_at else None
    return FoundGuest(
        stay_id=stay.id,
        guest_id=guest.id,
        full_name=guest.full_name,
        nationality=guest.nationality,
        room=_room(stay),
        arrival=guest.arrival,
        departure=left or stay.expected_departure,
        status=stay.status,
    )
