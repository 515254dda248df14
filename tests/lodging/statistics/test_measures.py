"""Hand-computed measures over a small hotel: three double rooms, ten days."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy.orm import Session

from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration.models import GuestRole
from lodging.statistics import measures
from lodging.statistics.measures import Scope
from tests.factories import declare, make_establishment, stay_input
from tests.lodging.statistics.dates import at, couple, day0, korean

DAYS = dt.timedelta(days=1)


@pytest.fixture
def hotel(db_session: Session) -> Establishment:
    """A: a couple, 3 nights in 101; B: a Korean, 1 night in 102; C: a day visit in 201.

    Room 201 is closed for the nights day0+5 .. day0+7.
    """
    d = day0()
    place = make_establishment(db_session)
    declare(
        db_session,
        place,
        stay_input(*couple(), room="101", arrival=at(d), expected_departure=d + 3 * DAYS),
    )
    b = d + DAYS
    declare(
        db_session,
        place,
        stay_input(korean(b), room="102", arrival=at(b), expected_departure=b + DAYS),
    )
    c = d + 2 * DAYS
    declare(db_session, place, stay_input(room="201", arrival=at(c, 10), expected_departure=c))
    room_201 = next(r for r in place.rooms if r.number == "201")
    properties.add_closure(
        db_session, place, starts_on=d + 5 * DAYS, ends_on=d + 8 * DAYS, room=room_201
    )
    db_session.commit()
    return place


def ten_days(db_session: Session, place: Establishment, **kwargs: object) -> measures.MeasureRow:
    d = day0()
    return measures.totals(
        db_session, first_day=d, last_day=d + 9 * DAYS, scope=Scope(establishment_ids=[place.id])
    )


def test_every_measure_over_ten_days_matches_the_hand_count(
    db_session: Session, hotel: Establishment
) -> None:
    row = ten_days(db_session, hotel)
    assert (row.arrivals, row.same_day, row.nights, row.departures) == (3, 1, 7, 3)
    assert (row.arrivals_international, row.nights_international) == (1, 1)
    assert (row.arrivals_domestic, row.same_day_domestic, row.nights_domestic) == (2, 1, 6)
    assert row.guests == 4
    # 3 rooms x 10 days, less room 201 closed 3 nights; 2 bed places a room.
    assert (row.rooms_available, row.bed_places_available, row.bed_places_gross) == (27, 54, 60)
    # Rooms used: day0 101; day0+1 101 and 102; day0+2 101 (the day visit uses no night).
    assert row.rooms_occupied == 4
    assert row.net_room_occupancy == pytest.approx(100 * 4 / 27)
    assert row.net_bed_occupancy == pytest.approx(100 * 7 / 54)
    assert row.gross_bed_occupancy == pytest.approx(100 * 7 / 60)
    assert row.average_stay == pytest.approx(7 / 3)


def test_a_same_day_guest_is_an_arrival_apart_with_no_night(
    db_session: Session, hotel: Establishment
) -> None:
    c = day0() + 2 * DAYS
    (row,) = measures.occupancy(
        db_session, first_day=c, last_day=c, period="day", scope=Scope(establishment_ids=[hotel.id])
    )
    assert (row.same_day, row.arrivals, row.nights, row.rooms_occupied) == (1, 0, 2, 1)
    assert row.arrivals_total == 1


def test_present_follows_arrivals_and_departures_every_day(
    db_session: Session, hotel: Establishment
) -> None:
    d = day0()
    rows = measures.occupancy(
        db_session,
        first_day=d - DAYS,
        last_day=d + 9 * DAYS,
        period="day",
        scope=Scope(establishment_ids=[hotel.id]),
    )
    assert [r.first_day for r in rows] == [d + (i - 1) * DAYS for i in range(11)]
    assert [r.nights for r in rows] == [0, 2, 3, 2, 0, 0, 0, 0, 0, 0, 0]
    for before, row in itertools.pairwise(rows):
        assert row.nights == before.nights + row.arrivals - row.departures


def test_nights_by_residence_add_up_to_the_total(db_session: Session, hotel: Establishment) -> None:
    d = day0()
    scope = Scope(establishment_ids=[hotel.id])

    def grouped(group_by: measures.GroupBy) -> list[measures.MeasureRow]:
        return measures.occupancy(
            db_session, first_day=d, last_day=d + 9 * DAYS, group_by=group_by, scope=scope
        )

    by_country = grouped("residence_country")
    total = ten_days(db_session, hotel)
    assert sum(r.nights for r in by_country) == total.nights
    assert sum(r.arrivals_total for r in by_country) == total.arrivals_total
    nights: dict[object, int] = {}
    for r in by_country:
        nights[r.group] = nights.get(r.group, 0) + r.nights
    assert nights == {"KR": 1, "VN": 6}
    assert all(r.rooms_available is None for r in by_country)
    by_province = grouped("residence_province")
    assert {r.group for r in by_province} == {1}  # Hà Nội
    assert sum(r.nights for r in by_province) == 6
    split = grouped("international")
    assert sum(r.nights for r in split if r.group == "international") == 1


def test_extra_beds_push_bed_place_occupancy_over_100_percent(db_session: Session) -> None:
    place = make_establishment(db_session, rooms=())
    single = properties.add_room_type(
        db_session, place, name="Double + extra", bed_places=2, extra_beds=1
    )
    properties.add_rooms(db_session, place, single, ["1"])
    d = day0()
    guests = (*couple(), korean(d, role=GuestRole.MEMBER, relationship="friend"))
    declare(
        db_session, place, stay_input(*guests, room="1", arrival=at(d), expected_departure=d + DAYS)
    )
    (row,) = measures.occupancy(
        db_session, first_day=d, last_day=d, period="day", scope=Scope(establishment_ids=[place.id])
    )
    assert row.nights == 3
    assert row.bed_places_available == 2
    assert row.net_bed_occupancy == pytest.approx(150.0)
    assert row.net_room_occupancy == pytest.approx(100.0)


def test_whole_place_closure_over_a_room_closure_counts_each_room_once(
    db_session: Session, hotel: Establishment
) -> None:
    d = day0()
    # Closed entirely on day0+6 and day0+7, while room 201 is closed day0+5..day0+7 too.
    properties.add_closure(db_session, hotel, starts_on=d + 6 * DAYS, ends_on=d + 8 * DAYS)
    row = ten_days(db_session, hotel)
    assert row.rooms_available == 30 - 1 - 3 - 3  # day0+5: 201; day0+6, +7: all three
    assert row.bed_places_available == 2 * row.rooms_available


def test_groups_by_kind_commune_stars_and_establishment(
    db_session: Session, hotel: Establishment
) -> None:
    homestay = make_establishment(db_session, kind="homestay", stars=None, rooms=("A",))
    d = day0()
    declare(
        db_session, homestay, stay_input(room="A", arrival=at(d), expected_departure=d + 2 * DAYS)
    )
    scope = Scope(establishment_ids=[hotel.id, homestay.id])

    def grouped(group_by: measures.GroupBy) -> list[measures.MeasureRow]:
        return measures.occupancy(
            db_session,
            first_day=d,
            last_day=d + 9 * DAYS,
            period="year",
            group_by=group_by,
            scope=scope,
        )

    kinds = {r.group: r for r in grouped("kind")}
    assert (kinds["hotel"].nights, kinds["homestay"].nights) == (7, 2)
    assert kinds["homestay"].rooms_available == 10
    stars = {r.group: r.nights for r in grouped("stars")}
    assert stars == {3: 7, None: 2}
    places = {r.group: r.nights for r in grouped("establishment")}
    assert places == {hotel.id: 7, homestay.id: 2}
    communes = grouped("commune")
    assert [(r.group, r.nights) for r in communes] == [(hotel.commune_code, 9)]


def test_an_owner_scope_sees_only_its_own_and_an_empty_scope_sees_nothing(
    db_session: Session, hotel: Establishment
) -> None:
    other = make_establishment(db_session)
    d = day0()
    declare(db_session, other, stay_input(arrival=at(d), expected_departure=d + 5 * DAYS))
    mine = measures.totals(
        db_session, first_day=d, last_day=d + 9 * DAYS, scope=Scope(establishment_ids=[other.id])
    )
    assert mine.nights == 5
    assert (
        measures.occupancy(
            db_session, first_day=d, last_day=d + 9 * DAYS, scope=Scope(establishment_ids=[])
        )
        == []
    )


def test_weeks_and_months_are_calendar_periods_clipped_to_the_range(
    db_session: Session, hotel: Establishment
) -> None:
    d = day0()  # a Monday
    scope = Scope(establishment_ids=[hotel.id])
    weeks = measures.occupancy(
        db_session, first_day=d + 2 * DAYS, last_day=d + 9 * DAYS, period="week", scope=scope
    )
    assert [(w.first_day, w.last_day) for w in weeks] == [
        (d + 2 * DAYS, d + 6 * DAYS),
        (d + 7 * DAYS, d + 9 * DAYS),
    ]
    # From day0+2: the couple's last night (2 guests) and the day visit; nobody after.
    assert [(w.nights, w.same_day, w.guests) for w in weeks] == [(2, 1, 3), (0, 0, 0)]
    assert weeks[0].rooms_available == 3 * 5 - 2


def test_now_counts_guests_present_and_arrivals_by_commune(
    db_session: Session, hotel: Establishment
) -> None:
    b = day0() + DAYS
    (row,) = measures.now(db_session, b, Scope(establishment_ids=[hotel.id]))
    assert (row.commune_code, row.guests_present, row.arrivals, row.same_day) == (
        hotel.commune_code,
        3,
        1,
        0,
    )
