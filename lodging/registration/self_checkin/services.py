"""Self check-in: guests declare themselves on their phones; staff confirm them later.

A guest reaches the form through the establishment's poster (a new stay) or through a
stay's own link (joining guests already declared). Either way the guest is stored
unconfirmed: nothing is queued for the police until staff have seen the guest's papers
(``services.confirm_guest``). Self-service never changes a guest already declared.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select

from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.properties.models import Establishment, EstablishmentStatus, Membership
from lodging.properties.services import NotFoundError
from lodging.registration import hooks, sealed, services
from lodging.registration.declarations import (
    CheckedGuest,
    DeclarationError,
    GuestInput,
    StayInput,
    check_stay,
    normalise_document,
)
from lodging.registration.models import (
    Actor,
    Channel,
    Guest,
    GuestRole,
    Stay,
    StayEvent,
    StayStatus,
)
from lodging.registration.services import (
    guest_snapshot,
    new_guest,
)
from search.folding import fold

SELF_CHECKIN = Actor(None, "self-checkin", Channel.SELF_CHECKIN)


def stay_for_checkin(session: DbSession, token: str) -> Stay:
    """The stay behind a guest's link while its guests are in the house; else NotFoundError."""
    stay = session.scalar(
        select(Stay)
        .join(Establishment, Establishment.id == Stay.establishment_id)
        .where(
            Stay.checkin_token == token,
            Stay.status == StayStatus.IN_HOUSE,
            Establishment.status == EstablishmentStatus.APPROVED,
        )
    )
    if stay is None:
        raise NotFoundError(token)
    return stay


def guest_for_member(session: DbSession, user_id: int, guest_id: int) -> Guest:
    """The guest if ``user_id`` works where the guest stays; ``NotFoundError`` otherwise."""
    guest = session.scalar(
        select(Guest)
        .join(Stay, Stay.id == Guest.stay_id)
        .join(Membership, Membership.establishment_id == Stay.establishment_id)
        .where(Guest.id == guest_id, Membership.user_id == user_id)
    )
    if guest is None:
        raise NotFoundError(guest_id)
    return guest


def self_check_in(
    session: DbSession,
    establishment: Establishment,
    data: StayInput,
    *,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> Stay:
    """A new stay, with its guests unconfirmed, from the establishment's poster.

    A phone on a weak signal sends the form again: the same person (document, name
    and birth date) still waiting at this establishment gets the stay already made.
    """
    checked = check_stay(data, establishment, now)
    for guest in checked.guests:
        waiting = _waiting_guest(
            session,
            guest,
            cipher,
            Stay.establishment_id == establishment.id,
            Stay.channel == Channel.SELF_CHECKIN,
            Guest.confirmed_at.is_(None),
        )
        if waiting is not None:
            return waiting.stay
    stay, _created = services.declare_stay(
        session, establishment, data, actor=SELF_CHECKIN, cipher=cipher, now=now, confirmed=False
    )
    return stay


def add_self_checked_in_guest(
    session: DbSession,
    stay: Stay,
    guest: GuestInput,
    *,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> Guest:
    """Add a guest who entered their own details through the stay's link.

    The guest joins as a member of the group, arriving now, and waits for staff to
    confirm them; the stay's history records it (kind ``self_checkin``) and nothing is
    queued. Sent twice, the same person is added once.
    """
    if stay.status is not StayStatus.IN_HOUSE:
        raise services.StayStateError("status", _l("These guests have already checked out."))
    checked = _check_joining_guest(stay, guest, now)
    waiting = _waiting_guest(session, checked, cipher, Stay.id == stay.id)
    if waiting is not None:
        return waiting
    record = new_guest(checked, len(stay.guests), cipher)
    stay.guests.append(record)
    session.flush()
    session.add(
        StayEvent(
            stay=stay,
            guest_id=record.id,
            kind="self_checkin",
            at=now,
            actor_id=None,
            actor_label=SELF_CHECKIN.label,
            channel=SELF_CHECKIN.channel,
            before={},
            after={"guests": [guest_snapshot(record, cipher)]},
        )
    )
    session.flush()
    hooks.stay_changed(session, stay)
    return record


def _check_joining_guest(stay: Stay, guest: GuestInput, now: dt.datetime) -> CheckedGuest:
    """The guest checked on their own against the stay (the others are not re-checked)."""
    alone = dataclasses.replace(guest, role=GuestRole.SINGLE, arrival=max(now, stay.arrival))
    data = StayInput(
        room=stay.room.number if stay.room else "",
        arrival=stay.arrival,
        expected_departure=stay.expected_departure,
        purpose=stay.purpose,
        guests=(alone,),
    )
    errors: dict[str, LazyString] = {}
    if not guest.relationship.strip():
        errors["guests[0].relationship"] = _l(
            "Say how you are related to the guest who checked in first (e.g. wife, son, friend)."
        )
    try:
        checked = check_stay(data, stay.establishment, now, declared_at=stay.created_at).guests[0]
    except DeclarationError as exc:
        raise DeclarationError({**exc.errors, **errors}) from None
    if errors:
        raise DeclarationError(errors)
    member = dataclasses.replace(checked.source, role=GuestRole.MEMBER)
    return dataclasses.replace(checked, source=member)


def _waiting_guest(
    session: DbSession,
    guest: CheckedGuest,
    cipher: PersonalDataCipher,
    *where: ColumnElement[bool],
) -> Guest | None:
    """An in-house guest who is this same person, among the stays ``where`` selects."""
    kind = guest.source.document_type
    number = normalise_document(kind, guest.document_number)
    if not number:
        return None
    return session.scalar(
        select(Guest)
        .join(Stay, Stay.id == Guest.stay_id)
        .where(
            Guest.document_hash == sealed.document_hash(cipher, kind, number),
            Guest.name_folded == fold(guest.full_name)[:200],
            Guest.birth_date == guest.birth_date,
            Stay.status == StayStatus.IN_HOUSE,
            *where,
        )
        .order_by(Guest.id)
        .limit(1)
    )
