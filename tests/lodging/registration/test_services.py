"""Declaring a stay and changing it: what is stored, what is queued, what is kept."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.auth.roles import Role
from core.clock import utcnow
from lodging.registration import sealed, services
from lodging.registration.declarations import DeclarationError
from lodging.registration.models import Actor, Channel, GuestRole, StayStatus
from tests.factories import (
    TEST_CIPHER,
    citizen,
    declare,
    foreigner,
    make_establishment,
    make_user,
    police_reports,
    stay_input,
)

DESK = Actor(None, "test", Channel.DESK)


def test_declared_stay_queues_one_report_with_the_stay(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    stay = declare(db_session, hotel)
    messages = police_reports(db_session)
    assert [m.kind for m in messages] == ["lodging.stay.citizens.declare"]
    assert messages[0].payload["guest_ids"] == [stay.guests[0].id]
    assert stay.guests[0].report_status == "queued"


def test_document_numbers_are_not_stored_in_clear(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    stay = declare(
        db_session,
        hotel,
        stay_input(
            citizen(),
        ),
    )
    raw = db_session.execute(
        text("SELECT document_number, document_hash FROM lodging_guest WHERE id = :id"),
        {"id": stay.guests[0].id},
    ).one()
    assert b"001190012345" not in bytes(raw[0])
    assert "001190012345" not in raw[1]
    assert sealed.document_number(stay.guests[0], TEST_CIPHER) == "001190012345"


def test_family_with_a_foreigner_gets_each_guest_its_own_deadline(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    data = stay_input(
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="husband"),
    )
    stay = declare(db_session, hotel, data)
    vietnamese, korean = stay.guests
    assert korean.deadline == data.arrival + dt.timedelta(hours=12)
    assert vietnamese.deadline != korean.deadline
    details = sealed.foreign_details(korean, TEST_CIPHER)
    assert details is not None
    assert details.entry_port == "Nội Bài"


def test_cccd_that_does_not_match_the_birth_year_is_refused_on_that_field(
    db_session: Session,
) -> None:
    hotel = make_establishment(db_session)
    data = stay_input(citizen(birth_date=dt.date(1991, 3, 14)))
    with pytest.raises(DeclarationError) as caught:
        declare(db_session, hotel, data)
    assert set(caught.value.errors) == {"guests[0].birth_date"}


def test_retry_with_same_key_returns_the_same_stay(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    data = stay_input()
    first, created = services.declare_stay(
        db_session, hotel, data, actor=DESK, cipher=TEST_CIPHER, now=utcnow(), idempotency_key="k1"
    )
    again, created_again = services.declare_stay(
        db_session, hotel, data, actor=DESK, cipher=TEST_CIPHER, now=utcnow(), idempotency_key="k1"
    )
    assert (created, created_again) == (True, False)
    assert again.id == first.id


def test_checkout_correction_and_cancel_keep_history_and_queue_reports(
    db_session: Session,
) -> None:
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    stay = declare(db_session, hotel, by=owner)
    actor = Actor(owner.id, owner.email, Channel.DESK)
    data = sealed.stay_input(stay, TEST_CIPHER)
    corrected = stay_input(citizen(full_name="Nguyễn Thị Ánh Hồng"), arrival=data.arrival)
    services.correct_stay(
        db_session, stay, corrected, actor=actor, cipher=TEST_CIPHER, now=utcnow()
    )
    services.check_out(db_session, stay, departed_at=utcnow(), actor=actor, now=utcnow())
    assert stay.status is StayStatus.CHECKED_OUT
    kinds = [event.kind for event in stay.events]
    assert kinds == ["declare", "correction", "early_departure"]
    correction = stay.events[1]
    assert correction.before["guests"][0]["full_name"] == "Nguyễn Thị Ánh"
    assert correction.after["guests"][0]["full_name"] == "Nguyễn Thị Ánh Hồng"
    assert correction.actor_id == owner.id
    with pytest.raises(services.StayStateError):
        services.check_out(db_session, stay, departed_at=utcnow(), actor=actor, now=utcnow())
    assert len(police_reports(db_session)) == 3


def test_correcting_only_a_foreigners_entry_details_is_reported_again(
    db_session: Session,
) -> None:
    hotel = make_establishment(db_session)
    stay = declare(db_session, hotel, stay_input(foreigner()))
    data = sealed.stay_input(stay, TEST_CIPHER)
    guest = data.guests[0]
    assert guest.foreigner is not None
    moved = dataclasses.replace(guest.foreigner, entry_port="Cửa khẩu Móng Cái")
    corrected = dataclasses.replace(data, guests=(dataclasses.replace(guest, foreigner=moved),))
    event = services.correct_stay(
        db_session, stay, corrected, actor=DESK, cipher=TEST_CIPHER, now=utcnow()
    )
    assert event is not None
    assert event.kind == "correction"
    details = sealed.foreign_details(stay.guests[0], TEST_CIPHER)
    assert details is not None
    assert details.entry_port == "Cửa khẩu Móng Cái"
    kinds = [m.kind for m in police_reports(db_session)]
    assert kinds == ["lodging.stay.foreigners.declare", "lodging.stay.foreigners.correction"]
