"""Booked revenue: confirmed bookings' amounts spread over their nights, month by month."""

from __future__ import annotations

import datetime as dt
import itertools

from core.clock import utcnow
from portal.booking.models import Booking, BookingStatus
from portal.booking.revenue import booked_revenue, by_month
from tests.booking.conftest import add_plan

_serial = itertools.count(1)


def add_booking(
    session,
    hotel,
    arrival: dt.date,
    departure: dt.date,
    amount: int,
    *,
    status: BookingStatus = BookingStatus.CONFIRMED,
) -> Booking:
    """A booking as the portal stores it once paid (made directly: its nights are past)."""
    n = next(_serial)
    plan = add_plan(session, hotel)
    booking = Booking(
        reference=f"TEST-REV-{n}",
        voucher=f"V{n:07d}",
        establishment_id=hotel.id,
        room_type_id=plan.room_type_id,
        rate_plan_id=plan.id,
        arrival=arrival,
        departure=departure,
        adults=2,
        children_ages=[],
        total_amount=amount,
        policy={},
        status=status,
        hold_expires_at=utcnow(),
        guest_name="Nguyễn Văn A",
        guest_email="a@example.com",
        language="vi",
        created_at=utcnow(),
    )
    session.add(booking)
    session.flush()
    return booking


def test_an_amount_is_shared_by_night_and_adds_up():
    shares = by_month(dt.date(2026, 1, 30), dt.date(2026, 2, 2), 1_000_000)
    # Two nights in January, one in February; whole đồng, nothing lost.
    assert shares == {dt.date(2026, 1, 1): 666_666, dt.date(2026, 2, 1): 333_334}
    assert sum(shares.values()) == 1_000_000


def test_only_confirmed_bookings_count_in_the_months_asked(db_session, hotel):
    add_booking(db_session, hotel, dt.date(2026, 1, 30), dt.date(2026, 2, 2), 3_000_000)
    add_booking(
        db_session,
        hotel,
        dt.date(2026, 1, 5),
        dt.date(2026, 1, 6),
        9_000_000,
        status=BookingStatus.CANCELLED,
    )
    add_booking(
        db_session,
        hotel,
        dt.date(2026, 1, 7),
        dt.date(2026, 1, 8),
        9_000_000,
        status=BookingStatus.HELD,
    )
    found = booked_revenue(db_session, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert found == {(hotel.id, dt.date(2026, 2, 1)): 1_000_000}
    both = booked_revenue(db_session, dt.date(2026, 1, 1), dt.date(2026, 2, 28), [hotel.id])
    assert both[(hotel.id, dt.date(2026, 1, 1))] == 2_000_000
    assert booked_revenue(db_session, dt.date(2026, 1, 1), dt.date(2026, 2, 28), []) == {}
