"""Last month for the demo: a few stays at every demo place, and the owners' reports.

Every demo place gets a citizen's stay, every other one a foreign couple, two of them
a day-use guest; all have left. Every owner submits the month's report with its
revenue except one (``SILENT_PLACE``), and one corrects it (``CORRECTED_PLACE``, a
version 2 with its reason), so the official form shows a sum, a gap and a correction.
Each stay is declared an hour after its arrival and checked out when it ended, as a
desk would have, so none counts as late. The month is the last one over at ``now``;
a month that already has the demo's reports is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from core.auth import services as accounts
from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.properties.demo import DEMO_PLACES
from lodging.properties.models import Establishment
from lodging.registration import services as registration
from lodging.registration.declarations import ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import (
    Actor,
    Channel,
    DocumentType,
    GuestRole,
    PassportType,
    Purpose,
    VisaType,
)
from lodging.statistics import monthly_report as reports

SILENT_PLACE = "Bắc Hà Homestay Hoa Mận"
CORRECTED_PLACE = "Khách sạn Phố Biển Hạ Long"
CORRECTION_REASON = "Bổ sung doanh thu phòng hội nghị bị bỏ sót"
ACTOR = Actor(None, "demo", Channel.DESK)
# Citizens: name, sex, birth date; their CCCD is built to match (Hà Nội, code 001).
CITIZENS = (
    ("Đặng Quốc Huy", Sex.M, dt.date(1987, 4, 12)),
    ("Vũ Thị Thu Trang", Sex.F, dt.date(1992, 10, 3)),
    ("Hoàng Minh Đức", Sex.M, dt.date(1979, 6, 25)),
    ("Lê Thị Ngọc Ánh", Sex.F, dt.date(1995, 1, 9)),
)
# Foreigners: name, sex, birth date, nationality (alpha-3), residence (alpha-2).
FOREIGNERS = (
    ("PARK JI-HOON", Sex.M, dt.date(1984, 3, 2), "KOR", "KR"),
    ("SATO YUKI", Sex.F, dt.date(1990, 8, 14), "JPN", "JP"),
    ("Camille Martin", Sex.F, dt.date(1988, 12, 1), "FRA", "FR"),
)


def _citizen(place: int, n: int) -> GuestInput:
    name, sex, born = CITIZENS[(place + n) % len(CITIZENS)]
    century_sex = (0 if sex is Sex.M else 1) + (2 if born.year >= 2000 else 0)
    serial = 100 * place + n
    return GuestInput(
        full_name=name,
        birth_date=born,
        sex=sex,
        nationality="VN",
        residence_country="VN",
        residence_province="Hà Nội",
        document_type=DocumentType.CCCD,
        document_number=f"001{century_sex}{born.year % 100:02d}{serial:06d}",
    )


def _foreigner(place: int, n: int, arrival: dt.date) -> GuestInput:
    name, sex, born, nationality, residence = FOREIGNERS[(place + n) % len(FOREIGNERS)]
    return GuestInput(
        full_name=name,
        birth_date=born,
        sex=sex,
        nationality=nationality,
        residence_country=residence,
        document_type=DocumentType.PASSPORT,
        document_number=f"M{place}{n}48291",
        document_expiry=dt.date(2034, 6, 30),
        foreigner=ForeignerInput(
            passport_type=PassportType.ORDINARY,
            visa_type=VisaType.EXEMPT,
            entry_date=arrival - dt.timedelta(days=1),
            entry_port="Nội Bài",
            entry_purpose="tourism",
        ),
        role=GuestRole.HEAD if n == 0 else GuestRole.MEMBER,
        relationship="" if n == 0 else "friend",
    )


_DemoStay = tuple[dt.datetime, dt.datetime, tuple[GuestInput, ...]]


def _stays(place: int, first: dt.date) -> list[_DemoStay]:
    """Arrival, departure and guests of one place's stays, which differ from place to place."""

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(first + dt.timedelta(days=day), dt.time(hour), tzinfo=VIETNAM)

    stays: list[_DemoStay] = [
        (at(1 + place, 14), at(2 + place + place % 3, 11), (_citizen(place, 0),))
    ]
    if place % 2 == 0:
        arrival = at(10 + place, 15)
        couple = (_foreigner(place, 0, arrival.date()), _foreigner(place, 1, arrival.date()))
        stays.append((arrival, at(12 + place, 11), couple))
    if place in {0, 3}:
        stays.append((at(19, 9), at(19, 15), (_citizen(place, 1),)))  # a day-use guest
    return stays


def _declare(
    session: DbSession,
    place: Establishment,
    position: int,
    first: dt.date,
    cipher: PersonalDataCipher,
) -> None:
    for number, (arrival, departure, guests) in enumerate(_stays(position, first)):
        data = StayInput(
            room=place.rooms[number % len(place.rooms)].number,
            arrival=arrival,
            expected_departure=departure.date(),
            purpose=Purpose.TOURISM,
            guests=guests,
        )
        declared = arrival + dt.timedelta(hours=1)
        stay, _created = registration.declare_stay(
            session, place, data, actor=ACTOR, cipher=cipher, now=declared
        )
        later = max(departure, declared) + dt.timedelta(minutes=5)
        registration.check_out(session, stay, departed_at=departure, actor=ACTOR, now=later)


def _revenue(position: int) -> tuple[int | None, int | None]:
    international = 3_200_000 + 450_000 * position if position % 2 == 0 else 0
    return international, 4_500_000 + 1_250_000 * position


@dataclass(frozen=True)
class _Month:
    year: int
    month: int
    submitted: dt.datetime
    corrected: dt.datetime


def _report(
    session: DbSession, place: Establishment, owner_id: int, position: int, month: _Month
) -> None:
    revenue = _revenue(position)
    draft = reports.save_draft(
        session,
        place,
        month.year,
        month.month,
        revenue=revenue,
        correction_reason="",
        by_id=owner_id,
        now=month.submitted,
        today=month.submitted.astimezone(VIETNAM).date(),
    )
    reports.submit(session, draft, by_id=owner_id, now=month.submitted)
    if place.name != CORRECTED_PLACE:
        return
    correction = reports.save_draft(
        session,
        place,
        month.year,
        month.month,
        revenue=(revenue[0], (revenue[1] or 0) + 2_000_000),
        correction_reason=CORRECTION_REASON,
        by_id=owner_id,
        now=month.corrected,
        today=month.corrected.astimezone(VIETNAM).date(),
    )
    reports.submit(session, correction, by_id=owner_id, now=month.corrected)


def load_month(
    session: DbSession, year: int, month: int, *, now: dt.datetime, cipher: PersonalDataCipher
) -> list[str]:
    """The demo's stays and reports for ``year``-``month``, unless its reports are there."""
    places = []
    for position, demo in enumerate(DEMO_PLACES):
        found = session.scalar(select(Establishment).where(Establishment.name == demo.place.name))
        owner = accounts.find_user(session, demo.owner_email)
        if found is not None and owner is not None and found.rooms:
            places.append((position, found, owner.id))
    label = f"{year:04d}-{month:02d}"
    done = session.scalar(
        select(func.count(reports.MonthlyReport.id)).where(
            reports.MonthlyReport.establishment_id.in_([p.id for _n, p, _o in places]),
            reports.MonthlyReport.year == year,
            reports.MonthlyReport.month == month,
        )
    )
    if not places or done:
        return [f"Demo monthly reports for {label}: already there"] if places else []
    first = dt.date(year, month, 1)
    for position, place, _owner in places:
        _declare(session, place, position, first, cipher)
    session.flush()
    # Submitted on the 3rd of the next month, at 09:00, or now if that has not come yet.
    due = dt.datetime.combine(
        (first + dt.timedelta(days=32)).replace(day=3), dt.time(9), tzinfo=VIETNAM
    )
    submitted = min(due, now)
    times = _Month(year, month, submitted, min(submitted + dt.timedelta(days=2), now))
    for position, place, owner_id in places:
        if place.name != SILENT_PLACE:
            _report(session, place, owner_id, position, times)
    session.flush()
    return [
        f"Demo monthly reports for {label}: all but {SILENT_PLACE}; {CORRECTED_PLACE} corrected"
    ]


def load_demo_month(session: DbSession, now: dt.datetime) -> list[str]:
    """Last month's stays and reports (the last month over at ``now``, Vietnam time)."""
    last = now.astimezone(VIETNAM).date().replace(day=1) - dt.timedelta(days=1)
    cipher: PersonalDataCipher = current_app.extensions["personal_data_cipher"]
    return load_month(session, last.year, last.month, now=now, cipher=cipher)
