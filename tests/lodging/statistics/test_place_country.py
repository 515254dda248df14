"""Guests by establishment and country in two queries: occupancy's figures, each place's."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from lodging.statistics import measures
from lodging.statistics.measures import Scope
from lodging.statistics.place_country import guests_by_place_and_country
from tests.dashboard.attack_world import build_world

DAY = dt.timedelta(days=1)


def _one_by_one(
    session: Session, places: list[int], first: dt.date, last: dt.date, province: int
) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for e in places:
        rows = measures.occupancy(
            session,
            first_day=first,
            last_day=last,
            period="year",
            group_by="residence_country",
            scope=Scope(province_code=province, establishment_ids=[e]),
        )
        for row in rows:
            country = str(row.group)
            found[e, country] = found.get((e, country), 0) + row.guests
    return {cell: n for cell, n in found.items() if n}


@pytest.mark.parametrize("seed", [3, 4])
def test_every_place_and_country_counts_what_occupancy_counts_for_that_place(
    db_session: Session, seed: int
) -> None:
    world = build_world(db_session, seed)
    province = world.places[0].province_code
    ids = sorted(world.everywhere())
    middle = world.first_day + 17 * DAY
    ranges = [
        (world.first_day, world.last_day),  # two whole months
        (middle, world.last_day),  # guests carried in on a cut month's first day
        (middle, middle + 3 * DAY),
        (middle - 400 * DAY, middle),  # two calendar years: one span each
    ]
    for first, last in ranges:
        expected = _one_by_one(db_session, ids, first, last, province)
        got = guests_by_place_and_country(
            db_session, first_day=first, last_day=last, scope=Scope(province_code=province)
        )
        assert got == expected, (first, last)
    assert any(expected.values())
