"""The ledger's figures for one establishment's month, as the monthly report states them.

Owned by the dashboard work (H8), beside the ledger it reads.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from core.database import DbSession
from lodging.statistics import measures


@dataclass(frozen=True)
class MonthlyFigures:
    overnight_international: int
    overnight_domestic: int
    same_day_international: int
    same_day_domestic: int
    nights_international: int
    nights_domestic: int
    room_nights: int
    bed_nights: int
    rooms_available: int
    bed_places_available: int


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of the month."""
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def monthly_figures(
    session: DbSession, establishment_id: int, year: int, month: int
) -> MonthlyFigures:
    """Arrivals, guest-nights, room- and bed-nights of the month, from the ledger.

    A bed-night used is a guest-night: every guest sleeps in one bed place (extra
    beds included), which is why bed occupancy may pass 100 %.
    """
    first, last = month_range(year, month)
    row = measures.totals(
        session,
        first_day=first,
        last_day=last,
        scope=measures.Scope(establishment_ids=[establishment_id]),
    )
    return MonthlyFigures(
        overnight_international=row.arrivals_international,
        overnight_domestic=row.arrivals_domestic,
        same_day_international=row.same_day_international,
        same_day_domestic=row.same_day_domestic,
        nights_international=row.nights_international,
        nights_domestic=row.nights_domestic,
        room_nights=row.rooms_occupied or 0,
        bed_nights=row.nights,
        rooms_available=row.rooms_available or 0,
        bed_places_available=row.bed_places_available or 0,
    )
