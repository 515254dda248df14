"""Benchmark data: plausible, and the ledger built from it counts every guest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.generate import demand, generate
from lodging.registration.models import Guest, Stay, StayStatus
from lodging.statistics import measures


def test_generated_stays_are_all_counted_by_the_ledger(db_session: Session) -> None:
    end = dt.date(2025, 6, 30)
    report = generate(db_session, establishments=2, years=1, seed=3, end=end)
    assert report.stays > 100
    counted = db_session.scalar(
        select(func.count(Guest.id)).join(Stay).where(Stay.status != StayStatus.CANCELLED)
    )
    row = measures.totals(db_session, first_day=dt.date(2024, 7, 1), last_day=end)
    assert row.arrivals_total == counted
    assert 0 < row.arrivals_international < row.arrivals_total
    assert row.net_room_occupancy is not None
    assert 20 < row.net_room_occupancy < 90


def test_demand_peaks_at_tet_and_on_30_april() -> None:
    ordinary = demand(dt.date(2025, 3, 12))  # a Wednesday in March
    assert demand(dt.date(2025, 1, 30)) > ordinary  # the second day of Tết At Tỵ
    assert demand(dt.date(2025, 4, 30)) > ordinary


def test_a_number_of_stays_is_reached_with_smaller_places_not_emptier_ones(
    db_session: Session,
) -> None:
    end = dt.date(2025, 6, 30)
    report = generate(db_session, establishments=6, years=1, seed=5, end=end, target_stays=3000)
    assert 2000 <= report.stays <= 4000, report.summary()
    assert report.rooms < 6 * 20, "the rooms were scaled down"
    row = measures.totals(db_session, first_day=dt.date(2024, 7, 1), last_day=end)
    assert row.net_room_occupancy is not None
    assert 20 < row.net_room_occupancy < 90
