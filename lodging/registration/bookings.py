"""Booked arrivals at the front desk: what a booking system tells the desk.

The tourist site's booking (``portal.booking``) sits above lodging, so it registers
itself on the application when it is built (``register_booking_desk``); the desk only
asks which bookings arrive on a day, which booking a voucher names (at this
establishment only), and to mark one checked in by the stay just declared, once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

from flask import Flask

from core.database import DbSession

_NOT_VOUCHER = re.compile(r"[^A-Z0-9]")


@dataclass(frozen=True)
class BookedArrival:
    voucher: str
    guest_name: str
    room_type: str
    arrival: dt.date
    departure: dt.date
    guests: int
    checked_in: bool
    # The stay the guest made by checking in online before arriving (waiting at the desk).
    self_checkin_stay_id: int | None = None


class AlreadyCheckedInError(Exception):
    """The booking was checked in by another stay."""


class BookingDesk(Protocol):
    def arrivals(
        self, session: DbSession, establishment_id: int, day: dt.date
    ) -> list[BookedArrival]: ...

    def find(
        self, session: DbSession, establishment_id: int, voucher: str
    ) -> BookedArrival | None: ...

    def page_url(self, establishment_id: int) -> str:
        """Where the desk lists and cancels this establishment's bookings."""
        ...

    def check_in(
        self,
        session: DbSession,
        establishment_id: int,
        voucher: str,
        stay_id: int,
        now: dt.datetime,
    ) -> None:
        """Mark the booking checked in by ``stay_id``; AlreadyCheckedInError if another did."""
        ...

    def attach_self_checkin(
        self, session: DbSession, establishment_id: int, voucher: str, stay_id: int
    ) -> bool:
        """The guest checked in online as ``stay_id``: keep it for the desk (the first only)."""
        ...


class BookingDesks:
    """The booking systems an application's front desk asks, in the order they registered."""

    def __init__(self) -> None:
        self._desks: list[BookingDesk] = []

    def register(self, desk: BookingDesk) -> None:
        """Let the desk see ``desk``'s bookings; registering twice is a no-op."""
        if desk not in self._desks:
            self._desks.append(desk)

    def bookings_pages(self, establishment_id: int) -> list[str]:
        """The pages where the desk sees this establishment's bookings (none without booking)."""
        return [desk.page_url(establishment_id) for desk in self._desks]

    def booked_arrivals(
        self, session: DbSession, establishment_id: int, day: dt.date
    ) -> list[BookedArrival]:
        return [
            found for desk in self._desks for found in desk.arrivals(session, establishment_id, day)
        ]

    def find_booking(
        self, session: DbSession, establishment_id: int, voucher: str
    ) -> BookedArrival | None:
        code = normal_voucher(voucher)
        for desk in self._desks:
            found = desk.find(session, establishment_id, code) if code else None
            if found is not None:
                return found
        return None

    def attach_self_checkin(
        self, session: DbSession, establishment_id: int, voucher: str, stay_id: int
    ) -> bool:
        """Link a stay made by online self check-in to the booking the voucher names, if any."""
        code = normal_voucher(voucher)
        for desk in self._desks:
            if code and desk.find(session, establishment_id, code) is not None:
                return desk.attach_self_checkin(session, establishment_id, code, stay_id)
        return False

    def check_in_booking(
        self,
        session: DbSession,
        establishment_id: int,
        voucher: str,
        stay_id: int,
        now: dt.datetime,
    ) -> None:
        """Mark the booking named by ``voucher`` checked in; LookupError if there is none."""
        code = normal_voucher(voucher)
        for desk in self._desks:
            if desk.find(session, establishment_id, code) is not None:
                desk.check_in(session, establishment_id, code, stay_id, now)
                return
        raise LookupError(voucher)


def register_booking_desk(app: Flask, desk: BookingDesk) -> None:
    """Let ``app``'s front desk see ``desk``'s bookings (``portal.app`` registers the site's)."""
    booking_desks(app).register(desk)


def booking_desks(app: Flask) -> BookingDesks:
    """The booking desks registered on ``app`` (none: the desk shows no bookings)."""
    found: BookingDesks = app.extensions.setdefault("booking_desks", BookingDesks())
    return found


def normal_voucher(typed: str) -> str:
    """A voucher as typed or scanned: case, spaces and dashes do not matter."""
    return _NOT_VOUCHER.sub("", typed.upper())
