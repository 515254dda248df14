"""Keeping the ledger in step with stays, one stay change at a time.

On every change the stay's guests are projected again (``StatisticsGuestStay``) and
the ledger cells the old and the new projection touch are recomputed from the
projection of that establishment alone: a hotel's few dozen overlapping guests, never
the stays table. Recomputing cells (rather than adding and subtracting deltas) keeps
distinct-room counts exact and cannot drift.

Unconfirmed self-check-in guests count from their arrival: they are in the house,
only their papers wait for staff. Cancelled stays count nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select

from lodging.registration.models import Stay, StayStatus
from lodging.statistics import rollup
from lodging.statistics.models import (
    NO_PROVINCE,
    StatisticsDay,
    StatisticsDayResidence,
    StatisticsGuestStay,
)
from portal.core.clock import VIETNAM
from portal.core.database import DbSession

DOMESTIC = "VN"


@dataclass(frozen=True)
class GuestSpan:
    """One guest's statistics-purpose facts (a ``StatisticsGuestStay`` row)."""

    arrival_day: dt.date
    departure_day: dt.date
    room_key: int
    residence_country: str
    residence_province_code: int = NO_PROVINCE

    @property
    def international(self) -> bool:
        return self.residence_country != DOMESTIC


@dataclass
class _DayCell:
    nights: int = 0
    arrivals: int = 0
    departures: int = 0
    same_day: int = 0
    nights_international: int = 0
    arrivals_international: int = 0
    same_day_international: int = 0
    rooms: set[int] = field(default_factory=set)


def departure_day(stay: Stay) -> dt.date:
    """The day the guests leave: the real one once checked out, the expected one before."""
    if stay.status is StayStatus.CHECKED_OUT and stay.departed_at is not None:
        return stay.departed_at.astimezone(VIETNAM).date()
    return stay.expected_departure


def project_stay(stay: Stay) -> list[dict[str, Any]]:
    """The ``StatisticsGuestStay`` rows of ``stay`` as it is now (none if cancelled)."""
    if stay.status is StayStatus.CANCELLED:
        return []
    leaving = departure_day(stay)
    rows = []
    for guest in stay.guests:
        arrival = guest.arrival.astimezone(VIETNAM).date()
        domestic = guest.residence_country == DOMESTIC
        rows.append(
            {
                "guest_id": guest.id,
                "stay_id": stay.id,
                "establishment_id": stay.establishment_id,
                "room_key": stay.room_id if stay.room_id is not None else -stay.id,
                "arrival_day": arrival,
                # A late member may arrive after the group's departure was recorded.
                "departure_day": max(leaving, arrival),
                "residence_country": guest.residence_country,
                "residence_province_code": (guest.residence_province_code or NO_PROVINCE)
                if domestic
                else NO_PROVINCE,
            }
        )
    return rows


def apply_stay(session: DbSession, stay: Stay) -> None:
    """Bring the ledger in line with ``stay``'s current state (a stay-change listener)."""
    g = StatisticsGuestStay
    windows: dict[int, tuple[dt.date, dt.date]] = {}
    old = session.execute(
        select(g.establishment_id, func.min(g.arrival_day), func.max(g.departure_day))
        .where(g.stay_id == stay.id)
        .group_by(g.establishment_id)
    ).all()
    for establishment_id, first, last in old:
        _widen(windows, establishment_id, first, last)
    session.execute(delete(g).where(g.stay_id == stay.id))
    rows = project_stay(stay)
    if rows:
        session.execute(insert(g), rows)
        for row in rows:
            _widen(windows, row["establishment_id"], row["arrival_day"], row["departure_day"])
    for establishment_id, (first, last) in windows.items():
        refresh_cells(session, establishment_id, first, last)


def _widen(
    windows: dict[int, tuple[dt.date, dt.date]], key: int, first: dt.date, last: dt.date
) -> None:
    if key in windows:
        first, last = min(first, windows[key][0]), max(last, windows[key][1])
    windows[key] = (first, last)


def refresh_cells(session: DbSession, establishment_id: int, first: dt.date, last: dt.date) -> None:
    """Recompute the establishment's ledger rows from ``first`` to ``last`` inclusive."""
    g = StatisticsGuestStay
    spans = [
        GuestSpan(*row)
        for row in session.execute(
            select(
                g.arrival_day,
                g.departure_day,
                g.room_key,
                g.residence_country,
                g.residence_province_code,
            ).where(
                g.establishment_id == establishment_id,
                g.arrival_day <= last,
                g.departure_day >= first,
            )
        )
    ]
    before: list[list[dict[str, Any]]] = []
    for table in (StatisticsDay, StatisticsDayResidence):
        # The rows going are what the roll-ups lose: deleted and read in one statement.
        columns = [c for c in table.__table__.columns if c.name != "establishment_id"]
        gone = session.execute(
            delete(table)
            .where(table.establishment_id == establishment_id, table.day.between(first, last))
            .returning(*columns)
        )
        before.append([dict(row) for row in gone.mappings()])
    days, residences = tally(spans, first, last)
    rollup.add_changes(
        session,
        rollup.group_of(session, establishment_id),
        (before[0], before[1]),
        (days, residences),
    )
    if days:
        session.execute(
            insert(StatisticsDay), [{"establishment_id": establishment_id, **d} for d in days]
        )
    if residences:
        session.execute(
            insert(StatisticsDayResidence),
            [{"establishment_id": establishment_id, **r} for r in residences],
        )


def tally(
    spans: Iterable[GuestSpan], first: dt.date, last: dt.date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Day rows and residence rows (without establishment) for the days first..last."""
    cells: defaultdict[dt.date, _DayCell] = defaultdict(_DayCell)
    residence: defaultdict[tuple[dt.date, str, int], Counter[str]] = defaultdict(Counter)

    def inside(day: dt.date) -> bool:
        return first <= day <= last

    for span in spans:
        key = (span.residence_country, span.residence_province_code)
        intl = int(span.international)
        if span.arrival_day == span.departure_day:
            if inside(span.arrival_day):
                cells[span.arrival_day].same_day += 1
                cells[span.arrival_day].same_day_international += intl
                residence[(span.arrival_day, *key)]["same_day"] += 1
            continue
        if inside(span.arrival_day):
            cells[span.arrival_day].arrivals += 1
            cells[span.arrival_day].arrivals_international += intl
            residence[(span.arrival_day, *key)]["arrivals"] += 1
        if inside(span.departure_day):
            cells[span.departure_day].departures += 1
            residence[(span.departure_day, *key)]["departures"] += 1
        for day in _nights(span, first, last):
            cell = cells[day]
            cell.nights += 1
            cell.nights_international += intl
            cell.rooms.add(span.room_key)
            residence[(day, *key)]["nights"] += 1
    return _day_rows(cells), _residence_rows(residence)


def _nights(span: GuestSpan, first: dt.date, last: dt.date) -> Iterable[dt.date]:
    day = max(span.arrival_day, first)
    end = min(span.departure_day - dt.timedelta(days=1), last)
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _day_rows(cells: dict[dt.date, _DayCell]) -> list[dict[str, Any]]:
    return [
        {
            "day": day,
            "nights": c.nights,
            "arrivals": c.arrivals,
            "departures": c.departures,
            "same_day": c.same_day,
            "rooms_occupied": len(c.rooms),
            "nights_international": c.nights_international,
            "arrivals_international": c.arrivals_international,
            "same_day_international": c.same_day_international,
        }
        for day, c in sorted(cells.items())
    ]


def _residence_rows(
    residence: dict[tuple[dt.date, str, int], Counter[str]],
) -> list[dict[str, Any]]:
    return [
        {
            "day": day,
            "residence_country": country,
            "residence_province_code": province,
            "nights": counts["nights"],
            "arrivals": counts["arrivals"],
            "departures": counts["departures"],
            "same_day": counts["same_day"],
        }
        for (day, country, province), counts in sorted(residence.items())
    ]


def apply_stays(session: DbSession, stays: Sequence[Stay]) -> None:
    """``apply_stay`` for several stays (a batch from the CLI or a test)."""
    for stay in stays:
        apply_stay(session, stay)
