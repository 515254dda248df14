"""The money tables: revenue, ADR, RevPAR, coverage and booked revenue per month and group.

The figures come from ``lodging.statistics.money`` (the owners' monthly reports, with
the disclosure rule applied there) and the portal's confirmed bookings
(``portal.booking.revenue``); this module reads the query string and lays them out as
a ``Table`` for the page, its CSV and XLSX files and the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.database import DbSession
from lodging.statistics import periods
from lodging.statistics.measures import GroupKey
from lodging.statistics.money import MONEY_GROUPS, MoneyGroupBy, MoneyRow, monthly_money
from portal.booking.revenue import booked_revenue
from portal.dashboard.filters import month_of
from portal.dashboard.pages import LABELLERS
from portal.dashboard.tables import Column, Kind, Row, Table, Value

MAX_MONTHS = 60
FIRST_YEAR = 2000
GROUP_TITLES = {
    "total": _l("Every establishment"),
    "commune": _l("Commune or ward"),
    "kind": _l("Kind of establishment"),
    "stars": _l("Stars"),
    "international": _l("International or domestic"),
}


@dataclass(frozen=True)
class MoneyFilters:
    first_month: dt.date
    last_month: dt.date
    group_by: MoneyGroupBy = "total"

    @property
    def last_day(self) -> dt.date:
        return periods.following(self.last_month, "month") - dt.timedelta(days=1)

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments, for export links."""
        return {
            "from": self.first_month.strftime("%Y-%m"),
            "to": self.last_month.strftime("%Y-%m"),
            "group": self.group_by,
        }


def default_money_filters(today: dt.date) -> MoneyFilters:
    """The last twelve whole months."""
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    index = last.year * 12 + last.month - 1 - 11
    return MoneyFilters(first_month=dt.date(index // 12, index % 12 + 1, 1), last_month=last)


def _month(raw: str | None, errors: dict[str, LazyString], name: str) -> dt.date | None:
    if not raw:
        return None
    found = month_of(raw)
    if found is None or not FIRST_YEAR <= found[0] <= 2199:
        errors[name] = _l("Enter a month as YYYY-MM.")
        return None
    return dt.date(found[0], found[1], 1)


def parse_money_filters(
    args: Mapping[str, str], today: dt.date
) -> tuple[MoneyFilters, dict[str, LazyString]]:
    """The months and grouping in ``args`` over the defaults, and an error per wrong field.

    With errors the defaults stand, so the page still shows.
    """
    errors: dict[str, LazyString] = {}
    base = default_money_filters(today)
    first = _month(args.get("from"), errors, "from") or base.first_month
    last = _month(args.get("to"), errors, "to") or base.last_month
    group_by = next((g for g in MONEY_GROUPS if g == (args.get("group") or "total")), None)
    if group_by is None:
        errors["group"] = _l("Choose one of: %(expected)s.", expected=", ".join(MONEY_GROUPS))
    if last < first:
        errors["to"] = _l("The end month must not be before the start month.")
    elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        errors["to"] = _l("Choose at most %(n)s months.", n=MAX_MONTHS)
    if errors or group_by is None:
        return base, errors
    return MoneyFilters(first_month=first, last_month=last, group_by=group_by), errors


def money_rows(
    session: DbSession,
    filters: MoneyFilters,
    *,
    min_cell: int,
    establishment_ids: Collection[int] | None,
) -> list[MoneyRow]:
    """The rows for the filters: the reports' figures and the bookings', one rule."""
    booked = booked_revenue(session, filters.first_month, filters.last_day, establishment_ids)
    return monthly_money(
        session,
        first_month=filters.first_month,
        last_month=filters.last_month,
        group_by=filters.group_by,
        min_cell=min_cell,
        booked=booked,
        establishment_ids=establishment_ids,
    )


def group_name(group_by: MoneyGroupBy, group: GroupKey) -> str:
    """A row's group as it reads in the request's language."""
    if group is None:
        return str(_("All establishments"))
    labeller: Callable[[GroupKey], str] = LABELLERS[group_by]
    return labeller(group)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _dong(value: float | None) -> int | None:
    """Whole đồng: VND has no minor unit."""
    return None if value is None else round(value)


def row_values(row: MoneyRow) -> dict[str, Value]:
    return {
        "month": row.month.strftime("%Y-%m"),
        "revenue": row.revenue,
        "adr": _dong(row.adr),
        "revpar": _dong(row.revpar),
        "booked": row.booked,
        "reporting": row.reporting,
        "establishments": row.establishments,
        "establishments_coverage": _round(row.establishments_coverage),
        "room_days_coverage": _round(row.room_days_coverage),
    }


MONEY_COLUMNS = (
    Column("revenue", _l("Revenue (VND)"), Kind.MONEY),
    Column("adr", _l("ADR (VND per room-night)"), Kind.MONEY),
    Column("revpar", _l("RevPAR (VND per room-day)"), Kind.MONEY),
    Column("booked", _l("Booked through the portal (VND)"), Kind.MONEY),
    Column("reporting", _l("Establishments reporting revenue"), from_guests=False),
    Column("establishments", _l("Establishments"), from_guests=False),
    Column(
        "establishments_coverage",
        _l("Coverage, establishments (%)"),
        Kind.PERCENT,
        from_guests=False,
    ),
    Column("room_days_coverage", _l("Coverage, room-days (%)"), Kind.PERCENT, from_guests=False),
)


def money_table(
    rows: list[MoneyRow], filters: MoneyFilters, *, min_cell: int, with_group: bool = True
) -> Table:
    """One row per month and group (the month's own row first), hidden figures hidden."""
    columns = [Column("month", _l("Month"), Kind.TEXT, from_guests=False)]
    if with_group and filters.group_by != "total":
        title = GROUP_TITLES[filters.group_by]
        columns.append(Column("group", title, Kind.TEXT, from_guests=False))
    lines = [
        Row(
            values={"group": group_name(filters.group_by, row.group), **row_values(row)},
            guests=row.reporting,
            suppressed=row.suppressed,
            key=row.group,
        )
        for row in rows
    ]
    return Table(
        title=_l("Revenue"),
        columns=(*columns, *MONEY_COLUMNS),
        rows=tuple(lines),
        min_cell=min_cell,
    )


def money_notes(filters: MoneyFilters, table: Table) -> list[str]:
    """What a file says under its table: the months, the definitions, the rule."""
    notes = [
        str(
            _(
                "Months: %(first)s to %(last)s.",
                first=filters.first_month.strftime("%Y-%m"),
                last=filters.last_month.strftime("%Y-%m"),
            )
        ),
        str(DEFINITIONS),
    ]
    if table.any_suppressed:
        notes.append(
            str(
                _(
                    "%(shown)s: figures from fewer than %(n)s establishments are not published,"
                    " nor the figures that would give them away by subtraction.",
                    shown=f"<{table.min_cell}",
                    n=table.min_cell,
                )
            )
        )
    return notes


DEFINITIONS = _l(
    "Revenue: the net revenue the establishments entered in their monthly reports"
    " (the version in force). ADR: revenue divided by the room-nights used, and RevPAR:"
    " revenue divided by the room-days available, of the establishments that reported"
    " revenue only. Coverage: the share of establishments, and of room-days available,"
    " whose report has revenue entered. Booked through the portal: confirmed bookings'"
    " amounts, spread over their nights."
)
