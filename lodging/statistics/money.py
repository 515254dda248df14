"""Money: revenue, ADR and RevPAR per month and group, from the owners' monthly reports.

The portal cannot know what a stay earned: the owners state their net revenue in the
monthly report (``monthly_report``), international and domestic, and the version in
force of each establishment's report is what counts. Definitions:

- revenue = Σ net revenue (international + domestic) of the reports in force that
  have revenue entered; a field left empty beside an entered one counts as nothing;
- ADR (average daily rate) = revenue ÷ Σ room-nights used, of those reports only;
- RevPAR = revenue ÷ Σ room-days available, of those reports only;
- coverage = the share of the group's establishments, and of its room-days available
  (the ledger's capacity, net of closures), whose report in force has revenue entered:
  every figure covers the reporting establishments only, and says how many they are;
- booked revenue = Σ of the portal's confirmed (paid) bookings' amounts, each spread
  evenly over its nights, for the nights in the month: what was booked through the
  portal, given by the caller (``booked``), since bookings live above this layer.

By international or domestic, only revenue has a meaning (room-nights are not split).

Disclosure: an establishment's revenue is confidential, the department sees groups.
The threshold is the same ``min_cell`` as for guests, counted in establishments: a
figure drawn from fewer than ``min_cell`` establishments, but from some, is
suppressed (primary), and ``disclosure.protect`` adds the secondary suppression over
the sums the page publishes (each grouping's groups, and international + domestic, to
the month's total), so no hidden figure comes out of a subtraction. A figure is named
by what it adds up (which establishment's international or domestic revenue, or which
establishment's bookings, where it is not zero): two cells that add the same amounts
are one figure with one status. Every grouping of a month is solved at once, whatever
the caller asked for, and no sum over months is published, so a month's statuses
depend on that month's reports alone: asking for another range or grouping cannot
change them. A hidden row hides its revenue, ADR, RevPAR and booked revenue together,
and a figure hidden so is protected like the others (solved again until no row adds
one), so no figure shown as hidden can be worked out either. Not covered: a
dominance rule (one establishment making most of a group's revenue); with at least
``min_cell`` contributors the group's figure is published whatever their shares.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from core.database import DbSession
from lodging.statistics import capacity, periods
from lodging.statistics.disclosure import protect
from lodging.statistics.measures import GroupKey, Scope, scope_conditions
from lodging.statistics.monthly_report import MonthlyReport, in_force

MoneyGroupBy = Literal["total", "commune", "kind", "stars", "international"]
MONEY_GROUPS: tuple[MoneyGroupBy, ...] = ("total", "commune", "kind", "stars", "international")
PLACE_GROUPINGS = {"commune": "commune_code", "kind": "kind", "stars": "stars"}
PARTS = ("international", "domestic")
# (establishment id, first day of the month) -> đồng booked for that month's nights.
Booked = Mapping[tuple[int, dt.date], int]
Key = tuple[str, frozenset[Any]]


@dataclass(frozen=True)
class MoneyRow:
    """One group's money over one month.

    ``group`` is None for the month's own row (every establishment), 0 for the
    establishments without stars.
    """

    month: dt.date
    group: GroupKey
    establishments: int  # with rooms available in the month, or a report in force
    reporting: int  # of which with revenue entered in the report in force
    room_days: int  # room-days available of every establishment of the group
    reporting_room_days: int  # of the reporting ones
    revenue: int | None  # đồng; None: nobody reported (or suppressed)
    adr: float | None  # đồng per room-night used
    revpar: float | None  # đồng per room-day available
    booked: int | None  # đồng; None by international or domestic (or suppressed)
    suppressed: bool = False

    @property
    def establishments_coverage(self) -> float | None:
        """Percent of the group's establishments whose figures are in the revenue."""
        return 100.0 * self.reporting / self.establishments if self.establishments else None

    @property
    def room_days_coverage(self) -> float | None:
        """Percent of the group's room-days available that the revenue covers."""
        return 100.0 * self.reporting_room_days / self.room_days if self.room_days else None


@dataclass(frozen=True)
class _Place:
    """One establishment in one month: its groups, capacity, report and bookings."""

    id: int
    commune_code: int
    kind: str
    stars: int | None
    room_days: int
    report: MonthlyReport | None
    booked: int

    def revenue(self, part: str | None = None) -> int | None:
        """The revenue entered (``part``: only the international or domestic one)."""
        if self.report is None:
            return None
        values = {
            "international": self.report.revenue_international,
            "domestic": self.report.revenue_domestic,
        }
        if part is not None:
            return values[part]
        if all(value is None for value in values.values()):
            return None
        return sum(value or 0 for value in values.values())


@dataclass(frozen=True)
class _Cell:
    row: MoneyRow
    keys: dict[str, Key]  # "revenue" and, but by origin, "booked"
    weights: dict[Key, int]  # establishments behind each figure

    def shown(self, hidden: set[Key]) -> MoneyRow:
        if not any(key in hidden for key in self.keys.values()):
            return self.row
        return replace(self.row, revenue=None, adr=None, revpar=None, booked=None, suppressed=True)


def _ratio(part: int | None, whole: int) -> float | None:
    return None if part is None or not whole else part / whole


def _cell(month: dt.date, group: GroupKey, places: Sequence[_Place], part: str | None) -> _Cell:
    reporting = [p for p in places if p.revenue(part) is not None]
    revenue = sum(p.revenue(part) or 0 for p in reporting) if reporting else None
    used = sum(p.report.room_nights for p in reporting if p.report)
    available = sum(p.report.rooms_available for p in reporting if p.report)
    row = MoneyRow(
        month=month,
        group=group,
        establishments=len(places),
        reporting=len(reporting),
        room_days=sum(p.room_days for p in places),
        reporting_room_days=sum(p.room_days for p in reporting),
        revenue=revenue,
        adr=None if part else _ratio(revenue, used),
        revpar=None if part else _ratio(revenue, available),
        booked=None if part else sum(p.booked for p in places),
    )
    atoms = frozenset(
        (p.id, q) for p in reporting for q in ([part] if part else PARTS) if p.revenue(q)
    )
    keys: dict[str, Key] = {"revenue": ("revenue", atoms)}
    weights = {keys["revenue"]: len({e for e, _q in atoms})}
    if part is None:
        bookers = frozenset(p.id for p in places if p.booked)
        keys["booked"] = ("booked", bookers)
        weights[keys["booked"]] = len(bookers)
    return _Cell(row, keys, weights)


def _order(group: Any) -> tuple[bool, Any]:
    return group is None, group if group is not None else 0


def _month_cells(month: dt.date, places: Sequence[_Place]) -> dict[str, list[_Cell]]:
    """The month's cells by every grouping (``total``: the month's own row)."""
    cells = {"total": [_cell(month, None, places, None)]}
    for group_by, attribute in PLACE_GROUPINGS.items():
        members: defaultdict[Any, list[_Place]] = defaultdict(list)
        for place in places:
            # Not graded is stars 0: None is the month's own row.
            members[getattr(place, attribute) or 0].append(place)
        cells[group_by] = [_cell(month, g, members[g], None) for g in sorted(members, key=_order)]
    cells["international"] = [_cell(month, part, places, part) for part in PARTS]
    return cells


def _hidden(cells: Mapping[str, list[_Cell]], min_cell: int) -> set[Key]:
    """The figures to suppress: the one rule, over every sum the month's tables show."""
    (total,) = cells["total"]
    weights: dict[Key, int] = {}
    groups: list[tuple[Key, list[Key]]] = []
    for group_by, found in cells.items():
        for cell in found:
            weights |= cell.weights
        if group_by == "total":
            continue
        for figure, key in total.keys.items():
            parts = [cell.keys[figure] for cell in found if figure in cell.keys]
            if parts:
                groups.append((key, parts))
    rows = [cell.keys.values() for found in cells.values() for cell in found]
    hidden = protect(weights, groups, min_cell)
    while True:
        # A row hides all its figures: protect those too, until no row adds one.
        more = {key for keys in rows if hidden & set(keys) for key in keys if weights[key]}
        if more <= hidden:
            return hidden
        hidden = protect(weights, groups, min_cell, dict.fromkeys(hidden | more, True))


def _places(
    chosen: Iterable[capacity.Place],
    month: dt.date,
    rooms: Mapping[tuple[dt.date, Any], capacity.Available],
    reports: Mapping[int, MonthlyReport],
    booked: Booked,
) -> list[_Place]:
    found = []
    for place in chosen:
        available = rooms.get((month, place.id))
        room_days = available.rooms if available else 0
        if room_days <= 0 and place.id not in reports:
            continue
        found.append(
            _Place(
                id=place.id,
                commune_code=place.commune_code,
                kind=place.kind,
                stars=place.stars,
                room_days=room_days,
                report=reports.get(place.id),
                booked=booked.get((place.id, month), 0),
            )
        )
    return found


def monthly_money(
    session: DbSession,
    *,
    first_month: dt.date,
    last_month: dt.date,
    group_by: MoneyGroupBy,
    min_cell: int,
    booked: Booked,
    establishment_ids: Collection[int] | None = None,
) -> list[MoneyRow]:
    """Each month's own row, then its groups' rows (by ``group_by``), month by month.

    ``min_cell`` 0 suppresses nothing (an owner's own figures); ``establishment_ids``
    None covers every establishment.
    """
    conditions = scope_conditions(Scope(establishment_ids=establishment_ids))
    if conditions is None or last_month < first_month:
        return []
    after = periods.following(periods.start_of(last_month, "month"), "month")
    first = periods.start_of(first_month, "month")
    spans = periods.spans(first, after - dt.timedelta(days=1), "month")
    chosen = capacity.places(session, conditions)
    rooms = capacity.available(session, chosen, spans, lambda place: place.id)
    rows: list[MoneyRow] = []
    for month, _end in spans:
        reports = in_force(session, month.year, month.month, _ids(establishment_ids))
        cells = _month_cells(month, _places(chosen, month, rooms, reports, booked))
        hidden = _hidden(cells, min_cell) if min_cell > 0 else set()
        wanted = cells["total"] + (cells[group_by] if group_by != "total" else [])
        rows += [cell.shown(hidden) for cell in wanted]
    return rows


def _ids(establishment_ids: Collection[int] | None) -> list[int] | None:
    return None if establishment_ids is None else sorted(establishment_ids)
