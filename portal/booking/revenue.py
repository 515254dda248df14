"""What was booked through the portal, month by month: the dashboard's booked revenue.

A confirmed booking is paid; its total is spread evenly over its nights (a night
``arrival <= night < departure``), in whole đồng that add up to the total exactly, and
each month gets the share of its nights. Held, expired and cancelled bookings count
for nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import select

from core.database import DbSession
from portal.booking.models import VND, Booking, BookingStatus


def by_month(arrival: dt.date, departure: dt.date, amount: int) -> dict[dt.date, int]:
    """The amount shared by night, per first day of month, the shares adding to it."""
    nights = (departure - arrival).days
    shares: dict[dt.date, int] = {}
    done = 0
    day = arrival
    while day < departure:
        month = day.replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        end = min(following, departure)
        upto = done + (end - day).days
        shares[month] = amount * upto // nights - amount * done // nights
        done, day = upto, end
    return shares


def booked_revenue(
    session: DbSession,
    first_day: dt.date,
    last_day: dt.date,
    establishment_ids: Collection[int] | None = None,
) -> dict[tuple[int, dt.date], int]:
    """(establishment, first day of month) -> đồng of confirmed bookings' nights in it.

    Months from ``first_day``'s to ``last_day``'s; ``establishment_ids`` None: every one.
    """
    stmt = select(
        Booking.establishment_id, Booking.arrival, Booking.departure, Booking.total_amount
    ).where(
        Booking.status == BookingStatus.CONFIRMED,
        Booking.currency == VND,
        Booking.arrival <= last_day,
        Booking.departure > first_day.replace(day=1),
    )
    if establishment_ids is not None:
        stmt = stmt.where(Booking.establishment_id.in_(sorted(establishment_ids)))
    first, last = first_day.replace(day=1), last_day.replace(day=1)
    result: defaultdict[tuple[int, dt.date], int] = defaultdict(int)
    for establishment_id, arrival, departure, amount in session.execute(stmt):
        for month, share in by_month(arrival, departure, amount).items():
            if first <= month <= last:
                result[(establishment_id, month)] += share
    return dict(result)
