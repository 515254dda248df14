"""Recomputing the ledger from stays with a few set-based statements.

Used after a bulk load (benchmark data, an import) and to check the incremental
ledger: both must agree. Three steps, each one SQL statement: project the guests of
non-cancelled stays (``statistics_guest_stay``), then aggregate the projection into
``statistics_day`` and ``statistics_day_residence`` by expanding each guest's nights
against a small sequence of integers. The monthly roll-ups of the months touched are
then summed again from those days (``rollup.rebuild_rollups``). Rows go in day by day,
as the live ledger writes them, so a few days of every place lie on a few pages.

Vietnam has kept UTC+7 without daylight saving since 1975, so a local date is the
UTC time plus seven hours in both dialects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, Integer, bindparam, text
from sqlalchemy.sql.elements import TextClause

from core.database import DbSession
from lodging.statistics import horizon, rollup


@dataclass(frozen=True)
class _Dialect:
    local_date: str  # SQL turning a UTC timestamp ``{}`` into a Vietnam date
    greatest: str  # the larger of two dates
    least: str  # the smaller of two dates
    plus_days: str  # date ``{0}`` plus integer ``{1}`` days
    days_between: str  # whole days from ``{0}`` to ``{1}``


_SQLITE = _Dialect(
    local_date="date({}, '+7 hours')",
    greatest="max({}, {})",
    least="min({}, {})",
    plus_days="date({0}, '+' || {1} || ' days')",
    days_between="CAST(julianday({1}) - julianday({0}) AS INTEGER)",
)
_POSTGRESQL = _Dialect(
    local_date="CAST(({} AT TIME ZONE 'Asia/Ho_Chi_Minh') AS DATE)",
    greatest="GREATEST({}, {})",
    least="LEAST({}, {})",
    plus_days="({0} + {1})",
    days_between="({1} - {0})",
)

_PROJECT = """
INSERT INTO statistics_guest_stay (guest_id, stay_id, establishment_id, room_key,
    arrival_day, departure_day, residence_country, residence_province_code)
SELECT g.id, s.id, s.establishment_id, COALESCE(s.room_id, -s.id), {arrival},
    {greatest}, g.residence_country,
    CASE WHEN g.residence_country = 'VN' THEN COALESCE(g.residence_province_code, 0)
         ELSE 0 END
FROM lodging_guest g JOIN lodging_stay s ON s.id = g.stay_id
WHERE s.status <> 'cancelled' AND g.confirmed_at IS NOT NULL {stay_filter}
"""

# One row per guest event: a night (kind n), an overnight arrival (a) or departure
# (d), or a same-day visit (s); only those inside [:first, :last] are kept. Nights are
# expanded from the later of arrival and :first to the earlier of departure and :stop
# (the day after :last), so a stay announcing years only expands the days asked.
_EVENTS = """
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < :longest),
g AS (SELECT *, {start} AS lo, {length} AS n FROM statistics_guest_stay
      WHERE arrival_day <= :last AND departure_day >= :first),
ev AS (
  SELECT g.establishment_id AS e, {night} AS day, 1 AS nt, 0 AS ar, 0 AS de, 0 AS sd,
         g.room_key AS rk, g.residence_country AS rc, g.residence_province_code AS rp
  FROM g JOIN seq ON seq.i < g.n
  UNION ALL
  SELECT establishment_id, arrival_day, 0, 1, 0, 0, NULL, residence_country,
         residence_province_code FROM g WHERE departure_day > arrival_day
  UNION ALL
  SELECT establishment_id, departure_day, 0, 0, 1, 0, NULL, residence_country,
         residence_province_code FROM g WHERE departure_day > arrival_day
  UNION ALL
  SELECT establishment_id, arrival_day, 0, 0, 0, 1, NULL, residence_country,
         residence_province_code FROM g WHERE departure_day = arrival_day
)
"""

_DAYS = """
INSERT INTO statistics_day (establishment_id, day, nights, arrivals, departures, same_day,
    rooms_occupied, nights_international, arrivals_international, same_day_international)
{events}
SELECT e, day, SUM(nt), SUM(ar), SUM(de), SUM(sd), COUNT(DISTINCT rk),
    SUM(CASE WHEN rc <> 'VN' THEN nt ELSE 0 END),
    SUM(CASE WHEN rc <> 'VN' THEN ar ELSE 0 END),
    SUM(CASE WHEN rc <> 'VN' THEN sd ELSE 0 END)
FROM ev WHERE day BETWEEN :first AND :last GROUP BY e, day ORDER BY day, e
"""

_RESIDENCES = """
INSERT INTO statistics_day_residence (establishment_id, day, residence_country,
    residence_province_code, nights, arrivals, departures, same_day)
{events}
SELECT e, day, rc, rp, SUM(nt), SUM(ar), SUM(de), SUM(sd)
FROM ev WHERE day BETWEEN :first AND :last GROUP BY e, day, rc, rp ORDER BY day, e
"""


def _dialect(session: DbSession) -> _Dialect:
    return _POSTGRESQL if session.get_bind().dialect.name == "postgresql" else _SQLITE


def _dated(sql: str) -> TextClause:
    names = [name for name in ("first", "last", "stop") if f":{name}" in sql]
    return text(sql).bindparams(*(bindparam(name, type_=Date) for name in names))


def rebuild(
    session: DbSession, *, first: dt.date | None = None, last: dt.date | None = None
) -> None:
    """Recompute the ledger from stays, for every day or for ``first``..``last``.

    With a range, only the guests of stays touching it are projected again (the
    incremental ledger keeps the others), and only the days inside it are replaced.
    Days after the ledger's horizon (``horizon``) are left empty, as the live ledger
    leaves them.
    """
    sql = _dialect(session)
    ranged = first is not None or last is not None
    first = first or dt.date(1900, 1, 1)
    last = last or dt.date(9999, 12, 31)
    _project(session, sql, first, last, ranged=ranged)
    counted = min(last, horizon.current(session))
    for table in ("statistics_day", "statistics_day_residence"):
        session.execute(
            _dated(f"DELETE FROM {table} WHERE day BETWEEN :first AND :last"),  # noqa: S608 - table names are constants
            {"first": first, "last": last},
        )
    if first <= counted:
        _count(session, sql, first, counted)
    rollup.rebuild_rollups(session, first, last)


def _count(session: DbSession, sql: _Dialect, first: dt.date, last: dt.date) -> None:
    """Fill the daily rows of ``first``..``last`` from the projection."""
    start = sql.greatest.format("arrival_day", ":first")
    length = sql.days_between.format(start, sql.least.format("departure_day", ":stop"))
    params = {"first": first, "last": last, "stop": last + dt.timedelta(days=1)}
    longest = session.scalar(
        _dated(
            f"SELECT MAX({length}) FROM statistics_guest_stay "  # noqa: S608 - constants
            "WHERE arrival_day <= :last AND departure_day >= :first"
        ),
        params,
    )
    events = _EVENTS.format(start=start, length=length, night=sql.plus_days.format("g.lo", "seq.i"))
    for statement in (_DAYS, _RESIDENCES):
        session.execute(
            _dated(statement.format(events=events)).bindparams(bindparam("longest", type_=Integer)),
            {**params, "longest": int(longest or 0)},
        )


def _project(
    session: DbSession, sql: _Dialect, first: dt.date, last: dt.date, *, ranged: bool
) -> None:
    arrival = sql.local_date.format("g.arrival")
    leaving = (
        "CASE WHEN s.status = 'checked_out' AND s.departed_at IS NOT NULL "
        f"THEN {sql.local_date.format('s.departed_at')} ELSE s.expected_departure END"
    )
    params = {"first": first, "last": last}
    if not ranged:
        session.execute(text("DELETE FROM statistics_guest_stay"))
        stay_filter = ""
    else:
        # Stays whose current dates touch the range, and projections that touched it.
        touching = (
            "SELECT t.id FROM lodging_stay t WHERE "  # noqa: S608 - fragments are constants
            f"{sql.local_date.format('t.arrival')} <= :last AND "
            f"({leaving.replace('s.', 't.')}) >= :first"
        )
        session.execute(
            _dated(
                "DELETE FROM statistics_guest_stay WHERE (arrival_day <= :last AND "  # noqa: S608 - constants
                f"departure_day >= :first) OR stay_id IN ({touching})"
            ),
            params,
        )
        stay_filter = f"AND s.id IN ({touching})"
    session.execute(
        _dated(
            _PROJECT.format(
                arrival=arrival,
                greatest=sql.greatest.format(arrival, leaving),
                stay_filter=stay_filter,
            )
        ),
        params,
    )
