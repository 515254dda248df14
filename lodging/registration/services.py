"""Declaring stays and changing them.

Check-out, extension, room move, correction, cancellation and the staff's
confirmation of a self check-in.

Every change is kept as a ``StayEvent`` (who, when, through which channel, before and
after) and queued in the outbox in the same transaction, for the police and
statistics feeds. Document numbers are sealed before they are stored, and history
shows only their last digits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from core.dates import moment_problem
from core.outbox.messages import OutboxState
from core.text import UnsafeTextError, clean_text
from lodging.properties.models import Establishment, Membership, Room
from lodging.properties.services import NotFoundError, find_room
from lodging.registration import hooks, sealed, stay_dates
from lodging.registration.declarations import (
    CheckedGuest,
    DeclarationError,
    RoomFinder,
    StayInput,
    check_stay,
)
from lodging.registration.models import (
    Actor,
    ConfirmationMethod,
    Guest,
    GuestRole,
    Stay,
    StayEvent,
    StayStatus,
)
from lodging.registration.reports import queue_reports
from search.folding import fold


class StayStateError(ValueError):
    """A change that does not fit the stay's state (checking out a cancelled stay …)."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(field, message)
        self.errors = {field: message}


class IdempotencyConflictError(ValueError):
    """An idempotency key reused with a different declaration."""


def fingerprint(data: StayInput) -> str:
    """A stable hash of a declaration, to tell a retry from a different request."""
    raw = json.dumps(dataclasses.asdict(data), default=str, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def declare_stay(
    session: DbSession,
    establishment: Establishment,
    data: StayInput,
    *,
    actor: Actor,
    cipher: PersonalDataCipher,
    now: dt.datetime,
    idempotency_key: str | None = None,
    confirmed: bool = True,
) -> tuple[Stay, bool]:
    """Store a checked stay; returns ``(stay, created)``.

    A retry with the same key and the same declaration returns the first stay with
    ``created`` False; the same key with another declaration is a conflict.

    ``confirmed`` False (self check-in) stores the guests without reporting them:
    staff must see their papers first (``confirm_guest``).
    """
    print_ = fingerprint(data)
    if idempotency_key:
        existing = session.scalar(
            _keyed_stay(), {"establishment_id": establishment.id, "key": idempotency_key}
        )
        if existing is not None:
            if existing.request_fingerprint != print_:
                raise IdempotencyConflictError(idempotency_key)
            return existing, False
    checked = check_stay(data, establishment, now, find_room=_room_finder(session, establishment))
    stay = Stay(
        establishment=establishment,
        room=checked.room,
        arrival=checked.arrival,
        expected_departure=checked.expected_departure,
        purpose=checked.purpose,
        status=StayStatus.IN_HOUSE,
        channel=actor.channel,
        created_by_id=actor.user_id,
        created_at=now,
        idempotency_key=idempotency_key or None,
        request_fingerprint=print_,
        checkin_token=secrets.token_urlsafe(16),
    )
    session.add(stay)
    for position, checked_guest in enumerate(checked.guests):
        guest = new_guest(checked_guest, position, cipher)
        if confirmed:
            guest.confirmed_at = now
            guest.confirmed_by_id = actor.user_id
            guest.confirmation_method = ConfirmationMethod.IN_PERSON
            guest.report_status = OutboxState.QUEUED.value
        stay.guests.append(guest)
    session.flush()
    _record(
        session, stay, "declare", actor, now, after=_stay_snapshot(stay, cipher), report=confirmed
    )
    return stay, True


def _room_finder(session: DbSession, establishment: Establishment) -> RoomFinder:
    def find(number: str) -> Room | None:
        return session.scalar(
            _room_by_number(), {"establishment_id": establishment.id} | {"number": number}
        )

    return find


# Built once, with bound parameters: every declaration runs them, and SQLAlchemy would
# build each one, and compute its cache key, anew on every call (about 0.2 ms apiece).


@cache
def _keyed_stay() -> Select[tuple[Stay]]:
    return select(Stay).where(
        Stay.establishment_id == bindparam("establishment_id"),
        Stay.idempotency_key == bindparam("key"),
    )


@cache
def _room_by_number() -> Select[tuple[Room]]:
    return select(Room).where(
        Room.establishment_id == bindparam("establishment_id"), Room.number == bindparam("number")
    )


def new_guest(guest: CheckedGuest, position: int, cipher: PersonalDataCipher) -> Guest:
    record = Guest(position=position, report_status=None, purged_at=None)
    _apply_guest(record, guest, cipher)
    return record


def _apply_guest(record: Guest, guest: CheckedGuest, cipher: PersonalDataCipher) -> None:
    source = guest.source
    record.role = source.role if source.role is not GuestRole.SINGLE else GuestRole.SINGLE
    record.relationship_to_head = source.relationship.strip()
    record.full_name = guest.full_name
    record.name_folded = fold(guest.full_name)[:200]
    record.birth_date = guest.birth_date
    record.birth_year = guest.birth_date.year if guest.birth_date else None
    record.sex = guest.sex.value
    record.nationality = guest.nationality
    record.residence_country = guest.residence_country
    record.residence_province_code = guest.residence_province_code
    record.document_type = source.document_type
    record.document_expiry = source.document_expiry
    record.document_number, record.document_hash = sealed.seal_document(
        cipher, source.document_type, guest.document_number
    )
    record.foreign_details, record.foreign_details_hash = (
        sealed.seal_foreign_details(cipher, source.foreigner)
        if guest.is_foreigner and source.foreigner is not None
        else (None, None)
    )
    record.arrival = guest.arrival
    record.deadline = guest.deadline


def _record(
    session: DbSession,
    stay: Stay,
    kind: str,
    actor: Actor,
    now: dt.datetime,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    guests: Sequence[Guest] | None = None,
    report: bool = True,
) -> StayEvent:
    """Keep the change in the stay's history and, if it is reportable, queue it."""
    event = StayEvent(
        stay_id=stay.id,
        kind=kind,
        at=now,
        actor_id=actor.user_id,
        actor_label=actor.label[:254],
        channel=actor.channel,
        before=before or {},
        after=after or {},
    )
    session.add(event)
    session.flush()
    # Joined by id, not appended to ``stay.events``: that made the flush go through the
    # stay and its every relationship (0.2 ms); a history already loaded is read again.
    session.expire(stay, ["events"])
    hooks.stay_changed(session, stay)
    reported = [g for g in (guests if guests is not None else stay.guests) if g.confirmed_at]
    if report and reported:
        queue_reports(session, event, reported, now=now)
    return event


def guest_snapshot(guest: Guest, cipher: PersonalDataCipher) -> dict[str, Any]:
    return {
        "id": guest.id,
        "full_name": guest.full_name,
        "birth_date": guest.birth_date.isoformat() if guest.birth_date else None,
        "sex": guest.sex,
        "nationality": guest.nationality,
        "residence_country": guest.residence_country,
        "residence_province_code": guest.residence_province_code,
        "document_type": guest.document_type.value,
        # History never shows a document number in full: its hash tells a change.
        "document_hash": (guest.document_hash or "")[:12],
        "document_expiry": guest.document_expiry.isoformat() if guest.document_expiry else None,
        # Sealed anew on every save: compared by a keyed hash of what it says.
        "foreign_details": sealed.foreign_details_hash(guest, cipher),
        "role": guest.role.value,
        "relationship": guest.relationship_to_head,
        "arrival": guest.arrival.isoformat(),
    }


def _stay_snapshot(stay: Stay, cipher: PersonalDataCipher | None = None) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "room": stay.room.number if stay.room else "",
        "arrival": stay.arrival.isoformat(),
        "expected_departure": stay.expected_departure.isoformat(),
        "purpose": stay.purpose.value,
        "status": stay.status.value,
        "departed_at": stay.departed_at.isoformat() if stay.departed_at else None,
    }
    if cipher is not None:
        snapshot["guests"] = [guest_snapshot(g, cipher) for g in stay.guests]
    return snapshot


def _require_in_house(stay: Stay) -> None:
    if stay.status is StayStatus.CANCELLED:
        raise StayStateError("status", _l("This declaration was cancelled."))
    if stay.status is StayStatus.CHECKED_OUT:
        raise StayStateError("status", _l("These guests have already checked out."))


def check_out(
    session: DbSession, stay: Stay, *, departed_at: dt.datetime, actor: Actor, now: dt.datetime
) -> StayEvent:
    """The guests left at ``departed_at``; before the expected day it is an early departure."""
    _require_in_house(stay)
    if (problem := moment_problem(departed_at)) is not None:
        raise StayStateError("departure", problem)
    if departed_at < stay.arrival:
        raise StayStateError("departure", _l("The departure cannot be before the arrival."))
    if departed_at > now + stay_dates.ARRIVAL_SLACK:
        raise StayStateError("departure", _l("The departure cannot be in the future."))
    before = _stay_snapshot(stay)
    early = departed_at.astimezone(VIETNAM).date() < stay.expected_departure
    stay.status = StayStatus.CHECKED_OUT
    stay.departed_at = departed_at
    kind = "early_departure" if early else "checkout"
    return _record(
        session,
        stay,
        kind,
        actor,
        now,
        before=before,
        after=_stay_snapshot(stay),
    )


def change_departure(
    session: DbSession, stay: Stay, *, expected_departure: dt.date, actor: Actor, now: dt.datetime
) -> StayEvent:
    """Extend (or shorten) a stay that is still in the house."""
    _require_in_house(stay)
    for field, message in stay_dates.departure_problems(stay.arrival, expected_departure):
        raise StayStateError(field, message)
    before = _stay_snapshot(stay)
    kind = "extension" if expected_departure > stay.expected_departure else "shortening"
    stay.expected_departure = expected_departure
    return _record(
        session,
        stay,
        kind,
        actor,
        now,
        before=before,
        after=_stay_snapshot(stay),
    )


def move_room(
    session: DbSession, stay: Stay, *, room_number: str, actor: Actor, now: dt.datetime
) -> StayEvent:
    _require_in_house(stay)
    room = find_room(stay.establishment, room_number)
    if room is None:
        raise StayStateError(
            "room", _l("This establishment has no room %(number)s.", number=room_number)
        )
    before = _stay_snapshot(stay)
    stay.room_id = room.id
    stay.room = room
    return _record(
        session,
        stay,
        "room_move",
        actor,
        now,
        before=before,
        after=_stay_snapshot(stay),
    )


def cancel_stay(
    session: DbSession, stay: Stay, *, reason: str, actor: Actor, now: dt.datetime
) -> StayEvent:
    """Withdraw a declaration made by mistake; reported guests get a cancellation."""
    if stay.status is StayStatus.CANCELLED:
        raise StayStateError("status", _l("This declaration was cancelled."))
    try:
        reason = clean_text(reason, multiline=True)
    except UnsafeTextError as exc:
        raise StayStateError("reason", exc.message) from None
    if not reason:
        raise StayStateError("reason", _l("Say why the declaration is cancelled."))
    before = _stay_snapshot(stay)
    stay.status = StayStatus.CANCELLED
    after = {**_stay_snapshot(stay), "reason": reason}
    return _record(session, stay, "cancel", actor, now, before=before, after=after)


def confirm_guest(
    session: DbSession,
    guest: Guest,
    *,
    method: ConfirmationMethod,
    actor: Actor,
    now: dt.datetime,
) -> StayEvent:
    """Staff have seen a self-checked-in guest's papers: now the guest is reported."""
    _require_in_house(guest.stay)
    if guest.confirmed_at is not None:
        raise StayStateError("guest", _l("This guest is already confirmed."))
    guest.confirmed_at = now
    guest.confirmed_by_id = actor.user_id
    guest.confirmation_method = method
    after = {"guest_id": guest.id, "method": method.value}
    event = _record(session, guest.stay, "declare", actor, now, after=after, guests=[guest])
    event.guest_id = guest.id
    return event


def correct_stay(
    session: DbSession,
    stay: Stay,
    data: StayInput,
    *,
    actor: Actor,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> StayEvent | None:
    """Replace what was declared with ``data``; ``None`` if nothing changed.

    ``data`` has the same guests in the same order, plus any who joined later.
    Changed guests are reported again.
    """
    if stay.status is StayStatus.CANCELLED:
        raise StayStateError("status", _l("This declaration was cancelled."))
    if len(data.guests) < len(stay.guests):
        raise DeclarationError(
            {"guests": _l("Guests cannot be removed by a correction: cancel the declaration.")}
        )
    # A correction's arrival is bounded around the original declaration, not today.
    checked = check_stay(data, stay.establishment, now, declared_at=stay.created_at)
    before = _stay_snapshot(stay, cipher)
    stay.room_id = checked.room.id if checked.room else None
    stay.room = checked.room
    stay.arrival = checked.arrival
    stay.expected_departure = checked.expected_departure
    stay.purpose = checked.purpose
    changed: list[Guest] = []
    for position, checked_guest in enumerate(checked.guests):
        if position < len(stay.guests):
            record = stay.guests[position]
            old = guest_snapshot(record, cipher)
            _apply_guest(record, checked_guest, cipher)
            session.flush()
            if guest_snapshot(record, cipher) != old:
                changed.append(record)
        else:
            record = new_guest(checked_guest, position, cipher)
            record.confirmed_at, record.confirmed_by_id = now, actor.user_id
            record.confirmation_method = ConfirmationMethod.IN_PERSON
            stay.guests.append(record)
            session.flush()
            changed.append(record)
    after = _stay_snapshot(stay, cipher)
    if after == before:
        return None
    stay_changed = {k: v for k, v in after.items() if k != "guests" and before.get(k) != v}
    reported = stay.guests if stay_changed else changed
    return _record(
        session, stay, "correction", actor, now, before=before, after=after, guests=reported
    )


def stay_for_member(session: DbSession, user_id: int, stay_id: int) -> Stay:
    """The stay if ``user_id`` works at its establishment; ``NotFoundError`` otherwise."""
    stay = session.scalar(
        select(Stay)
        .join(Membership, Membership.establishment_id == Stay.establishment_id)
        .where(Stay.id == stay_id, Membership.user_id == user_id)
    )
    if stay is None:
        raise NotFoundError(stay_id)
    return stay
