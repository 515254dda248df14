"""The front desk's view of bookings (``lodging.registration.bookings.BookingDesk``).

Only confirmed (paid) bookings of the asking establishment are found; a voucher of
another establishment finds nothing. Checking in is one guarded update: a booking
already checked in by another stay is never checked in again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import url_for
from sqlalchemy import CursorResult, or_, select, update

from core.database import DbSession
from lodging.registration.bookings import AlreadyCheckedInError, BookedArrival
from portal.booking.models import Booking, BookingEvent, BookingStatus


class BookingDesk:
    def arrivals(
        self, session: DbSession, establishment_id: int, day: dt.date
    ) -> list[BookedArrival]:
        query = (
            select(Booking)
            .where(
                Booking.establishment_id == establishment_id,
                Booking.arrival == day,
                Booking.status == BookingStatus.CONFIRMED,
            )
            .order_by(Booking.guest_name)
        )
        return [_arrival(booking) for booking in session.scalars(query)]

    def find(self, session: DbSession, establishment_id: int, voucher: str) -> BookedArrival | None:
        booking = _confirmed(session, establishment_id, voucher)
        return _arrival(booking) if booking is not None else None

    def page_url(self, establishment_id: int) -> str:
        return url_for("establishment_bookings.list_bookings", establishment_id=establishment_id)

    def check_in(
        self,
        session: DbSession,
        establishment_id: int,
        voucher: str,
        stay_id: int,
        now: dt.datetime,
    ) -> None:
        booking = _confirmed(session, establishment_id, voucher)
        if booking is None:
            raise LookupError(voucher)
        if booking.checked_in_at is not None and booking.stay_id == stay_id:
            return  # the same declaration sent twice
        # No stay yet, or the one the guest made checking in online: checked in once.
        result = session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.checked_in_at.is_(None),
                or_(Booking.stay_id.is_(None), Booking.stay_id == stay_id),
            )
            .values(stay_id=stay_id, checked_in_at=now)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", result).rowcount != 1:
            raise AlreadyCheckedInError(voucher)
        session.add(
            BookingEvent(
                booking_id=booking.id,
                at=now,
                action="check_in",
                actor="desk",
                channel="desk",
                before=booking.status.value,
                after=booking.status.value,
            )
        )
        session.expire(booking)

    def attach_self_checkin(
        self, session: DbSession, establishment_id: int, voucher: str, stay_id: int
    ) -> bool:
        booking = _confirmed(session, establishment_id, voucher)
        if booking is None:
            return False
        result = session.execute(
            update(Booking)
            .where(
                Booking.id == booking.id,
                Booking.stay_id.is_(None),
                Booking.checked_in_at.is_(None),
            )
            .values(stay_id=stay_id)
            .execution_options(synchronize_session=False)
        )
        session.expire(booking)
        return cast("CursorResult[Any]", result).rowcount == 1


def _confirmed(session: DbSession, establishment_id: int, voucher: str) -> Booking | None:
    return session.scalar(
        select(Booking).where(
            Booking.voucher == voucher,
            Booking.establishment_id == establishment_id,
            Booking.status == BookingStatus.CONFIRMED,
        )
    )


def _arrival(booking: Booking) -> BookedArrival:
    return BookedArrival(
        voucher=booking.voucher,
        guest_name=booking.guest_name,
        room_type=booking.room_type.name,
        arrival=booking.arrival,
        departure=booking.departure,
        guests=booking.adults + len(booking.children_ages),
        checked_in=booking.checked_in_at is not None,
        self_checkin_stay_id=booking.stay_id if booking.checked_in_at is None else None,
    )
