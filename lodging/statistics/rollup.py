"""The roll-ups: the daily ledger summed over groups of establishments.

``statistics_month`` and ``statistics_month_residence`` hold, per calendar month and
(province, commune, kind, stars) (residences: without the commune), the sums of
``statistics_day`` and ``statistics_day_residence``; ``statistics_province_day`` and
``statistics_province_day_residence`` hold them per day and province. The ledger adds
the difference its daily rows made (``add_changes``), so they never drift from the
days; the rebuild recomputes them from the days (``rebuild_rollups``). A province-wide
year then reads a few thousand rows, not one per establishment and day.

A place's group is read when its days change. Nothing in the portal changes an
establishment's province, commune, kind or stars after registration; a service that
does must move its sums with ``regroup``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Date, TextClause, bindparam, delete, select, text

from core.database import DbSession
from lodging.properties.models import Establishment
from lodging.statistics import periods
from lodging.statistics.models import (
    StatisticsDay,
    StatisticsDayResidence,
    StatisticsMonth,
    StatisticsMonthResidence,
    StatisticsProvinceDay,
    StatisticsProvinceDayResidence,
)

GROUP = ("province_code", "commune_code", "kind", "stars")
WITHOUT_COMMUNE = ("province_code", "kind", "stars")
RESIDENCE = ("residence_country", "residence_province_code")
DAY_COUNTS = (
    "nights",
    "arrivals",
    "departures",
    "same_day",
    "rooms_occupied",
    "nights_international",
    "arrivals_international",
    "same_day_international",
)
RESIDENCE_COUNTS = ("nights", "arrivals", "departures", "same_day")
UNGRADED = 0  # ``stars`` of a place without stars: a key column cannot be NULL

Key = tuple[Any, ...]


def group_of(session: DbSession, establishment_id: int) -> dict[str, Any]:
    """The roll-up group (province, commune, kind, stars) of one establishment."""
    place = session.get(Establishment, establishment_id)  # no query when already loaded
    if place is None:
        raise LookupError(establishment_id)
    province, commune, kind, stars = (
        place.province_code,
        place.commune_code,
        place.kind,
        place.stars,
    )
    return {
        "province_code": province,
        "commune_code": commune,
        "kind": str(kind),
        "stars": UNGRADED if stars is None else stars,
    }


@dataclass(frozen=True)
class Rollup:
    """One roll-up table: daily rows summed by period (``grain``) and ``group`` columns."""

    model: Any
    group: tuple[str, ...]  # the place's attributes it keeps
    grain: str  # "month" (keyed by its first day, with ``carried_in``) or "day"
    residence: bool  # by where guests live (``statistics_day_residence``'s rows)

    @property
    def period(self) -> str:
        return self.grain

    @property
    def keys(self) -> tuple[str, ...]:
        return RESIDENCE if self.residence else ()

    @property
    def counts(self) -> tuple[str, ...]:
        own = RESIDENCE_COUNTS if self.residence else DAY_COUNTS
        return (*own, "carried_in") if self.grain == "month" else own

    def sums(self, rows: Iterable[Mapping[str, Any]]) -> dict[Key, Counter[str]]:
        """Daily rows summed by (period, *keys), with ``carried_in`` from first days."""
        found: defaultdict[Key, Counter[str]] = defaultdict(Counter)
        for row in rows:
            day: dt.date = row["day"]
            start = periods.start_of(day, "month") if self.grain == "month" else day
            cell = found[(start, *(row[k] for k in self.keys))]
            for name in RESIDENCE_COUNTS if self.residence else DAY_COUNTS:
                cell[name] += row[name]
            if self.grain == "month" and day.day == 1:
                cell["carried_in"] += row["nights"] - row["arrivals"]
        return found


ROLLUPS = (
    Rollup(StatisticsMonth, GROUP, "month", residence=False),
    Rollup(StatisticsMonthResidence, WITHOUT_COMMUNE, "month", residence=True),
    Rollup(StatisticsProvinceDay, ("province_code",), "day", residence=False),
    Rollup(StatisticsProvinceDayResidence, ("province_code",), "day", residence=True),
)


DAILY = (
    Rollup(StatisticsDay, ("establishment_id",), "day", residence=False),
    Rollup(StatisticsDayResidence, ("establishment_id",), "day", residence=True),
)


def add_to_ledger(
    session: DbSession,
    establishment_id: int,
    days: list[dict[str, Any]],
    residences: list[dict[str, Any]],
) -> None:
    """Add changes to one establishment's daily rows, and the same to every roll-up.

    ``days`` and ``residences`` are rows as ``statistics_day`` and
    ``statistics_day_residence`` hold them (without the establishment), each count
    the amount to add (negative to take away). A row left at nothing is deleted.
    """
    if not days and not residences:
        return
    place = {"establishment_id": establishment_id}
    for daily in DAILY:
        _add(session, daily, place, daily.sums(residences if daily.residence else days))
    add_changes(session, group_of(session, establishment_id), ([], []), (days, residences))


def add_changes(
    session: DbSession,
    group: Mapping[str, Any],
    before: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    after: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    """Add to every roll-up what replacing daily rows ``before`` by ``after`` changed.

    Each pair is (day rows, residence rows) as ``statistics_day`` /
    ``statistics_day_residence`` hold them, without the establishment, whose roll-up
    attributes are ``group``.
    """
    for rollup in ROLLUPS:
        old, new = (before[1], after[1]) if rollup.residence else (before[0], after[0])
        changes = rollup.sums(new)
        for key, cell in rollup.sums(old).items():
            changes[key].subtract(cell)
        _add(session, rollup, {name: group[name] for name in rollup.group}, changes)


def _add(
    session: DbSession,
    rollup: Rollup,
    group: Mapping[str, Any],
    changes: Mapping[Key, Counter[str]],
) -> None:
    model, period, columns = rollup.model, rollup.period, rollup.counts
    rows = [
        {period: key[0], **group, **dict(zip(rollup.keys, key[1:], strict=True))}
        | {name: cell[name] for name in columns}
        for key, cell in sorted(changes.items())
        if any(cell[name] for name in columns)
    ]
    if not rows:
        return
    # Sorted rows: two transactions adding to the same cells lock them in one order.
    session.execute(_upsert(rollup), rows)
    # Only a change that took something away can leave a cell at nothing.
    shrunk = [row for row in rows if any(row[name] < 0 for name in columns)]
    if not shrunk:
        return
    starts = sorted({row[period] for row in shrunk})
    session.execute(
        delete(model).where(
            getattr(model, period).in_(starts),
            *(getattr(model, name) == value for name, value in group.items()),
            *(getattr(model, name) == 0 for name in columns),
        )
    )


@cache
def _upsert(rollup: Rollup) -> TextClause:
    """INSERT … ON CONFLICT adding to the cell, the same SQL in SQLite and PostgreSQL.

    Written out once: SQLAlchemy cannot cache its dialects' ``on_conflict_do_update``
    and compiled it again on every execution (1.5 ms each, six a stay change).
    """
    table = rollup.model.__table__
    keys = [rollup.period, *rollup.group, *rollup.keys]
    columns = [*keys, *rollup.counts]
    added = ", ".join(f"{name} = {table.name}.{name} + excluded.{name}" for name in rollup.counts)
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608 - names are constants
        f"VALUES ({', '.join(':' + name for name in columns)}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"
    )
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))


def regroup(session: DbSession, establishment_id: int, old_group: Mapping[str, Any]) -> None:
    """Move an establishment's sums from ``old_group`` to its group now."""
    days = _rows_of(session, StatisticsDay, establishment_id)
    residences = _rows_of(session, StatisticsDayResidence, establishment_id)
    add_changes(session, old_group, (days, residences), ([], []))
    add_changes(session, group_of(session, establishment_id), ([], []), (days, residences))


def _rows_of(session: DbSession, model: Any, establishment_id: int) -> list[dict[str, Any]]:
    return [
        dict(row)
        for row in session.execute(
            select(*model.__table__.columns).where(model.establishment_id == establishment_id)
        ).mappings()
    ]


_MONTH_SQL = {
    "sqlite": "date({}, 'start of month')",
    "postgresql": "CAST(date_trunc('month', {}) AS DATE)",
}
_ATTRIBUTE_SQL = {"stars": f"COALESCE(e.stars, {UNGRADED})"}


def rebuild_rollups(session: DbSession, first: dt.date, last: dt.date) -> None:
    """Recompute every roll-up's periods touching ``first``..``last`` from the days."""
    dialect = session.get_bind().dialect.name
    month = _MONTH_SQL["postgresql" if dialect == "postgresql" else "sqlite"].format("d.day")
    for rollup in ROLLUPS:
        start, end = first, last
        if rollup.grain == "month":
            start, end = periods.start_of(first, "month"), dt.date(last.year, 12, 31)
            if last.month < 12:
                end = last.replace(month=last.month + 1, day=1) - dt.timedelta(days=1)
        model = rollup.model
        session.execute(delete(model).where(getattr(model, rollup.period).between(start, end)))
        period = month if rollup.grain == "month" else "d.day"
        keys = ", ".join(
            [period, *(_ATTRIBUTE_SQL.get(g, f"e.{g}") for g in rollup.group)]
            + [f"d.{k}" for k in rollup.keys]
        )
        own = RESIDENCE_COUNTS if rollup.residence else DAY_COUNTS
        sums = [f"SUM(d.{name})" for name in own]
        if rollup.grain == "month":
            sums.append(f"SUM(CASE WHEN d.day = {month} THEN d.nights - d.arrivals ELSE 0 END)")
        columns = ", ".join((rollup.period, *rollup.group, *rollup.keys, *rollup.counts))
        source = "statistics_day_residence" if rollup.residence else "statistics_day"
        session.execute(
            text(
                f"INSERT INTO {model.__tablename__} ({columns}) "  # noqa: S608 - constants
                f"SELECT {keys}, {', '.join(sums)} "
                f"FROM {source} d JOIN lodging_establishment e ON e.id = d.establishment_id "
                f"WHERE d.day BETWEEN :first AND :last GROUP BY {keys}"
            ).bindparams(bindparam("first", start, type_=Date), bindparam("last", end, type_=Date)),
        )


def conditions_of(model: Any, scope: Any) -> list[Any]:
    """A ``measures.Scope`` without establishment ids as conditions on a roll-up table."""
    wanted = [name for name in GROUP if getattr(scope, name) is not None]
    if missing := [name for name in wanted if not hasattr(model, name)]:
        raise ValueError(f"{model.__tablename__} cannot filter by {missing}")
    return [getattr(model, name) == getattr(scope, name) for name in wanted]
