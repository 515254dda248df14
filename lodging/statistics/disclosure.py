"""The small-cell rule: which figures the tourism department may see, and which it may not.

Primary: a figure drawn from fewer than ``min_cell`` guests, but from some, is suppressed;
"nobody came" identifies nobody, so zeros show. Secondary: wherever figures add up to
another published figure (the groups of a table to its total, the periods to the range,
a commune's establishments to the commune's row, the communes of a period to the
period's row), a set with exactly one suppressed member would give it away by
subtraction, and so would a suppressed set from fewer than ``min_cell`` guests: the next
smallest member is suppressed too, until no set does.

Every page, drill-down, file and API answer that the department sees takes its statuses
from one ``Disclosure`` per scope, range and period, solved top-down: the range's figures
first (so choosing days or months cannot change them), then the periods, then a commune's
establishments, then a table inside one commune or establishment. A lower level never
changes a status an upper one settled, so every page agrees on every figure it shares.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from core.database import DbSession
from lodging.properties.models import Establishment
from lodging.statistics import measures
from lodging.statistics.measures import GroupBy, Period, Scope

Key = Any  # a figure's name: (dimension, group, first day or None), or a position
# A published figure and the published figures that add up to it.
Group = tuple[Key, Sequence[Key]]
# The groupings a department user can ask for over the whole scope.
TOP_GROUPS: tuple[GroupBy, ...] = ("commune", "kind", "stars", "residence_country", "international")
TOTAL: GroupBy = "total"
# Where each place grouping sits in ``Disclosure._places``' tuples.
PLACE_ATTRIBUTES = {"commune": 0, "kind": 1, "stars": 2}
ESTABLISHMENT: GroupBy = "establishment"


def is_small(guests: int, min_cell: int) -> bool:
    """A figure from this many guests is suppressed (primary suppression)."""
    return 0 < guests < min_cell


def protect(
    guests: Mapping[Key, int],
    groups: Iterable[Group],
    min_cell: int,
    settled: Mapping[Key, bool] | None = None,
) -> set[Key]:
    """The figures to suppress: primary, then secondary to a fixed point.

    ``guests`` gives each figure's number of guests; ``settled`` figures keep the status
    an upper level gave them (True: suppressed) and are never picked here.
    """
    settled = settled or {}
    groups = [(total, list(parts)) for total, parts in groups]
    # A part equal to a total already shown is shown: it is no secret any more.
    settled = {**settled, **dict.fromkeys(_equal_to_a_shown_total(groups, guests, settled), False)}
    hidden = {key for key, shut in settled.items() if shut}
    hidden |= {k for k, n in guests.items() if k not in settled and is_small(n, min_cell)}
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            if _exposed(total, parts, hidden, guests, min_cell):
                pick = _next_to_hide(total, parts, hidden, guests, settled)
                if pick is not None:
                    hidden.add(pick)
                    changed = True
    return hidden


def _equal_to_a_shown_total(
    groups: Sequence[Group], guests: Mapping[Key, int], settled: Mapping[Key, bool]
) -> set[Key]:
    """Parts that are the only non-zero one under a total an upper level showed.

    Their figures are the total's, already published: hiding them hides nothing. (A
    range's guests are added over months, so a stay across two months can lift the
    range over the threshold while each period of it stays under.)
    """
    equal = set()
    for total, parts in groups:
        busy = [key for key in parts if guests.get(key, 0)]
        if settled.get(total) is False and len(busy) == 1 and busy[0] not in settled:
            equal.add(busy[0])
    return equal


def _exposed(
    total: Key, parts: Sequence[Key], hidden: set[Key], guests: Mapping[Key, int], min_cell: int
) -> bool:
    shut = [key for key in parts if key in hidden]
    if (total in hidden) + len(shut) == 1:
        return True
    return total not in hidden and is_small(sum(guests.get(key, 0) for key in shut), min_cell)


def _next_to_hide(
    total: Key,
    parts: Sequence[Key],
    hidden: set[Key],
    guests: Mapping[Key, int],
    settled: Mapping[Key, bool],
) -> Key | None:
    open_parts = [k for k in parts if k not in hidden and k not in settled and guests.get(k, 0)]
    if open_parts:
        return min(open_parts, key=lambda key: (guests.get(key, 0), str(key)))
    if total not in hidden and total not in settled:
        return total
    return None


def suppressed_positions(guests: Sequence[int], min_cell: int) -> set[int]:
    """The positions to suppress among figures that add up to a published total."""
    cells: dict[Key, int] = dict(enumerate(guests))
    cells[TOTAL] = sum(guests)
    hidden = protect(cells, [(TOTAL, list(range(len(guests))))], min_cell)
    return {key for key in hidden if isinstance(key, int)}


@dataclass
class Disclosure:
    """The statuses of every figure the department can see for one scope, range and period.

    Keys are ``(dimension, group, first day of the period or None for the range)``; the
    scope's own figures have the dimension ``"total"``, a commune's establishments
    ``"establishment"``, and a table inside commune ``c`` or establishment ``e``
    ``("commune", c, group_by)`` or ``("establishment", e, group_by)``.
    """

    session: DbSession
    first_day: dt.date
    last_day: dt.date
    period: Period
    scope: Scope
    min_cell: int
    statuses: dict[Key, bool] = field(default_factory=dict)
    _solved: set[Key] = field(default_factory=set)
    # The establishments with guests in the range: (commune, kind, stars) by id.
    _places: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    _last_days: dict[dt.date, dt.date] = field(default_factory=dict)

    def hidden(self, key: Key) -> bool:
        """Whether the figure is suppressed (False for one nobody can ask for)."""
        if self.min_cell <= 0:
            return False
        if not self._solved:
            self._solve_top()
        dimension = key[0] if isinstance(key, tuple) else None
        if isinstance(dimension, tuple):
            self._solve_inside(dimension)
        # A figure nobody settled is one the portal has no row for: fail closed.
        return self.statuses.get(self._canon(key), True)

    def _canon(self, key: Key) -> Key:
        """What a figure counts: which establishments, which guests, which days.

        A commune's homestays may be exactly one establishment, a period the whole
        range: the same figure under two names must have one status.
        """
        dimension, group, day = key
        places = set(self._places)
        if isinstance(dimension, tuple):
            kind, code, dimension = dimension
            places = {code} if kind == ESTABLISHMENT else self._where(places, "commune", code)
        who = None
        if dimension in PLACE_ATTRIBUTES:
            places = self._where(places, dimension, group)
        elif dimension == ESTABLISHMENT:
            places = {group}
        elif dimension != TOTAL:
            who = (dimension, group)
        span = (
            day or self.first_day,
            self._last_days.get(day, self.last_day) if day else self.last_day,
        )
        return (frozenset(places & set(self._places)), who, span)

    def _where(self, places: set[int], dimension: str, group: Any) -> set[int]:
        position = PLACE_ATTRIBUTES[dimension]
        return {e for e in places if self._places[e][position] == group}

    def _rows(
        self, group_by: GroupBy, *, whole_range: bool = False, scope: Scope | None = None
    ) -> dict[Key, int]:
        """Guests per (group, period's first day), or per (group, None) over the range."""
        found = measures.occupancy(
            self.session,
            first_day=self.first_day,
            last_day=self.last_day,
            period="year" if whole_range else self.period,
            group_by=group_by,
            scope=scope or self.scope,
        )
        guests: dict[Key, int] = defaultdict(int)
        for row in found:
            guests[row.group, None if whole_range else row.first_day] += row.guests
            if not whole_range:
                self._last_days[row.first_day] = row.last_day
        return guests

    def _settle(self, guests: Mapping[Key, int], groups: list[Group]) -> None:
        """Protect these figures (by what they count), keeping what upper levels settled."""
        named: dict[Key, int] = {}
        for key, n in guests.items():
            named[self._canon(key)] = max(n, named.get(self._canon(key), 0))
        sums = [(self._canon(t), [self._canon(p) for p in parts]) for t, parts in groups]
        hidden = protect(named, sums, self.min_cell, self.statuses)
        for total, parts in sums:
            for key in (total, *parts):
                self.statuses.setdefault(key, key in hidden)
        for key in named:
            self.statuses.setdefault(key, key in hidden)

    def _load_places(self) -> None:
        busy = [e for (e, _p), n in self._rows(ESTABLISHMENT, whole_range=True).items() if n]
        found = self.session.execute(
            select(
                Establishment.id,
                Establishment.commune_code,
                Establishment.kind,
                Establishment.stars,
            ).where(Establishment.id.in_(busy))
        )
        self._places = {e: (commune, str(kind), stars) for e, commune, kind, stars in found}

    def _solve_top(self) -> None:
        """The range's figures by every grouping and by establishment, then the periods'."""
        self._solved.add(TOTAL)
        self._load_places()
        dims = (*TOP_GROUPS, ESTABLISHMENT)
        ranges = {d: self._rows(d, whole_range=True) for d in dims}
        top = (TOTAL, None, None)
        guests: dict[Key, int] = {
            (d, g, None): n for d, rows in ranges.items() for (g, _p), n in rows.items()
        }
        guests[top] = sum(self._rows("total", whole_range=True).values())
        parts = {d: [(d, g, None) for g, _p in ranges[d]] for d in dims}
        groups = [(top, keys) for keys in parts.values()]
        self._settle(guests, groups + self._communes_of(None))
        self._solve_periods(top, parts)

    def _communes_of(self, day: dt.date | None) -> list[Group]:
        """Each commune's figure is the sum of its establishments'."""
        inside: dict[Any, list[Key]] = defaultdict(list)
        for e, (commune, _kind, _stars) in self._places.items():
            inside[commune].append((ESTABLISHMENT, e, day))
        return [(("commune", c, day), keys) for c, keys in inside.items()]

    def _solve_periods(self, top: Key, parts: Mapping[GroupBy, list[Key]]) -> None:
        totals = self._rows("total")
        days = sorted(day for _g, day in totals)
        guests: dict[Key, int] = {(TOTAL, None, day): n for (_g, day), n in totals.items()}
        groups: list[Group] = [(top, [(TOTAL, None, day) for day in days])]
        for d, keys in parts.items():
            cells = self._rows(d)
            guests |= {(d, g, day): n for (g, day), n in cells.items()}
            groups += [((TOTAL, None, day), [(d, key[1], day) for key in keys]) for day in days]
            groups += [(key, [(d, key[1], day) for day in days]) for key in keys]
        for day in days:
            groups += self._communes_of(day)
        self._settle(guests, groups)

    def _solve_inside(self, dimension: tuple[str, int, GroupBy]) -> None:
        """A table of one commune or one establishment, under its settled total."""
        if dimension in self._solved:
            return
        self._solved.add(dimension)
        kind, code, group_by = dimension
        if kind == ESTABLISHMENT:
            scope = replace(self.scope, establishment_ids=[code])
        else:
            scope = replace(self.scope, commune_code=code)
        rows = self._rows(group_by, whole_range=True, scope=scope)
        guests = {(dimension, g, None): n for (g, _p), n in rows.items()}
        self._settle(guests, [((kind, code, None), list(guests))])


def now_hidden(guests: Mapping[int, int], min_cell: int) -> set[int]:
    """The communes of ``/statistics/now`` to suppress, their sum being the headline's."""
    cells: dict[Key, int] = dict(guests)
    cells[TOTAL] = sum(guests.values())
    hidden = protect(cells, [(TOTAL, list(guests))], min_cell)
    return {key for key in hidden if isinstance(key, int)}
