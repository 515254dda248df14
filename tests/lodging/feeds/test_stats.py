"""What the statistics office receives: one establishment's day, counted, and nobody in it."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.clock import VIETNAM, local_now, utcnow
from lodging.feeds.channels import validation_errors
from lodging.feeds.payloads import ascii_name
from lodging.feeds.stats import daily_stats
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration import sealed, services
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, GuestRole, Stay
from tests.factories import TEST_CIPHER, citizen, declare, foreigner, make_establishment, stay_input

DESK = Actor(None, "test", Channel.DESK)
# The day reported: yesterday, so every stay in it can have been declared by now.
DAY = local_now().date() - dt.timedelta(days=1)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VIETNAM)


def leave(session: Session, stay: Stay, when: dt.datetime) -> None:
    services.check_out(session, stay, departed_at=when, actor=DESK, now=utcnow())
    session.commit()


@pytest.fixture
def busy_hotel(db_session: Session) -> tuple[Establishment, list[Stay]]:
    """Rooms 101, 102, 201 (doubles); 201 closed on DAY; six stays around DAY."""
    hotel = make_establishment(db_session)
    room_201 = next(room for room in hotel.rooms if room.number == "201")
    properties.add_closure(
        db_session, hotel, starts_on=DAY, ends_on=DAY + dt.timedelta(days=1), room=room_201
    )
    before, after = DAY - dt.timedelta(days=1), DAY + dt.timedelta(days=1)
    family = stay_input(
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="husband"),
        arrival=at(before, 15),
        expected_departure=after,
    )
    left_on_the_day = stay_input(
        citizen(full_name="Trần Văn Bình", document_number="001090012346", sex=Sex.M),
        room="102",
        arrival=at(before, 10),
        expected_departure=after,
    )
    day_use = stay_input(
        foreigner(full_name="Park Ji-woo", document_number="M87654321"),
        arrival=at(DAY, 9),
        expected_departure=DAY,
    )
    arrives = stay_input(
        citizen(full_name="Đặng Thu Hà", residence_province="Quảng Ninh"),
        room="102",
        arrival=at(DAY, 20),
        expected_departure=after,
    )
    cancelled = stay_input(citizen(full_name="Lý Hủy"), room="201", arrival=at(DAY, 12))
    unconfirmed = stay_input(citizen(full_name="Chưa Xác Nhận"), arrival=at(before, 18))
    stays = [
        declare(db_session, hotel, data)
        for data in (family, left_on_the_day, day_use, arrives, cancelled)
    ]
    stays.append(declare(db_session, hotel, unconfirmed, confirmed=False))
    leave(db_session, stays[1], at(DAY, 11))
    leave(db_session, stays[2], at(DAY, 16))
    services.cancel_stay(db_session, stays[4], reason="typed twice", actor=DESK, now=utcnow())
    db_session.commit()
    return hotel, stays


def test_a_day_counts_arrivals_departures_nights_and_same_day_guests_apart(
    db_session: Session, busy_hotel: tuple[Establishment, list[Stay]]
) -> None:
    hotel, _stays = busy_hotel
    report = daily_stats(db_session, hotel, DAY)
    assert report["day"] == DAY.isoformat()
    assert report["arrivals"] == {"total": 1, "international": 0, "domestic": 1}
    assert report["departures"] == {"total": 1, "international": 0, "domestic": 1}
    assert report["present"] == {"total": 3, "international": 1, "domestic": 2}
    assert report["day_use"] == {"total": 1, "international": 1, "domestic": 0}
    assert (report["room_nights"], report["bed_nights"]) == (2, 3)
    assert report["nights_by_country"] == {"KR": 1, "VN": 2}
    assert report["nights_by_province"] == {"1": 1, "22": 1}  # Hà Nội, Quảng Ninh
    assert report["capacity"] == {"rooms": 2, "bed_places": 4}  # 201 is closed


def test_guests_present_follow_from_arrivals_and_departures_every_day(
    db_session: Session, busy_hotel: tuple[Establishment, list[Stay]]
) -> None:
    hotel, _stays = busy_hotel
    days = [DAY + dt.timedelta(days=n) for n in range(-2, 3)]
    reports = [daily_stats(db_session, hotel, day) for day in days]
    assert reports[0]["present"]["total"] == 0
    for yesterday, today in itertools.pairwise(reports):
        expected = (
            yesterday["present"]["total"]
            + today["arrivals"]["total"]
            - today["departures"]["total"]
        )
        assert today["present"]["total"] == expected
        assert sum(today["nights_by_country"].values()) == today["present"]["total"]


def test_daily_statistics_follow_their_schema(
    db_session: Session, busy_hotel: tuple[Establishment, list[Stay]]
) -> None:
    hotel, _stays = busy_hotel
    assert validation_errors("stats", daily_stats(db_session, hotel, DAY)) == {}


def personal_data(stay: Stay) -> list[str]:
    found: list[str] = []
    for guest in stay.guests:
        found += [guest.full_name, ascii_name(guest.full_name), guest.name_folded]
        found.append(sealed.document_number(guest, TEST_CIPHER))
        if guest.birth_date is not None:
            found += [guest.birth_date.isoformat(), guest.birth_date.strftime("%d/%m/%Y")]
        details = sealed.foreign_details(guest, TEST_CIPHER)
        if details is not None and details.visa_number:
            found.append(details.visa_number)
    return [value for value in found if value]


def test_statistics_never_carry_a_name_or_a_document_number(
    db_session: Session, busy_hotel: tuple[Establishment, list[Stay]]
) -> None:
    hotel, stays = busy_hotel
    sent = "".join(
        json.dumps(daily_stats(db_session, hotel, DAY + dt.timedelta(days=n)), ensure_ascii=False)
        for n in (-1, 0, 1)
    )
    secrets = [value for stay in stays for value in personal_data(stay)]
    assert len(secrets) > 20  # the scan looks for something
    leaked = [value for value in secrets if value in sent or value.casefold() in sent.casefold()]
    assert leaked == []
    assert "guest" not in sent


def test_a_closed_establishment_has_no_capacity(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    properties.add_closure(db_session, hotel, starts_on=DAY, ends_on=DAY + dt.timedelta(days=3))
    report: dict[str, Any] = daily_stats(db_session, hotel, DAY)
    assert report["capacity"] == {"rooms": 0, "bed_places": 0}
    assert daily_stats(db_session, hotel, DAY - dt.timedelta(days=1))["capacity"]["rooms"] == 3
