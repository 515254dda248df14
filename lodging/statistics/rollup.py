"""The monthly roll-ups: the daily ledger summed by month and group of establishments.

``statistics_month`` and ``statistics_month_residence`` hold, per calendar month and
(province, commune, kind, stars), the sums of ``statistics_day`` and
``statistics_day_residence``. The ledger adds the difference its daily rows made
(``add_changes``), so they never drift from the days; the rebuild recomputes them from
the days (``rebuild_months``). A province-wide year then reads a few thousand rows, not
one per establishment and day.

A place's group is read when its days change. Nothing in the portal changes an
establishment's province, commune, kind or stars after registration; a service that
does must move its sums with ``regroup``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Date, bindparam, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lodging.properties.models import Establishment
from lodging.statistics.models import (
    StatisticsDay,
    StatisticsDayResidence,
    StatisticsMonth,
    StatisticsMonthResidence,
)
from portal.core.database import DbSession

GROUP = ("province_code", "commune_code", "kind", "stars")
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


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def group_of(session: DbSession, establishment_id: int) -> dict[str, Any]:
    """The roll-up group (province, commune, kind, stars) of one establishment."""
    e = Establishment
    province, commune, kind, stars = session.execute(
        select(e.province_code, e.commune_code, e.kind, e.stars).where(e.id == establishment_id)
    ).one()
    return {
        "province_code": province,
        "commune_code": commune,
        "kind": str(kind),
        "stars": UNGRADED if stars is None else stars,
    }


def monthly(
    rows: Iterable[Mapping[str, Any]], keys: tuple[str, ...], counts: tuple[str, ...]
) -> dict[Key, Counter[str]]:
    """Daily rows summed by (month, *keys), with ``carried_in`` from first days."""
    sums: defaultdict[Key, Counter[str]] = defaultdict(Counter)
    for row in rows:
        day: dt.date = row["day"]
        cell = sums[(month_of(day), *(row[k] for k in keys))]
        for name in counts:
            cell[name] += row[name]
        if day.day == 1:
            cell["carried_in"] += row["nights"] - row["arrivals"]
    return sums


def add_changes(
    session: DbSession,
    group: Mapping[str, Any],
    before: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    after: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    """Add to ``group``'s months what replacing daily rows ``before`` by ``after`` changed.

    Each pair is (day rows, residence rows) as ``statistics_day`` /
    ``statistics_day_residence`` hold them, without the establishment.
    """
    for model, keys, counts, old, new in (
        (StatisticsMonth, (), DAY_COUNTS, before[0], after[0]),
        (StatisticsMonthResidence, RESIDENCE, RESIDENCE_COUNTS, before[1], after[1]),
    ):
        changes = monthly(new, keys, counts)
        for key, cell in monthly(old, keys, counts).items():
            changes[key].subtract(cell)
        _add(session, model, group, keys, counts, changes)


def _add(  # noqa: PLR0917 - one table's shape, passed through
    session: DbSession,
    model: Any,
    group: Mapping[str, Any],
    keys: tuple[str, ...],
    counts: tuple[str, ...],
    changes: Mapping[Key, Counter[str]],
) -> None:
    columns = (*counts, "carried_in")
    rows = [
        {"month": key[0], **group, **dict(zip(keys, key[1:], strict=True))}
        | {name: cell[name] for name in columns}
        for key, cell in sorted(changes.items())
        if any(cell[name] for name in columns)
    ]
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(model)
    # Sorted rows: two transactions adding to the same months lock them in one order.
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["month", *GROUP, *keys],
            set_={name: getattr(model, name) + getattr(stmt.excluded, name) for name in columns},
        ),
        rows,
    )
    months = sorted({row["month"] for row in rows})
    session.execute(
        delete(model).where(
            model.month.in_(months),
            *(getattr(model, name) == value for name, value in group.items()),
            *(getattr(model, name) == 0 for name in columns),
        )
    )


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
_STARS = f"COALESCE(e.stars, {UNGRADED})"


def rebuild_months(session: DbSession, first: dt.date, last: dt.date) -> None:
    """Recompute the roll-ups of every month touching ``first``..``last`` from the days."""
    dialect = session.get_bind().dialect.name
    month = _MONTH_SQL["postgresql" if dialect == "postgresql" else "sqlite"].format("d.day")
    start = month_of(first)
    end = dt.date(last.year, 12, 31)
    if last.month < 12:
        end = last.replace(month=last.month + 1, day=1) - dt.timedelta(days=1)
    for model, source, keys, counts in (
        (StatisticsMonth, "statistics_day", (), DAY_COUNTS),
        (StatisticsMonthResidence, "statistics_day_residence", RESIDENCE, RESIDENCE_COUNTS),
    ):
        session.execute(delete(model).where(model.month.between(start, end)))
        own = "".join(f", d.{k}" for k in keys)
        sums = ", ".join(f"SUM(d.{name})" for name in counts)
        columns = ", ".join(("month", *GROUP, *keys, *counts, "carried_in"))
        session.execute(
            text(
                f"INSERT INTO {model.__tablename__} ({columns}) "  # noqa: S608 - constants
                f"SELECT {month}, e.province_code, e.commune_code, e.kind, {_STARS}{own}, "
                f"{sums}, SUM(CASE WHEN d.day = {month} THEN d.nights - d.arrivals ELSE 0 END) "
                f"FROM {source} d JOIN lodging_establishment e ON e.id = d.establishment_id "
                "WHERE d.day BETWEEN :first AND :last "
                f"GROUP BY {month}, e.province_code, e.commune_code, e.kind, {_STARS}{own}"
            ).bindparams(bindparam("first", start, type_=Date), bindparam("last", end, type_=Date)),
        )


def conditions_of(model: Any, scope: Any) -> list[Any]:
    """A ``measures.Scope`` without establishment ids as conditions on a roll-up table."""
    return [
        getattr(model, name) == getattr(scope, name)
        for name in GROUP
        if getattr(scope, name) is not None
    ]
