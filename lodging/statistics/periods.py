"""Calendar periods (day, ISO week, month, year) in Python and in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import Date, cast, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

Period = Literal["day", "week", "month", "year"]


def start_of(day: dt.date, period: Period) -> dt.date:
    """The first day of the period that holds ``day`` (weeks start on Monday)."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    return day


def following(start: dt.date, period: Period) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    if period == "week":
        return start + dt.timedelta(days=7)
    if period == "month":
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if period == "year":
        return start.replace(year=start.year + 1)
    return start + dt.timedelta(days=1)


def spans(first: dt.date, last: dt.date, period: Period) -> list[tuple[dt.date, dt.date]]:
    """The periods covering first..last, each clipped to the range, inclusive."""
    result = []
    start = start_of(first, period)
    while start <= last:
        after = following(start, period)
        result.append((max(start, first), min(after - dt.timedelta(days=1), last)))
        start = after
    return result


def bucket(column: Any, period: Period, dialect: str) -> ColumnElement[Any]:
    """A SQL expression naming the period of the date ``column`` (see ``key_start``).

    Constants are inlined (``literal_column``) so that PostgreSQL sees the same
    expression in SELECT and GROUP BY.
    """
    if period == "day":
        return column  # type: ignore[no-any-return]
    if dialect == "postgresql":
        if period == "week":
            return cast(func.date_trunc(literal_column("'week'"), column), Date)
        pattern = "'YYYY-MM'" if period == "month" else "'YYYY'"
        return func.to_char(column, literal_column(pattern))
    if period == "week":
        back = (func.strftime(literal_column("'%w'"), column) + literal_column("6")) % (
            literal_column("7")
        )
        return func.date(column, func.printf(literal_column("'-%d days'"), back))
    return func.substr(
        column, literal_column("1"), literal_column("7" if period == "month" else "4")
    )


def key_start(value: object) -> dt.date:
    """The first day of the period a ``bucket`` value names."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    if len(text) == 4:
        return dt.date(int(text), 1, 1)
    if len(text) == 7:
        return dt.date(int(text[:4]), int(text[5:]), 1)
    return dt.date.fromisoformat(text[:10])
