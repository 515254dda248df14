"""Eight guests race for the last room, 200 times: never oversold, every loser told.

Each contender is a thread with its own database connection and transaction, as
gunicorn workers are, on a database of the test's own (so commits are real and seen
by the others): a SQLite file, or on PostgreSQL a schema of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import local_now, utcnow
from core.extensions import db
from portal.booking import services
from portal.booking.models import Booking, InventoryNight, RatePlan
from portal.booking.services import Actor, GuestContact, RoomGoneError, StayRequest
from tests.factories import make_establishment
from tests.own_database import own_app

ROUNDS = 200
CONTENDERS = 8
SCHEMA = "booking_race"


@dataclass
class Race:
    app: Flask
    plan_id: int
    room_type_id: int


@pytest.fixture(scope="module")
def race(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Race]:
    with own_app(request, tmp_path_factory.mktemp("race"), SCHEMA) as app:
        with app.app_context():
            session = db.session()
            homestay = make_establishment(session, rooms=("1",))  # one room: the last room
            room_type_id = homestay.room_types[0].id
            plan = RatePlan(room_type_id=room_type_id, name="Standard", nightly_price=500_000)
            session.add(plan)
            session.flush()
            plan_id = plan.id
            session.commit()
        yield Race(app, plan_id, room_type_id)


def contend(race: Race, request: StayRequest, start: threading.Barrier, n: int) -> str:
    """One guest's attempt: "won", "gone" (told the room is gone), or the error's name."""
    with race.app.app_context(), Session(db.engine) as session:
        start.wait()
        try:
            services.hold_room(
                session,
                race.plan_id,
                request,
                GuestContact(f"Guest {n}", f"guest{n}@example.com", "en"),
                now=utcnow(),
                actor=Actor("guest", "web"),
            )
            session.commit()
        except RoomGoneError:
            session.rollback()
            return "gone"
        except Exception as error:  # noqa: BLE001 - any other failure is the finding
            session.rollback()
            return type(error).__name__
        return "won"


def run_round(race: Race, request: StayRequest) -> Counter[str]:
    start = threading.Barrier(CONTENDERS)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        outcomes.append(contend(race, request, start, n))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(outcomes)


def test_the_last_room_is_never_sold_twice(race: Race):
    first = local_now().date() + dt.timedelta(days=1)
    results = Counter[str]()
    for n in range(ROUNDS):
        # Each round races for two nights of their own, after the previous round's.
        arrival = first + dt.timedelta(days=2 * n)
        outcome = run_round(race, StayRequest(arrival, arrival + dt.timedelta(days=2), 2))
        assert outcome == Counter(won=1, gone=CONTENDERS - 1), (n, outcome)
        results.update(outcome)

    # The suite's ``db.session`` is the rolled-back test session: read the race's own.
    with race.app.app_context(), Session(db.engine) as session:
        held = session.execute(
            select(func.max(InventoryNight.held), func.sum(InventoryNight.held)).where(
                InventoryNight.room_type_id == race.room_type_id
            )
        ).one()
        bookings = session.scalar(select(func.count(Booking.id)))
    assert held == (1, 2 * ROUNDS)  # one room held on every night, never two
    assert bookings == ROUNDS
    assert results == Counter(won=ROUNDS, gone=ROUNDS * (CONTENDERS - 1))
