"""Keeping the ledger in step with stays, one stay change at a time.

On every change the stay's guests are projected again (``StatisticsGuestStay``) and
the ledger gets the difference: what the stay counted before is taken away, what it
counts now is added, day by day, in the same transaction. Nights, arrivals and
residences add up; a room's count moves only on the nights the stay fills it or
leaves it empty, which the room's other guests decide (read for that room alone). The
work is the stay's own days, whatever the number of guests present.

Days count up to the stored horizon (``horizon``): a stay still in the house counts
its expected nights up to it, and ``extend_horizon`` (a daily task) counts the days it
adds. A change thus writes at most the days from its arrival to the horizon.

Guests who checked themselves in count only once staff confirmed them (anyone with
the poster's link could otherwise fill an establishment's arrivals and nationalities);
confirmed, they count from their arrival day. Cancelled stays count nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from sqlalchemy import Delete, Insert, Select, Table, bindparam, delete, insert, select

from core.clock import VIETNAM
from core.database import DbSession
from lodging.properties.models import Room
from lodging.registration.models import Stay, StayStatus
from lodging.statistics import horizon, rollup
from lodging.statistics.models import (
    NO_PROVINCE,
    StatisticsGuestStay,
)

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
        if guest.confirmed_at is None:  # a self check-in staff have not seen yet
            continue
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


# The statements of every stay change, built once with bound parameters: SQLAlchemy
# builds a statement written out in a call anew, and computes its cache key again,
# every time (about 0.2 ms apiece).


@cache
def _projection_of_stay() -> Select[Any]:
    g = StatisticsGuestStay
    return select(*g.__table__.columns).where(g.stay_id == bindparam("stay_id"))


@cache
def _remove_projection() -> Delete:
    g = StatisticsGuestStay
    return delete(g).where(g.stay_id == bindparam("stay_id"))


@cache
def _add_projection() -> Insert:
    return insert(cast(Table, StatisticsGuestStay.__table__))  # the table's: no ORM bulk insert


@cache
def _lock_rooms() -> Select[Any]:
    # NO KEY UPDATE: the stay's own insert holds KEY SHARE on its room (the foreign
    # key), which FOR UPDATE would wait on, deadlocking two stays.
    return (
        select(Room.id)
        .where(Room.id.in_(bindparam("rooms", expanding=True)))
        .order_by(Room.id)
        .with_for_update(key_share=True)
    )


@cache
def _others_in_rooms() -> Select[Any]:
    g = StatisticsGuestStay
    return select(g.arrival_day, g.departure_day, g.room_key, g.residence_country).where(
        g.establishment_id == bindparam("establishment_id"),
        g.room_key.in_(bindparam("rooms", expanding=True)),
        g.stay_id != bindparam("stay_id"),
        g.arrival_day <= bindparam("last"),
        g.departure_day > bindparam("first"),
    )


def apply_stay(session: DbSession, stay: Stay) -> None:
    """Bring the ledger in line with ``stay``'s current state (a stay-change listener).

    What the stay counted before (its projection rows) is taken away and what it counts
    now is added, day by day up to the horizon: the work is the stay's own days, never
    the other guests present, and never more days than the horizon allows.
    """
    old = [
        dict(row) for row in session.execute(_projection_of_stay(), {"stay_id": stay.id}).mappings()
    ]
    new = project_stay(stay)
    if _facts(old) == _facts(new):
        return  # a confirmation or a correction of names: nothing the ledger counts
    if old:
        session.execute(_remove_projection(), {"stay_id": stay.id})
    if new:
        session.execute(_add_projection(), new)
    last_day = horizon.current(session)
    for establishment_id in sorted({row["establishment_id"] for row in old + new}):
        before = [_span(row) for row in old if row["establishment_id"] == establishment_id]
        after = [_span(row) for row in new if row["establishment_id"] == establishment_id]
        _count_difference(session, establishment_id, stay.id, (before, after), last_day)


def _facts(rows: Iterable[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(sorted(row.items())) for row in rows}


def _span(row: dict[str, Any]) -> GuestSpan:
    return GuestSpan(
        row["arrival_day"],
        row["departure_day"],
        row["room_key"],
        row["residence_country"],
        row["residence_province_code"],
    )


def _count_difference(
    session: DbSession,
    establishment_id: int,
    stay_id: int,
    spans: tuple[list[GuestSpan], list[GuestSpan]],
    last_day: dt.date,
) -> None:
    """Add to the ledger what replacing the stay's ``before`` spans by ``after`` changes."""
    before, after = spans
    both = before + after
    first = min(span.arrival_day for span in both)
    last = min(last_day, max(span.departure_day for span in both))
    if first > last:
        return  # everything it changes lies beyond the horizon
    old_days, old_residences = tally(before, first, last)
    new_days, new_residences = tally(after, first, last)
    days = _minus(new_days, old_days, ("day",), ADDITIVE_DAY_COUNTS)
    rooms = _rooms_changed(session, establishment_id, stay_id, spans, (first, last))
    for row in days.values():
        row["rooms_occupied"] = 0
    for day, change in rooms.items():
        row = days.setdefault((day,), {"day": day} | dict.fromkeys(rollup.DAY_COUNTS, 0))
        row["rooms_occupied"] += change
    residences = _minus(new_residences, old_residences, RESIDENCE_KEY, rollup.RESIDENCE_COUNTS)
    rollup.add_to_ledger(session, establishment_id, list(days.values()), list(residences.values()))


ADDITIVE_DAY_COUNTS = tuple(name for name in rollup.DAY_COUNTS if name != "rooms_occupied")
RESIDENCE_KEY = ("day", "residence_country", "residence_province_code")


def _minus(
    new: list[dict[str, Any]],
    old: list[dict[str, Any]],
    key: tuple[str, ...],
    counts: Sequence[str],
) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``new`` less ``old``, cell by cell (keyed by ``key``); cells left at nothing go."""
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sign, rows in ((1, new), (-1, old)):
        for row in rows:
            cell = cells.setdefault(
                tuple(row[k] for k in key),
                {k: row[k] for k in key} | dict.fromkeys(counts, 0),
            )
            for name in counts:
                cell[name] += sign * row[name]
    return {k: cell for k, cell in cells.items() if any(cell[name] for name in counts)}


def _rooms_changed(
    session: DbSession,
    establishment_id: int,
    stay_id: int,
    spans: tuple[list[GuestSpan], list[GuestSpan]],
    window: tuple[dt.date, dt.date],
) -> Counter[dt.date]:
    """Per day, the rooms the change newly fills (+) or leaves empty (-).

    A room the stay enters or leaves on a night changes the count only if no other
    stay's guest sleeps there that night: those are read for the rooms concerned
    alone (a room's few guests, not the hotel's), after locking the rooms so that two
    changes to one room on PostgreSQL count each other (SQLite has one writer).
    """
    before, after = (_occupied(side, *window) for side in spans)
    changed = before ^ after
    shared = sorted({room for room, _ in changed if room > 0})  # -stay_id: its own room
    taken: set[tuple[int, dt.date]] = set()
    if shared:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(_lock_rooms(), {"rooms": shared})
        days = [day for _, day in changed]
        first, last = min(days), max(days)
        others = session.execute(
            _others_in_rooms(),
            {"establishment_id": establishment_id, "rooms": shared, "stay_id": stay_id}
            | {"first": first, "last": last},
        )
        taken = _occupied([GuestSpan(*row) for row in others], first, last)
    rooms: Counter[dt.date] = Counter()
    for room, day in changed - taken:
        rooms[day] += 1 if (room, day) in after else -1
    return rooms


def _occupied(
    spans: Iterable[GuestSpan], first: dt.date, last: dt.date
) -> set[tuple[int, dt.date]]:
    return {(span.room_key, day) for span in spans for day in _nights(span, first, last)}


def extend_horizon(session: DbSession, now: dt.datetime) -> None:
    """Move the horizon to ``horizon.HORIZON_DAYS`` after today, counting the days it adds.

    A periodic task: run again the same day, it finds nothing to do. The new days have
    no cell yet, so they are counted from every guest they hold (long stays only).
    """
    old = horizon.current(session, for_update=True)
    new = horizon.wanted(now.astimezone(VIETNAM).date())
    if new <= old:
        return
    g = StatisticsGuestStay
    first = old + dt.timedelta(days=1)
    spans: defaultdict[int, list[GuestSpan]] = defaultdict(list)
    for establishment_id, *facts in session.execute(
        select(
            g.establishment_id,
            g.arrival_day,
            g.departure_day,
            g.room_key,
            g.residence_country,
            g.residence_province_code,
        ).where(g.arrival_day <= new, g.departure_day >= first)
    ):
        spans[establishment_id].append(GuestSpan(*facts))
    for establishment_id in sorted(spans):
        days, residences = tally(spans[establishment_id], first, new)
        rollup.add_to_ledger(session, establishment_id, days, residences)
    horizon.move_to(session, new)


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
