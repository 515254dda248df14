"""The ledger moves with every stay change, and a rebuild from stays agrees with it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from core.clock import VIETNAM, utcnow
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration import services
from lodging.registration.documents import Sex
from lodging.registration.models import ConfirmationMethod, GuestRole
from lodging.registration.self_checkin import services as self_service
from lodging.statistics import measures, rollup
from lodging.statistics.measures import Scope
from lodging.statistics.rebuild import rebuild
from tests.factories import TEST_CIPHER, citizen, declare, make_establishment, stay_input
from tests.lodging.statistics.dates import DESK, at, couple, day0, korean
from tests.lodging.statistics.histories import LEDGER_TABLES, ledger, random_history

DAYS = dt.timedelta(days=1)


def nights(session: Session, place: Establishment, first: dt.date, last: dt.date) -> list[int]:
    rows = measures.occupancy(
        session,
        first_day=first,
        last_day=last,
        period="day",
        scope=Scope(establishment_ids=[place.id]),
    )
    by_day = {row.first_day: row.nights for row in rows}
    return [by_day.get(first + i * DAYS, 0) for i in range((last - first).days + 1)]


def test_early_check_out_extension_room_move_and_cancellation_move_the_ledger(
    db_session: Session,
) -> None:
    place = make_establishment(db_session)
    d = day0()
    stay = declare(
        db_session, place, stay_input(*couple(), arrival=at(d), expected_departure=d + 4 * DAYS)
    )
    assert nights(db_session, place, d, d + 4 * DAYS) == [2, 2, 2, 2, 0]
    services.change_departure(
        db_session, stay, expected_departure=d + 5 * DAYS, actor=DESK, now=utcnow()
    )
    assert nights(db_session, place, d, d + 5 * DAYS) == [2, 2, 2, 2, 2, 0]
    services.move_room(db_session, stay, room_number="201", actor=DESK, now=utcnow())
    services.check_out(db_session, stay, departed_at=at(d + 2 * DAYS, 9), actor=DESK, now=utcnow())
    assert nights(db_session, place, d, d + 5 * DAYS) == [2, 2, 0, 0, 0, 0]
    row = measures.totals(
        db_session, first_day=d, last_day=d + 5 * DAYS, scope=Scope(establishment_ids=[place.id])
    )
    assert (row.departures, row.rooms_occupied) == (2, 2)
    services.cancel_stay(db_session, stay, reason="wrong hotel", actor=DESK, now=utcnow())
    assert nights(db_session, place, d, d + 5 * DAYS) == [0] * 6
    assert not any(ledger(db_session).values()), "nothing is left, roll-ups included"


def test_two_stays_in_one_room_occupy_it_once(db_session: Session) -> None:
    place = make_establishment(db_session)
    d = day0()
    for _ in range(2):
        declare(
            db_session, place, stay_input(room="101", arrival=at(d), expected_departure=d + DAYS)
        )
    (row,) = measures.occupancy(
        db_session, first_day=d, last_day=d, period="day", scope=Scope(establishment_ids=[place.id])
    )
    assert (row.nights, row.rooms_occupied) == (2, 1)


def _totals(session: Session, place: Establishment, first: dt.date, last: dt.date) -> Any:
    return measures.totals(
        session, first_day=first, last_day=last, scope=Scope(establishment_ids=[place.id])
    )


def test_a_self_checked_in_guest_counts_only_once_staff_confirm_from_arrival(
    db_session: Session,
) -> None:
    place = make_establishment(db_session)
    arrival = utcnow() - dt.timedelta(days=2)
    stay = declare(db_session, place, stay_input(arrival=arrival), confirmed=False)
    first, last = stay.arrival.date() - DAYS, stay.expected_departure
    before = _totals(db_session, place, first, last)
    assert (before.arrivals, before.nights, before.guests) == (0, 0, 0)  # anyone has the link
    services.confirm_guest(
        db_session, stay.guests[0], method=ConfirmationMethod.IN_PERSON, actor=DESK, now=utcnow()
    )
    confirmed = _totals(db_session, place, first, last)
    assert confirmed.arrivals == 1
    arrival_day = stay.arrival.astimezone(VIETNAM).date()
    assert confirmed.nights == (stay.expected_departure - arrival_day).days  # from arrival
    joining = citizen(
        full_name="Trần Văn Bình",
        sex=Sex.M,
        document_number="001090054321",
        role=GuestRole.MEMBER,
        relationship="husband",
    )
    member = self_service.add_self_checked_in_guest(
        db_session, stay, joining, cipher=TEST_CIPHER, now=utcnow()
    )
    assert _totals(db_session, place, first, last).guests == 1  # not yet seen by staff
    services.confirm_guest(
        db_session, member, method=ConfirmationMethod.IN_PERSON, actor=DESK, now=utcnow()
    )
    assert _totals(db_session, place, first, last).guests == 2
    rebuilt = ledger(db_session)
    rebuild(db_session)
    assert ledger(db_session) == rebuilt


def _across_a_month() -> dt.date:
    """Six days before the first of last month: random stays then cross a month's start."""
    first = (day0().replace(day=1) - DAYS).replace(day=1)
    return first - 6 * DAYS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_from_stays_equals_the_incremental_ledger_after_a_random_history(
    db_session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    # Two places share their roll-up group (a 3-star hotel in Bãi Cháy); one has its own.
    places = [make_establishment(db_session) for _ in range(2)]
    places.append(make_establishment(db_session, stars=5))
    d = day0() if seed == 1 else _across_a_month()
    random_history(rng, db_session, places, 50, d)
    incremental = ledger(db_session)
    assert incremental["day"], "the history left something to count"
    assert incremental["month"], "the roll-ups were kept"
    rebuild(db_session)
    assert ledger(db_session) == incremental
    rebuild(db_session, first=d + 3 * DAYS, last=d + 6 * DAYS)
    assert ledger(db_session) == incremental


GROUPINGS: tuple[measures.GroupBy, ...] = (
    "total",
    "commune",
    "kind",
    "stars",
    "residence_country",
    "residence_province",
    "international",
)


@pytest.mark.parametrize("seed", [4, 5])
def test_the_roll_ups_give_the_figures_the_days_give(db_session: Session, seed: int) -> None:
    rng = random.Random(seed)
    places = [make_establishment(db_session) for _ in range(2)]
    places.append(make_establishment(db_session, stars=5))
    places.append(make_establishment(db_session, kind=EstablishmentKind.HOMESTAY, stars=None))
    d = _across_a_month()
    random_history(rng, db_session, places, 80, d)
    month = (d + 6 * DAYS).replace(day=1)
    # Whole months; months cut a little (their roll-up less the days left out) or a lot
    # (read day by day), at either end or both.
    ranges = [
        (month - DAYS, d + 40 * DAYS),
        (d, d + 40 * DAYS),
        (month, month + 40 * DAYS),
        (d + 3 * DAYS, month + 2 * DAYS),
        (month + 3 * DAYS, month + 40 * DAYS),
        (month + 2 * DAYS, month + 25 * DAYS),
    ]
    by_ids = Scope(establishment_ids=[p.id for p in places])  # read from the days
    compared = 0
    for first, last in ranges:
        for period in ("day", "week", "month", "year"):
            for group_by in GROUPINGS:
                for rolled, daily in (
                    (Scope(), by_ids),
                    (Scope(province_code=22), by_ids),
                    (Scope(stars=3), Scope(establishment_ids=by_ids.establishment_ids, stars=3)),
                ):
                    args: dict[str, Any] = {
                        "first_day": first,
                        "last_day": last,
                        "period": period,
                        "group_by": group_by,
                    }
                    expected = measures.occupancy(db_session, scope=daily, **args)
                    assert measures.occupancy(db_session, scope=rolled, **args) == expected
                    compared += len(expected)
    assert compared > 100


def test_a_place_moved_to_another_group_takes_its_months_along(db_session: Session) -> None:
    rng = random.Random(6)
    places = [make_establishment(db_session) for _ in range(2)]
    random_history(rng, db_session, places, 30, _across_a_month())
    before = rollup.group_of(db_session, places[0].id)
    places[0].stars = 4
    db_session.flush()
    rollup.regroup(db_session, places[0].id, before)
    moved = ledger(db_session)
    assert any(row[4] == 4 for row in moved["month"]), "the 4-star group has rows"
    rebuild(db_session)
    assert ledger(db_session) == moved


def test_statistics_rebuild_command_restores_a_wiped_ledger(
    app: Flask, db_session: Session
) -> None:
    place = make_establishment(db_session)
    d = day0()
    declare(db_session, place, stay_input(arrival=at(d), expected_departure=d + 2 * DAYS))
    before = ledger(db_session)
    for model in LEDGER_TABLES.values():
        db_session.query(model).delete()
    result = app.test_cli_runner().invoke(args=["statistics", "rebuild"])
    assert result.exit_code == 0, result.output
    assert ledger(db_session) == before
    assert before["day"]


def test_a_group_seen_only_on_the_days_left_out_has_no_row(db_session: Session) -> None:
    place = make_establishment(db_session)
    month = (day0().replace(day=1) - DAYS).replace(day=1)
    declare(
        db_session,
        place,
        stay_input(korean(month), arrival=at(month), expected_departure=month + DAYS),
    )
    declare(
        db_session,
        place,
        stay_input(arrival=at(month + 10 * DAYS), expected_departure=month + 12 * DAYS),
    )
    # 4th to the 28th: more than half the month, so its roll-up less the 1st-3rd and the end.
    args: dict[str, Any] = {
        "first_day": month + 3 * DAYS,
        "last_day": month + 27 * DAYS,
        "group_by": "residence_country",
    }
    rows = measures.occupancy(db_session, scope=Scope(), **args)
    assert [(row.group, row.nights) for row in rows] == [("VN", 2)]
    assert rows == measures.occupancy(db_session, scope=Scope(establishment_ids=[place.id]), **args)
