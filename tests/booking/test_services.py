"""Holding, confirming, cancelling and sweeping bookings against the inventory."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.clock import utcnow
from lodging.properties import services as properties
from portal.booking import services
from portal.booking.models import Booking, BookingStatus, InventoryNight, RatePlan
from portal.booking.offers import find_offers
from portal.booking.services import (
    Actor,
    BookingError,
    GuestContact,
    Outcome,
    RoomGoneError,
    StayRequest,
)
from tests.booking.conftest import NIGHTLY, in_days

GUEST = GuestContact("Lê Thu Hà", "ha@example.com", "vi")
WEB = Actor("guest", "web")


def two_nights(start: int = 10) -> StayRequest:
    return StayRequest(in_days(start), in_days(start + 2), adults=2)


def hold(session, hotel, request=None, now=None) -> Booking:
    plan = hotel.room_types[0]
    plan_id = session.scalar(select(RatePlan.id).where(RatePlan.room_type_id == plan.id))
    booking = services.hold_room(
        session, plan_id, request or two_nights(), GUEST, now=now or utcnow(), actor=WEB
    )
    session.flush()
    return booking


def nights_of(session, hotel) -> list[tuple[dt.date, int, int, int]]:
    rows = session.scalars(
        select(InventoryNight)
        .where(InventoryNight.room_type_id == hotel.room_types[0].id)
        .order_by(InventoryNight.night)
    )
    return [(row.night, row.rooms, row.sold, row.held) for row in rows]


def test_an_offer_shows_the_total_for_the_stay_and_the_rooms_free(db_session, hotel):
    (offer,) = find_offers(db_session, StayRequest(in_days(5), in_days(8), adults=3))
    assert (offer.establishment_id, offer.nights, offer.available) == (hotel.id, 3, 3)
    assert offer.total == 3 * (NIGHTLY + 200_000)  # one guest beyond the two included
    assert offer.currency == "VND"


def test_a_hold_takes_one_room_on_every_night_and_fixes_price_and_policy(db_session, hotel):
    booking = hold(db_session, hotel)
    assert booking.status is BookingStatus.HELD
    assert booking.total_amount == 2 * NIGHTLY
    assert booking.policy == {"free_days": 3, "late_percent": 50}
    assert booking.hold_expires_at - booking.created_at >= dt.timedelta(minutes=30)
    assert nights_of(db_session, hotel) == [(in_days(10), 3, 0, 1), (in_days(11), 3, 0, 1)]
    assert [event.action for event in booking.history] == ["hold"]
    # The voucher is random, typable, and not the reference that can cancel the booking.
    assert re.fullmatch(r"[A-Z2-7]{16}", booking.voucher)
    assert booking.voucher != booking.reference


def test_the_last_room_goes_to_one_guest_and_the_next_is_told_it_is_gone(db_session, hotel):
    for _ in range(3):
        hold(db_session, hotel)
    with pytest.raises(RoomGoneError):
        hold(db_session, hotel)
    assert find_offers(db_session, two_nights()) == []
    # A stay that overlaps only the first night is gone too; the night after is free.
    with pytest.raises(RoomGoneError):
        hold(db_session, hotel, StayRequest(in_days(11), in_days(13), adults=1))
    assert nights_of(db_session, hotel)[-1] == (in_days(12), 3, 0, 0)  # nothing half-taken


def test_a_closed_room_is_not_for_sale(db_session, hotel):
    room = hotel.rooms[0]
    properties.add_closure(
        db_session, hotel, starts_on=in_days(10), ends_on=in_days(11), room=room, reason="paint"
    )
    (offer,) = find_offers(db_session, two_nights())
    assert offer.available == 2


def test_paying_sells_the_held_rooms_once(db_session, hotel):
    booking = hold(db_session, hotel)
    assert (
        services.confirm_booking(db_session, booking, now=utcnow(), actor=WEB) is Outcome.CONFIRMED
    )
    again = services.confirm_booking(db_session, booking, now=utcnow(), actor=WEB)
    assert again is Outcome.ALREADY
    assert nights_of(db_session, hotel)[0][2:] == (1, 0)


def test_a_lapsed_hold_goes_back_on_sale(db_session, hotel):
    booking = hold(db_session, hotel, now=utcnow() - dt.timedelta(minutes=31))
    assert services.release_lapsed_holds(db_session, utcnow()) == 1
    assert booking.status is BookingStatus.EXPIRED
    assert nights_of(db_session, hotel)[0][2:] == (0, 0)
    assert services.release_lapsed_holds(db_session, utcnow()) == 0


def test_paying_after_the_hold_lapsed_still_gets_a_free_room(db_session, hotel):
    booking = hold(db_session, hotel, now=utcnow() - dt.timedelta(minutes=31))
    services.release_lapsed_holds(db_session, utcnow())
    assert (
        services.confirm_booking(db_session, booking, now=utcnow(), actor=WEB) is Outcome.CONFIRMED
    )
    assert nights_of(db_session, hotel)[0][2:] == (1, 0)


def test_paying_after_the_hold_lapsed_and_the_room_went_is_refunded(db_session, hotel):
    late = hold(db_session, hotel, now=utcnow() - dt.timedelta(minutes=31))
    services.release_lapsed_holds(db_session, utcnow())
    for _ in range(3):
        hold(db_session, hotel)
    assert services.confirm_booking(db_session, late, now=utcnow(), actor=WEB) is Outcome.REFUND
    assert late.status is BookingStatus.CANCELLED
    assert nights_of(db_session, hotel)[0][2:] == (0, 3)  # never oversold


def test_cancelling_gives_the_rooms_back_and_refunds_by_the_policy(db_session, hotel):
    early = hold(db_session, hotel)
    services.confirm_booking(db_session, early, now=utcnow(), actor=WEB)
    refund = services.cancel_booking(db_session, early, now=utcnow(), today=in_days(0), actor=WEB)
    assert refund == early.total_amount  # ten days ahead: free cancellation
    late = hold(db_session, hotel, StayRequest(in_days(2), in_days(4), adults=2))
    services.confirm_booking(db_session, late, now=utcnow(), actor=WEB)
    refund = services.cancel_booking(db_session, late, now=utcnow(), today=in_days(0), actor=WEB)
    assert refund == late.total_amount // 2  # two days ahead: half is kept
    assert services.cancel_booking(db_session, late, now=utcnow(), today=in_days(0), actor=WEB) == 0
    assert all(sold == held == 0 for _, _, sold, held in nights_of(db_session, hotel))
    assert [event.action for event in late.history] == ["hold", "confirm", "cancel"]


def test_impossible_requests_are_refused_by_field(db_session, hotel):
    with pytest.raises(BookingError) as refused:
        services.check_request(StayRequest(in_days(-1), in_days(-3), 0, (19,)), in_days(0))
    assert set(refused.value.errors) == {"from", "to", "guests", "children"}


def test_the_database_refuses_to_oversell_whatever_the_code_does(db_session, hotel):
    hold(db_session, hotel)
    row = db_session.scalars(select(InventoryNight)).first()
    row.held = row.rooms + 1
    with pytest.raises(IntegrityError):
        db_session.flush()
