"""Random histories of stay changes and the whole ledger as comparable rows."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from lodging.properties.models import Establishment
from lodging.registration import services
from lodging.registration.declarations import DeclarationError, GuestInput
from lodging.registration.models import ConfirmationMethod, Stay
from lodging.statistics.models import (
    StatisticsDay,
    StatisticsDayResidence,
    StatisticsGuestStay,
    StatisticsMonth,
    StatisticsMonthResidence,
    StatisticsProvinceDay,
    StatisticsProvinceDayResidence,
)
from tests.factories import TEST_CIPHER, citizen, stay_input
from tests.lodging.statistics.dates import DESK, at, couple, day0, korean

DAYS = dt.timedelta(days=1)

LEDGER_TABLES = {
    "day": StatisticsDay,
    "residence": StatisticsDayResidence,
    "guests": StatisticsGuestStay,
    "month": StatisticsMonth,
    "month by residence": StatisticsMonthResidence,
    "province": StatisticsProvinceDay,
    "province by residence": StatisticsProvinceDayResidence,
}


def ledger(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every ledger row, comparable."""
    result = {}
    for name, model in LEDGER_TABLES.items():
        columns = list(model.__table__.columns)
        rows = session.execute(select(*columns).order_by(*model.__table__.primary_key)).all()
        result[name] = [tuple(row) for row in rows]
    return result


def random_guest(rng: random.Random, day: dt.date, n: int) -> tuple[GuestInput, ...]:
    if rng.random() < 0.3:
        return (korean(day, full_name=f"LEE {n}"),)
    return couple() if rng.random() < 0.5 else (citizen(),)


def one_change(
    rng: random.Random,
    session: Session,
    place: Establishment,
    stays: list[Stay],
    d: dt.date | None = None,
) -> None:
    d = d or day0()
    now = utcnow()
    choice = rng.random()
    if choice < 0.4 or not stays:
        start = d + rng.randrange(0, 12) * DAYS
        data = stay_input(
            *random_guest(rng, start, len(stays)),
            room=rng.choice(("101", "102", "201")),
            arrival=at(start, rng.choice((1, 10, 20, 23))),
            expected_departure=start + rng.randrange(0, 5) * DAYS,
        )
        # Three in ten check themselves in: they count once staff confirm them.
        stay, _ = services.declare_stay(
            session,
            place,
            data,
            actor=DESK,
            cipher=TEST_CIPHER,
            now=now,
            confirmed=rng.random() >= 0.3,
        )
        stays.append(stay)
        return
    stay = rng.choice(stays)
    if choice < 0.55:
        services.check_out(
            session,
            stay,
            departed_at=stay.arrival + dt.timedelta(hours=rng.randrange(1, 80)),
            actor=DESK,
            now=now + dt.timedelta(days=30),
        )
    elif choice < 0.7:
        services.change_departure(
            session,
            stay,
            expected_departure=stay.expected_departure + rng.choice((-1, 1, 2)) * DAYS,
            actor=DESK,
            now=now,
        )
    elif choice < 0.8:
        services.move_room(
            session, stay, room_number=rng.choice(("101", "102", "201")), actor=DESK, now=now
        )
    elif choice < 0.85:
        services.cancel_stay(session, stay, reason="mistake", actor=DESK, now=now)
    elif choice < 0.9:
        for guest in [g for g in stay.guests if g.confirmed_at is None]:
            services.confirm_guest(
                session, guest, method=ConfirmationMethod.IN_PERSON, actor=DESK, now=now
            )
    else:
        later = stay.arrival + dt.timedelta(days=rng.choice((-1, 1)))
        day = later.astimezone(at(d).tzinfo).date()
        data = stay_input(
            *random_guest(rng, day, 99)[: len(stay.guests)] or (citizen(),),
            arrival=later,
            expected_departure=max(day, stay.expected_departure),
        )
        if len(data.guests) >= len(stay.guests):
            services.correct_stay(session, stay, data, actor=DESK, cipher=TEST_CIPHER, now=now)


def random_history(
    rng: random.Random, session: Session, places: list[Establishment], changes: int, d: dt.date
) -> None:
    stays: dict[int, list[Stay]] = {p.id: [] for p in places}
    for _ in range(changes):
        place = rng.choice(places)
        savepoint = session.begin_nested()
        try:
            one_change(rng, session, place, stays[place.id], d)
            savepoint.commit()
        except (services.StayStateError, DeclarationError):
            savepoint.rollback()
    session.expire_all()
