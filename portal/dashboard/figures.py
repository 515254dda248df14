"""The dashboard's figures: measures turned into suppressed tables, charts and markers.

Presentation over ``lodging.statistics.measures``; it reads nothing but the ledger
and the establishments' names and places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l

from lodging.statistics import measures
from lodging.statistics.disclosure import TOTAL, Disclosure, now_figure_hidden
from lodging.statistics.measures import GroupBy, GroupKey, MeasureRow, Scope
from portal.dashboard.filters import Filters
from portal.dashboard.tables import Column, Kind, Row, Table, Value, suppress

Labeller = Callable[[GroupKey], str]
Linker = Callable[[GroupKey], str | None]
# Whether the figure of a group (None: the page's own subject) in a period (None: the
# whole range) is suppressed, as ``lodging.statistics.disclosure`` settled it.
Hider = Callable[[GroupKey, dt.date | None], bool]


def never_hidden(_group: GroupKey, _day: dt.date | None) -> bool:
    """An owner's own figures: nothing is suppressed."""
    return False


@dataclass(frozen=True)
class Figure:
    """One headline number; ``None`` with ``suppressed`` when too few guests are behind it."""

    value: int | float | None
    suppressed: bool = False
    no_data: bool = False  # no guest at all: "no data", not "0 %"


@dataclass(frozen=True)
class Headline:
    guests_now: Figure
    arrivals_today: Figure
    occupancy_this_month: Figure
    occupancy_last_year: Figure


MEASURE_COLUMNS = (
    Column("arrivals", _l("Arrivals (overnight)")),
    Column("same_day", _l("Same-day guests")),
    Column("nights", _l("Guest-nights")),
    Column("arrivals_international", _l("International arrivals")),
    Column("rooms_available", _l("Rooms available (room-days)"), from_guests=False),
    Column("rooms_occupied", _l("Rooms occupied (room-nights)")),
    Column("net_room_occupancy", _l("Net room occupancy (%)"), Kind.PERCENT),
    Column("net_bed_occupancy", _l("Net bed-place occupancy (%)"), Kind.PERCENT),
    Column("average_stay", _l("Average stay (nights)"), Kind.DECIMAL),
)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def row_values(row: MeasureRow) -> dict[str, Value]:
    return {
        "arrivals": row.arrivals,
        "same_day": row.same_day,
        "nights": row.nights,
        "arrivals_international": row.arrivals_international,
        "rooms_available": row.rooms_available,
        "rooms_occupied": row.rooms_occupied,
        "net_room_occupancy": _round(row.net_room_occupancy),
        "net_bed_occupancy": _round(row.net_bed_occupancy),
        "average_stay": _round(row.average_stay, 2),
    }


def period_label(row: MeasureRow, period: str) -> str:
    """Language-neutral labels that sort and read in any language: 2026-11, 2026-W47."""
    first = row.first_day
    if period == "year":
        return str(first.year)
    if period == "month":
        return first.strftime("%Y-%m")
    if period == "week":
        year, week, _day = first.isocalendar()
        return f"{year}-W{week:02d}"
    return first.isoformat()


def scope_of(filters: Filters, establishment_ids: Sequence[int] | None) -> Scope:
    """Filters and the caller's own establishments (None: every one) as a ledger scope."""
    ids = establishment_ids
    if filters.establishment_id is not None:
        ids = [i for i in (ids or [filters.establishment_id]) if i == filters.establishment_id]
    return Scope(
        establishment_ids=ids,
        commune_code=filters.commune_code,
        kind=filters.kind,
        stars=filters.stars,
    )


def over_time(
    session: Any, filters: Filters, scope: Scope, min_cell: int, hide: Hider = never_hidden
) -> Table:
    """One row per period: how the figures moved."""
    found = measures.occupancy(
        session,
        first_day=filters.first_day,
        last_day=filters.last_day,
        period=filters.period,
        group_by="total",
        scope=scope,
    )
    rows = [
        Row(values={"period": period_label(r, filters.period), **row_values(r)}, guests=r.guests)
        for r in found
    ]
    return Table(
        title=_l("Over time"),
        columns=(Column("period", _l("Period"), Kind.TEXT, from_guests=False), *MEASURE_COLUMNS),
        rows=suppress(rows, [hide(None, r.first_day) for r in found]),
        min_cell=min_cell,
    )


def merge_periods(rows: Sequence[MeasureRow]) -> list[MeasureRow]:
    """Rows of the same group over several periods added up into one row per group.

    ``guests`` is added too: a guest whose stay spans two periods counts twice, which
    only matters for suppression at the edge of the threshold.
    """
    merged: dict[GroupKey, MeasureRow] = {}
    for row in rows:
        before = merged.get(row.group)
        merged[row.group] = row if before is None else _add(before, row)
    return list(merged.values())


def _plus(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _add(a: MeasureRow, b: MeasureRow) -> MeasureRow:
    return replace(
        a,
        first_day=min(a.first_day, b.first_day),
        last_day=max(a.last_day, b.last_day),
        arrivals=a.arrivals + b.arrivals,
        same_day=a.same_day + b.same_day,
        departures=a.departures + b.departures,
        nights=a.nights + b.nights,
        arrivals_international=a.arrivals_international + b.arrivals_international,
        same_day_international=a.same_day_international + b.same_day_international,
        nights_international=a.nights_international + b.nights_international,
        guests=a.guests + b.guests,
        rooms_available=_plus(a.rooms_available, b.rooms_available),
        rooms_occupied=_plus(a.rooms_occupied, b.rooms_occupied),
        bed_places_available=_plus(a.bed_places_available, b.bed_places_available),
        bed_places_gross=_plus(a.bed_places_gross, b.bed_places_gross),
    )


def by_group(
    session: Any,
    filters: Filters,
    scope: Scope,
    min_cell: int,
    *,
    group_by: GroupBy,
    title: Any,
    label: Labeller,
    link: Linker = lambda _key: None,
    hide: Hider = never_hidden,
) -> Table:
    """One row per group over the whole range, biggest first."""
    found = measures.occupancy(
        session,
        first_day=filters.first_day,
        last_day=filters.last_day,
        period="year",
        group_by=group_by,
        scope=scope,
    )
    groups = sorted(merge_periods(found), key=lambda r: (-r.nights, -r.arrivals, str(r.group)))
    rows = [
        Row(
            values={"group": label(r.group), **row_values(r)},
            guests=r.guests,
            link=link(r.group),
            key=r.group,
        )
        for r in groups
    ]
    return Table(
        title=title,
        columns=(Column("group", title, Kind.TEXT, from_guests=False), *MEASURE_COLUMNS),
        rows=suppress(rows, [hide(r.group, None) for r in groups]),
        min_cell=min_cell,
    )


def headline(session: Any, scope: Scope, today: dt.date, min_cell: int) -> Headline:
    """Guests in the house tonight, arrivals today, occupancy this month against last year.

    Each takes its status from the figures it could be checked against: tonight's from
    ``/statistics/now``'s communes, a month's occupancy from the month's disclosure.
    """
    now_rows = measures.now(session, today, scope)
    province = measures.now(session, today, Scope(province_code=scope.province_code))
    tonight = now_figure_hidden(province, now_rows, min_cell)
    present = sum(r.guests_present for r in now_rows)
    arrived = sum(r.arrivals + r.same_day for r in now_rows)
    this_month = measures.totals(
        session, first_day=today.replace(day=1), last_day=today, scope=scope
    )
    last_year = _same_day_last_year(today)
    before = measures.totals(
        session, first_day=last_year.replace(day=1), last_day=last_year, scope=scope
    )
    return Headline(
        guests_now=_figure(present, hidden=tonight),
        arrivals_today=_figure(arrived, hidden=tonight),
        occupancy_this_month=_figure(
            _round(this_month.net_room_occupancy),
            hidden=_month_hidden(session, scope, today, min_cell, this_month.guests),
        ),
        occupancy_last_year=_figure(
            _round(before.net_room_occupancy),
            hidden=_month_hidden(session, scope, last_year, min_cell, before.guests),
        )
        if before.guests
        else Figure(None, no_data=True),
    )


def _month_hidden(
    session: Any, scope: Scope, last_day: dt.date, min_cell: int, guests: int
) -> bool:
    """Whether the figures of ``scope`` from the first of the month to ``last_day`` are."""
    if not guests:
        return False  # nobody: a zero identifies nobody
    shut = Disclosure(session, last_day.replace(day=1), last_day, "month", scope, min_cell)
    return shut.hidden((TOTAL, None, None))


def _same_day_last_year(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year - 1, day=28)


def _figure(value: int | float | None, *, hidden: bool) -> Figure:
    return Figure(None, suppressed=True) if hidden else Figure(value)


def chart(table: Table, keys: Sequence[str], *, kind: str = "line") -> dict[str, Any]:
    """The ``data-chart`` spec for static/js/charts.js: suppressed figures are gaps."""
    label_key = table.columns[0].key
    columns = {column.key: column for column in table.columns}
    series = [[table.cell(row, columns[key]) for row in table.rows] for key in keys]
    return {
        "type": kind,
        # Nothing but gaps (suppressed): the page says "no data" instead of a blank drawing.
        "empty": all(value is None for data in series for value in data),
        "labels": [str(row.values.get(label_key, "")) for row in table.rows],
        "series": [
            {
                "label": str(columns[key].label),
                "axis": "percent" if columns[key].kind is Kind.PERCENT else "count",
                "data": [table.cell(row, columns[key]) for row in table.rows],
            }
            for key in keys
        ],
    }


def markers(table: Table, centroids: dict[int, tuple[float, float]]) -> list[dict[str, Any]]:
    """Map markers for a by-commune table: the commune's occupancy in the title."""
    occupancy = next(c for c in table.columns if c.key == "net_room_occupancy")
    found = []
    for row in table.rows:
        code = row.key
        if not isinstance(code, int) or code not in centroids:
            continue
        value = table.cell(row, occupancy)
        shown = f"<{table.min_cell}" if row.suppressed else ("—" if value is None else f"{value} %")
        lat, lon = centroids[code]
        found.append(
            {"lat": lat, "lon": lon, "title": f"{row.values['group']}: {shown}", "url": row.link}
        )
    return found
