"""A stay announcing a far departure costs a bounded change; the horizon moves on exactly."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session

from core.clock import VIETNAM, utcnow
from lodging.registration import declarations, services, stay_dates
from lodging.registration.models import Stay
from lodging.statistics import horizon
from lodging.statistics.ledger import extend_horizon
from lodging.statistics.models import StatisticsDay, StatisticsHorizon
from lodging.statistics.rebuild import rebuild
from tests.factories import TEST_CIPHER, make_establishment, stay_input
from tests.lodging.statistics.dates import DESK, at, couple, day0
from tests.lodging.statistics.histories import LEDGER_TABLES, ledger, random_history

DAYS = dt.timedelta(days=1)
FAR = dt.date(9999, 12, 31)
# Per counted day at most a day row, a residence row (the couple live in one province)
# and the two province rows, each written and, when it is left at nothing, deleted;
# then a few months and the projection.
PER_DAY = 8
SLACK = 40


class Writes:
    """Rows the statements on the ledger's tables inserted, updated or deleted."""

    def __init__(self) -> None:
        self.rows = 0
        self.statements = 0

    def __call__(
        self, _conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, many: bool
    ) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()
        tables = {model.__tablename__ for model in LEDGER_TABLES.values()}
        if verb in {"INSERT", "UPDATE", "DELETE"} and any(name in statement for name in tables):
            self.statements += 1
            self.rows += max(cursor.rowcount, 0)


@contextmanager
def counting(session: Session) -> Iterator[Writes]:
    writes = Writes()
    engine = session.get_bind().engine
    event.listen(engine, "after_cursor_execute", writes)
    try:
        yield writes
    finally:
        event.remove(engine, "after_cursor_execute", writes)


@pytest.fixture(autouse=True)
def unchecked_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The declaration's checks refuse a departure past 2199 or two years away.

    These tests stand for such a stay reaching the services anyway (a bug, an import
    that skips the checks): the ledger must stay bounded on its own, so the date checks
    are switched off here.
    """
    monkeypatch.setattr(declarations, "day_problem", lambda _day: None)
    monkeypatch.setattr(stay_dates, "departure_problems", lambda _arrival, _departure: iter(()))


def _bound(session: Session, arrival: dt.date) -> int:
    counted = (horizon.current(session) - arrival).days + 1
    return PER_DAY * counted + SLACK


def test_a_stay_leaving_on_9999_12_31_writes_only_the_days_up_to_the_horizon(
    db_session: Session,
) -> None:
    place = make_establishment(db_session)
    arrival = utcnow() - dt.timedelta(hours=2)
    data = stay_input(*couple(), arrival=arrival, expected_departure=FAR - DAYS)
    bound = _bound(db_session, arrival.astimezone(VIETNAM).date())
    steps: list[tuple[str, Any]] = [
        ("declare", None),
        ("extend", lambda stay: services.change_departure(
            db_session, stay, expected_departure=FAR, actor=DESK, now=utcnow()
        )),
        ("move", lambda stay: services.move_room(
            db_session, stay, room_number="201", actor=DESK, now=utcnow()
        )),
        ("cancel", lambda stay: services.cancel_stay(
            db_session, stay, reason="test", actor=DESK, now=utcnow()
        )),
    ]  # fmt: skip
    stay: Stay | None = None
    for name, change in steps:
        with counting(db_session) as writes:
            if stay is None:
                stay, _ = services.declare_stay(
                    db_session, place, data, actor=DESK, cipher=TEST_CIPHER, now=utcnow()
                )
            else:
                change(stay)
        assert 0 < writes.rows <= bound, f"{name} wrote {writes.rows} rows (bound {bound})"
        assert writes.statements <= 20, f"{name} ran {writes.statements} statements"
    assert not any(ledger(db_session).values()), "the cancellation took everything away"


def test_a_check_out_of_a_far_stay_takes_away_the_days_up_to_the_horizon_only(
    db_session: Session,
) -> None:
    place = make_establishment(db_session)
    arrival = utcnow() - dt.timedelta(days=3)
    stay, _ = services.declare_stay(
        db_session,
        place,
        stay_input(arrival=arrival, expected_departure=FAR),
        actor=DESK,
        cipher=TEST_CIPHER,
        now=utcnow(),
    )
    days = db_session.query(StatisticsDay).count()
    assert days == (horizon.current(db_session) - arrival.astimezone(VIETNAM).date()).days + 1
    with counting(db_session) as writes:
        services.check_out(db_session, stay, departed_at=utcnow(), actor=DESK, now=utcnow())
    assert writes.rows <= _bound(db_session, arrival.astimezone(VIETNAM).date())
    incremental = ledger(db_session)
    rebuild(db_session)
    assert ledger(db_session) == incremental


def _set_horizon(session: Session, last_day: dt.date) -> None:
    session.execute(update(StatisticsHorizon).values(last_day=last_day))


@pytest.mark.parametrize("seed", [11, 12])
def test_the_ledger_equals_a_rebuild_with_stays_crossing_the_horizon_and_after_it_moves(
    db_session: Session, seed: int
) -> None:
    rng = random.Random(seed)
    d = day0()
    # A horizon inside the random stays' days, so that many of them cross it.
    _set_horizon(db_session, d + 8 * DAYS)
    places = [make_establishment(db_session) for _ in range(2)]
    for place in places:
        services.declare_stay(
            db_session,
            place,
            stay_input(*couple(), arrival=at(d + 2 * DAYS), expected_departure=FAR),
            actor=DESK,
            cipher=TEST_CIPHER,
            now=utcnow(),
        )
    random_history(rng, db_session, places, 50, d)
    incremental = ledger(db_session)
    assert max(row[1] for row in incremental["day"]) == d + 8 * DAYS, "nothing after it"
    rebuild(db_session)
    assert ledger(db_session) == incremental
    for later in (d + 20 * DAYS, d + 21 * DAYS, d + 21 * DAYS):  # the same day twice
        extend_horizon(db_session, at(later) - horizon.HORIZON_DAYS * DAYS)
        assert horizon.current(db_session) == later
        extended = ledger(db_session)
        assert max(row[1] for row in extended["day"]) == later, "the far stays count on"
        rebuild(db_session)
        assert ledger(db_session) == extended
    random_history(rng, db_session, places, 20, d)
    moved_on = ledger(db_session)
    rebuild(db_session)
    assert ledger(db_session) == moved_on


def test_the_horizon_never_moves_back(db_session: Session) -> None:
    before = horizon.current(db_session)
    extend_horizon(db_session, utcnow() - 30 * DAYS)
    assert horizon.current(db_session) == before
