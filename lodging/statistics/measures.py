"""The measures the dashboard, exports and the IOC API show, read from the ledger.

Plain functions: a session and filters in, frozen dataclasses out. Every figure is a
SQL aggregation over ``statistics_day`` / ``statistics_day_residence`` (never over
stays), and capacity comes from rooms and closures (``capacity``). Definitions follow
Eurostat (reference §5) and the Vietnamese forms (§1.6):

- arrivals: overnight guests checking in (``same_day`` guests apart, no night);
- nights: guest-nights, a night ``d`` when arrival <= d < departure;
- net bedroom occupancy = Σ rooms occupied / Σ rooms available (net of closures);
- net bed-place occupancy = nights / Σ bed places available (net of closures, extra
  beds excluded, so it may exceed 100 %);
- gross bed-place occupancy = nights / (bed places * calendar days);
- average length of stay = nights / arrivals;
- international: residence country other than VN.

Small-cell suppression is the caller's concern; ``guests`` on each row is the number
of distinct guests behind it, which is what suppression needs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from core.database import DbSession
from lodging.properties.models import Establishment
from lodging.statistics import capacity, periods, rollup
from lodging.statistics.models import (
    StatisticsDay,
    StatisticsDayResidence,
    StatisticsMonth,
    StatisticsMonthResidence,
    StatisticsProvinceDay,
    StatisticsProvinceDayResidence,
)
from lodging.statistics.periods import Period

__all__ = ["GroupBy", "MeasureRow", "NowRow", "Period", "Scope", "now", "occupancy", "totals"]
GroupBy = Literal[
    "total",  # one row per period
    "establishment",  # group = establishment id
    "commune",  # group = commune code
    "kind",  # group = EstablishmentKind value
    "stars",  # group = stars (None: not graded)
    "residence_country",  # group = ISO country code; capacity fields are None
    "residence_province",  # Vietnamese residents only, group = province code (0: unknown)
    "international",  # group = "international" | "domestic"; capacity fields are None
]
GroupKey = str | int | None
DayRanges = list[tuple[dt.date, dt.date]]


@dataclass(frozen=True)
class Scope:
    """Which establishments a figure covers; every given filter applies (AND).

    ``establishment_ids`` None means no restriction; an owner passes their own ids
    (an empty collection then yields nothing, never everything).
    """

    establishment_ids: Collection[int] | None = None
    province_code: int | None = None
    commune_code: int | None = None
    kind: str | None = None
    stars: int | None = None


@dataclass(frozen=True)
class MeasureRow:
    """The figures of one group over one period (``first_day``..``last_day`` inclusive)."""

    first_day: dt.date
    last_day: dt.date
    group: GroupKey
    arrivals: int
    same_day: int
    departures: int
    nights: int
    arrivals_international: int
    same_day_international: int
    nights_international: int
    guests: int  # distinct guests with an arrival, a night or a day visit in the period
    # Capacity: None when the grouping is by guest (residence), where it has no meaning.
    rooms_available: int | None
    rooms_occupied: int | None
    bed_places_available: int | None
    bed_places_gross: int | None  # bed places * calendar days, closures ignored

    @property
    def arrivals_total(self) -> int:
        """Overnight and same-day arrivals (Vietnamese *lượt khách phục vụ*)."""
        return self.arrivals + self.same_day

    @property
    def arrivals_domestic(self) -> int:
        return self.arrivals - self.arrivals_international

    @property
    def same_day_domestic(self) -> int:
        return self.same_day - self.same_day_international

    @property
    def nights_domestic(self) -> int:
        return self.nights - self.nights_international

    @property
    def net_room_occupancy(self) -> float | None:
        """Percent; None without capacity."""
        return _percent(self.rooms_occupied, self.rooms_available)

    @property
    def net_bed_occupancy(self) -> float | None:
        """Percent, may exceed 100 (extra beds); None without capacity."""
        return _percent(self.nights, self.bed_places_available)

    @property
    def gross_bed_occupancy(self) -> float | None:
        return _percent(self.nights, self.bed_places_gross)

    @property
    def average_stay(self) -> float | None:
        """Nights per overnight arrival; None without arrivals."""
        return self.nights / self.arrivals if self.arrivals else None


@dataclass(frozen=True)
class NowRow:
    """One commune today: guests staying tonight and guests who arrived today."""

    commune_code: int
    guests_present: int  # overnight guests whose night ``today`` it is
    arrivals: int  # overnight arrivals today
    same_day: int  # day-use guests today


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return 100.0 * part / whole


# Groupings by an attribute of the establishment, which therefore have a capacity.
PLACE_GROUPS: dict[str, InstrumentedAttribute[Any]] = {
    "establishment": Establishment.id,
    "commune": Establishment.commune_code,
    "kind": Establishment.kind,
    "stars": Establishment.stars,
}
_COUNTS = ("arrivals", "same_day", "departures", "nights")
_INTERNATIONAL = ("arrivals_international", "same_day_international", "nights_international")
Cell = tuple[dt.date, Hashable]  # (the row's first day, its group)


def occupancy(
    session: DbSession,
    *,
    first_day: dt.date,
    last_day: dt.date,
    period: Period = "month",
    group_by: GroupBy = "total",
    scope: Scope | None = None,
) -> list[MeasureRow]:
    """All measures per period and group, from ``first_day`` to ``last_day`` inclusive.

    Periods are calendar days, ISO weeks (Monday first), months or years, clipped to
    the range (a row's ``first_day``/``last_day`` say which days it covers). Rows are
    ordered by period then group; a group with no guest and no capacity has no row.

    The whole province (or every place), in total or by where guests live, reads the
    province roll-ups, a row a day. Months and years of groups of places read the
    monthly roll-ups (``rollup``).
    A month the range cuts is read from the daily ledger, or, when the range holds more
    than half of it, as its roll-up less the days left out: never more than half a
    month of daily rows at either end.
    """
    scope = scope or Scope()
    conditions = scope_conditions(scope)
    if conditions is None or last_day < first_day:
        return []
    spans = periods.spans(first_day, last_day, period)
    span_of = {first: (first, last) for first, last in spans}
    first_of = {periods.start_of(first, period): first for first, _ in spans}
    months: list[dt.date] = []
    days: DayRanges = [(first_day, last_day)]
    left_out: DayRanges = []
    source = _Days(StatisticsDay, StatisticsDayResidence, conditions)
    if _by_province(scope, group_by):
        source = _Days(
            StatisticsProvinceDay, StatisticsProvinceDayResidence, [], scope.province_code
        )
    elif _rolled_up(scope, period, group_by):
        months, days, left_out = _plan(first_day, last_day)
    counts: dict[Cell, dict[str, int]] = {}
    carried: dict[Cell, int] = {}
    if months:
        counts, carried = _from_months(session, scope, months, period, group_by, first_of)
    for ranges, sign in ((days, 1), (left_out, -1)):
        if ranges:
            found = _ledger(session, source, ranges, period, group_by, first_of)
            for cell, figures in found.items():
                counts[cell] = _sum(counts.get(cell, {}), figures, sign)
    # A group seen only on the days taken away nets to nothing: no row, as from the days.
    counts = {cell: figures for cell, figures in counts.items() if any(figures.values())}
    firsts = [first for first in span_of if first not in set(months)]
    carried.update(_carried_in(session, source, firsts, group_by))
    rooms: dict[Cell, capacity.Available] | None = None
    if group_by == "total" or group_by in PLACE_GROUPS:
        chosen = capacity.places(session, conditions)
        rooms = capacity.available(session, chosen, spans, _place_key(group_by))
    cells = set(counts) | set(rooms or ())
    return [
        _row(span_of[cell[0]], cell[1], counts.get(cell, {}), carried.get(cell, 0), rooms)
        for cell in sorted(cells, key=_order)
    ]


def _rolled_up(scope: Scope, period: Period, group_by: GroupBy) -> bool:
    """Whether the monthly roll-ups can answer.

    They know groups of places, not establishments, and residences not by commune.
    """
    return (
        period in {"month", "year"}
        and scope.establishment_ids is None
        and group_by != "establishment"
        and not (_by_residence(group_by) and scope.commune_code is not None)
    )


def _plan(first_day: dt.date, last_day: dt.date) -> tuple[list[dt.date], DayRanges, DayRanges]:
    """How to read first_day..last_day: roll-up months, days to add, days to take away.

    A month wholly inside is read from its roll-up. A month the range cuts is read day
    by day when the range holds at most half of it, otherwise as its roll-up less the
    days outside the range.
    """
    months: list[dt.date] = []
    add: DayRanges = []
    take: DayRanges = []
    month = periods.start_of(first_day, "month")
    while month <= last_day:
        end = periods.following(month, "month") - dt.timedelta(days=1)
        inside = (max(month, first_day), min(end, last_day))
        held = (inside[1] - inside[0]).days + 1
        if 2 * held <= (end - month).days + 1:
            add.append(inside)
        else:
            months.append(month)
            before = (month, inside[0] - dt.timedelta(days=1))
            after = (inside[1] + dt.timedelta(days=1), end)
            take.extend(r for r in (before, after) if r[0] <= r[1])
        month = end + dt.timedelta(days=1)
    return months, add, take


def _sum(a: dict[str, int], b: dict[str, int], sign: int = 1) -> dict[str, int]:
    return {name: a.get(name, 0) + sign * b.get(name, 0) for name in set(a) | set(b)}


def _order(cell: Cell) -> tuple[dt.date, bool, Any]:
    first, group = cell
    return first, group is None, group if group is not None else 0


def _row(
    span: tuple[dt.date, dt.date],
    group: Hashable,
    figures: dict[str, int],
    carried_in: int,
    rooms: dict[Cell, capacity.Available] | None,
) -> MeasureRow:
    room = None if rooms is None else rooms.get((span[0], group), capacity.Available())
    return MeasureRow(
        first_day=span[0],
        last_day=span[1],
        group=group,  # type: ignore[arg-type]
        arrivals=figures.get("arrivals", 0),
        same_day=figures.get("same_day", 0),
        departures=figures.get("departures", 0),
        nights=figures.get("nights", 0),
        arrivals_international=figures.get("arrivals_international", 0),
        same_day_international=figures.get("same_day_international", 0),
        nights_international=figures.get("nights_international", 0),
        guests=figures.get("arrivals", 0) + figures.get("same_day", 0) + carried_in,
        rooms_available=None if room is None else room.rooms,
        rooms_occupied=None if room is None else figures.get("rooms_occupied", 0),
        bed_places_available=None if room is None else room.bed_places,
        bed_places_gross=None if room is None else room.bed_places_gross,
    )


def scope_conditions(scope: Scope) -> list[ColumnElement[bool]] | None:
    """SQL conditions on ``Establishment``; None when the scope is empty by definition."""
    conditions: list[ColumnElement[bool]] = []
    if scope.establishment_ids is not None:
        if not scope.establishment_ids:
            return None
        conditions.append(Establishment.id.in_(sorted(scope.establishment_ids)))
    if scope.province_code is not None:
        conditions.append(Establishment.province_code == scope.province_code)
    if scope.commune_code is not None:
        conditions.append(Establishment.commune_code == scope.commune_code)
    if scope.kind is not None:
        conditions.append(Establishment.kind == scope.kind)
    if scope.stars is not None:
        conditions.append(Establishment.stars == scope.stars)
    return conditions


def _place_key(group_by: GroupBy) -> Any:
    if group_by == "total":
        return lambda place: None
    attribute = {"establishment": "id", "commune": "commune_code"}.get(group_by, group_by)
    return lambda place: getattr(place, attribute)


def _group_expression(group_by: GroupBy, r: Any = StatisticsDayResidence) -> Any:
    """The grouping column, on the daily tables (joined to ``Establishment``) or on ``r``.

    A monthly roll-up ``r`` has the place's attributes as its own columns.
    """
    if group_by in PLACE_GROUPS:
        if r in {StatisticsMonth, StatisticsMonthResidence}:
            return getattr(r, {"commune": "commune_code"}.get(group_by, group_by))
        return PLACE_GROUPS[group_by]
    if group_by == "residence_country":
        return r.residence_country
    if group_by == "residence_province":
        return r.residence_province_code
    if group_by == "international":
        return case((r.residence_country == "VN", "domestic"), else_="international")
    return None


def _by_residence(group_by: GroupBy) -> bool:
    return group_by in {"residence_country", "residence_province", "international"}


def _sums(group_by: GroupBy, table: Any) -> list[Any]:
    """The sums of ``table``'s counts, international ones worked out by residence."""
    if not _by_residence(group_by):
        columns = (*_COUNTS, *_INTERNATIONAL, "rooms_occupied")
        return [func.sum(getattr(table, name)).label(name) for name in columns]
    r = table
    abroad = r.residence_country != "VN"
    sums = [func.sum(getattr(r, name)).label(name) for name in _COUNTS]
    for name in _INTERNATIONAL:
        column = getattr(r, name.removesuffix("_international"))
        sums.append(func.sum(case((abroad, column), else_=0)).label(name))
    return sums


@dataclass(frozen=True)
class _Days:
    """Where daily figures come from: each establishment's days, or each province's."""

    day: Any
    residence: Any
    conditions: list[ColumnElement[bool]]  # on ``Establishment``, joined when needed
    province_code: int | None = None  # the province tables' own filter

    def table(self, group_by: GroupBy) -> Any:
        return self.residence if _by_residence(group_by) else self.day

    def filtered(self, stmt: Select[Any], table: Any, group_by: GroupBy) -> Select[Any]:
        if self.day is StatisticsProvinceDay:
            if self.province_code is None:
                return stmt
            return stmt.where(table.province_code == self.province_code)
        return _placed(stmt, table, self.conditions, group_by)


def _by_province(scope: Scope, group_by: GroupBy) -> bool:
    """Whether the province roll-ups can answer: whole provinces, no group of places."""
    return (
        scope.establishment_ids is None
        and scope.commune_code is None
        and scope.kind is None
        and scope.stars is None
        and group_by not in PLACE_GROUPS
    )


def _placed(
    stmt: Select[Any], table: Any, conditions: list[ColumnElement[bool]], group_by: GroupBy
) -> Select[Any]:
    """``stmt`` joined to the establishments when a condition or the grouping needs them."""
    if not conditions and group_by not in PLACE_GROUPS:
        return stmt
    joined = stmt.join(Establishment, Establishment.id == table.establishment_id)
    return joined.where(*conditions)


def _ledger(  # noqa: PLR0917 - the query's parts, as occupancy has them
    session: DbSession,
    source: _Days,
    days: Sequence[tuple[dt.date, dt.date]],
    period: Period,
    group_by: GroupBy,
    first_of: Mapping[dt.date, dt.date],
) -> dict[Cell, dict[str, int]]:
    """The daily ledger's sums over the day ranges ``days``, per (period, group)."""
    table = source.table(group_by)
    dialect = session.get_bind().dialect.name
    bucket = periods.bucket(table.day, period, dialect).label("bucket")
    group = _group_expression(group_by, table)
    keys = [bucket] if group is None else [bucket, group.label("grp")]
    stmt = source.filtered(select(*keys, *_sums(group_by, table)), table, group_by)
    stmt = stmt.where(or_(*(table.day.between(a, b) for a, b in days))).group_by(*keys)
    if group_by == "residence_province":
        stmt = stmt.where(table.residence_country == "VN")
    result: dict[Cell, dict[str, int]] = {}
    for row in session.execute(stmt).mappings():
        first = first_of[periods.key_start(row["bucket"])]
        group_key = _plain(row["grp"]) if group is not None else None
        result[(first, group_key)] = {
            name: int(value or 0) for name, value in row.items() if name not in {"bucket", "grp"}
        }
    return result


def _plain(value: Any) -> Hashable:
    # Enum members (kind) come back as StrEnum: callers want the plain value.
    return str(value) if isinstance(value, str) else value


def _from_months(  # noqa: PLR0917 - the query's parts, as occupancy has them
    session: DbSession,
    scope: Scope,
    months: Sequence[dt.date],
    period: Period,
    group_by: GroupBy,
    first_of: Mapping[dt.date, dt.date],
) -> tuple[dict[Cell, dict[str, int]], dict[Cell, int]]:
    """Sums per (period, group) from the monthly roll-ups, and carried-in guests.

    Guests carried in are known for each period that starts on one of ``months``.
    """
    table: Any = StatisticsMonthResidence if _by_residence(group_by) else StatisticsMonth
    group = _group_expression(group_by, table)
    keys = [table.month] if group is None else [table.month, group.label("grp")]
    stmt = (
        select(*keys, *_sums(group_by, table), func.sum(table.carried_in).label("carried"))
        .where(table.month.between(months[0], months[-1]), *rollup.conditions_of(table, scope))
        .group_by(*keys)
    )
    if group_by == "residence_province":
        stmt = stmt.where(table.residence_country == "VN")
    counts: dict[Cell, dict[str, int]] = {}
    carried: dict[Cell, int] = {}
    for row in session.execute(stmt).mappings():
        group_key = _plain(row["grp"]) if group is not None else None
        if group_by == "stars" and group_key == rollup.UNGRADED:
            group_key = None
        month = row["month"]
        first = first_of[periods.start_of(month, period)]
        figures = {
            name: int(value or 0)
            for name, value in row.items()
            if name not in {"month", "grp", "carried"}
        }
        counts[(first, group_key)] = _sum(counts.get((first, group_key), {}), figures)
        if month == first:
            carried[(first, group_key)] = int(row["carried"] or 0)
    return counts, carried


def _carried_in(
    session: DbSession,
    source: _Days,
    firsts: Sequence[dt.date],
    group_by: GroupBy,
) -> dict[Cell, int]:
    """Guests present the first night of each of ``firsts`` who arrived before it."""
    if not firsts:
        return {}
    table = source.table(group_by)
    group = _group_expression(group_by, table)
    keys = [table.day] if group is None else [table.day, group]
    stmt = select(*keys, func.sum(table.nights) - func.sum(table.arrivals))
    stmt = source.filtered(stmt, table, group_by)
    stmt = stmt.where(table.day.in_(firsts)).group_by(*keys)
    if group_by == "residence_province":
        stmt = stmt.where(table.residence_country == "VN")
    result: dict[Cell, int] = {}
    for row in session.execute(stmt):
        group_key = _plain(row[1]) if group is not None else None
        result[(row[0], group_key)] = int(row[-1] or 0)
    return result


def totals(
    session: DbSession, *, first_day: dt.date, last_day: dt.date, scope: Scope | None = None
) -> MeasureRow:
    """The whole range as one row (group None)."""
    rows = occupancy(session, first_day=first_day, last_day=last_day, period="year", scope=scope)
    empty = capacity.Available() if rows or scope_conditions(scope or Scope()) is not None else None
    figures: dict[str, int] = defaultdict(int)
    for row in rows:
        for name in (*_COUNTS, *_INTERNATIONAL, "rooms_occupied"):
            figures[name] += getattr(row, name) or 0
    room = capacity.Available(
        rooms=sum(row.rooms_available or 0 for row in rows),
        bed_places=sum(row.bed_places_available or 0 for row in rows),
        bed_places_gross=sum(row.bed_places_gross or 0 for row in rows),
    )
    # Guests carried into later years arrived in an earlier one: count them once.
    carried_in = rows[0].guests - rows[0].arrivals_total if rows else 0
    rooms: dict[Cell, capacity.Available] | None = (
        {(first_day, None): room} if empty is not None else None
    )
    return _row((first_day, last_day), None, figures, carried_in, rooms)


def now(session: DbSession, today: dt.date, scope: Scope | None = None) -> list[NowRow]:
    """Guests present and arrivals on ``today`` (a Vietnam date) by commune."""
    conditions = scope_conditions(scope or Scope())
    if conditions is None:
        return []
    d = StatisticsDay
    stmt = (
        select(
            Establishment.commune_code,
            func.sum(d.nights),
            func.sum(d.arrivals),
            func.sum(d.same_day),
        )
        .join(Establishment, Establishment.id == d.establishment_id)
        .where(d.day == today, *conditions)
        .group_by(Establishment.commune_code)
        .order_by(Establishment.commune_code)
    )
    return [
        NowRow(
            commune_code=c, guests_present=int(p or 0), arrivals=int(a or 0), same_day=int(s or 0)
        )
        for c, p, a, s in session.execute(stmt)
    ]
