"""The small-cell rule: which figures the tourism department may see, and which it may not.

Primary: a figure drawn from fewer than ``min_cell`` guests, but from some, is suppressed;
"nobody came" identifies nobody, so zeros show. Secondary: wherever figures add up to
another published figure (the groups of a table to its total, the periods to the range,
a commune's establishments to the commune's row, the communes of a period to the
period's row), a set with exactly one suppressed member would give it away by
subtraction, and so would a suppressed set from fewer than ``min_cell`` guests: the next
smallest member is suppressed too, until no set does.

Every page, drill-down, file and API answer that the department sees takes its statuses
from one ``Disclosure`` per range and period, solved over the whole province (a filter
only picks figures from it) and top-down: the range's figures first (so choosing days or
months cannot change them), then the periods, then every place group's figures by
country of residence at once (the drill-downs' and filtered pages' tables). A lower level
never changes a status an upper one settled, so every page agrees on every figure it
shares. A range over several months is each month's solution put together: a figure
shows when each month's part of it does, so one range less another tells nothing.
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
from lodging.statistics import measures, periods
from lodging.statistics.measures import GroupBy, Period, Scope
from lodging.statistics.place_country import guests_by_place_and_country

Key = Any  # a figure's name: (dimension, group, first day or None), or a position
# A published figure and the published figures that add up to it.
Group = tuple[Key, Sequence[Key]]
# The groupings a department user can ask for over the whole scope.
TOP_GROUPS: tuple[GroupBy, ...] = ("commune", "kind", "stars", "residence_country", "international")
TOTAL: GroupBy = "total"
# Where each place grouping sits in ``Disclosure._places``' tuples.
PLACE_ATTRIBUTES = {"commune": 0, "kind": 1, "stars": 2}
ESTABLISHMENT: GroupBy = "establishment"
CROSS = "cross"  # the range's figures of every place group by country, once solved
ALL = None  # the guests part of a figure's name: every guest
DOMESTIC = "VN"  # international: a residence other than Viet Nam (``measures``)
DOMESTIC_GROUP = "domestic"


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
    # A group can only become exposed when one of its figures is hidden: after a check,
    # only those are checked again (in the same order, so the result is the same).
    holding: dict[Key, list[int]] = defaultdict(list)
    for i, (total, parts) in enumerate(groups):
        for key in (total, *parts):
            holding[key].append(i)
    dirty = [True] * len(groups)
    changed = True
    while changed:
        changed = False
        for i, (total, parts) in enumerate(groups):
            if not dirty[i]:
                continue
            dirty[i] = False
            if _exposed(total, parts, hidden, guests, min_cell):
                pick = _next_to_hide(total, parts, hidden, guests, settled)
                if pick is not None:
                    hidden.add(pick)
                    for j in holding[pick]:
                        dirty[j] = True
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
    """The statuses of every figure the department can see for one range and period.

    Keys are ``(dimension, group, first day of the period or None for the range)``; the
    scope's own figures have the dimension ``"total"``, a commune's establishments
    ``"establishment"``, and a table inside commune ``c`` or establishment ``e``
    ``("commune", c, group_by)`` or ``("establishment", e, group_by)``.

    The figures are solved over the whole province whatever the filters: ``scope``
    only says which establishments a key's figure covers, so a filtered page, file or
    answer shows each figure with the status it has everywhere else. A figure the
    solution has no status for (one commune's hotels' Korean guests, month by month)
    is one nobody can check against the rest: it is suppressed.
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
    # The establishments of each place group, by (dimension, group), once asked.
    _members: dict[tuple[str, Any], frozenset[int]] = field(default_factory=dict)
    _last_days: dict[dt.date, dt.date] = field(default_factory=dict)
    # The countries of residence of the range's guests.
    _countries: frozenset[str] = frozenset()
    # A range not one whole month: each month's own disclosure.
    _months: list[Disclosure] = field(default_factory=list)
    # What the periods' figures count (establishments, guests), whatever the period.
    _families: set[Key] = field(default_factory=set)

    def hidden(self, key: Key) -> bool:
        """Whether the figure is suppressed (False for one nobody can ask for)."""
        if self.min_cell <= 0:
            return False
        end = periods.following(self.first_day.replace(day=1), "month") - dt.timedelta(days=1)
        if (self.first_day.day, self.last_day) != (1, end) or self.period == "week":
            return self._hidden_by_month(key)
        if not self._solved:
            self._solve_top()
        name = self._canon(key, self._within())
        if not name[0] or name[1] == frozenset() or self._none_that_day(name):
            return False  # nobody: a zero identifies nobody
        if name not in self.statuses and CROSS not in self._solved:
            self._solve_cross()
        # A figure nobody settled is one the portal has no row for: fail closed.
        return self.statuses.get(name, True)

    def _hidden_by_month(self, key: Key) -> bool:
        """A figure of a range that is not one whole month, hidden when a part of it is.

        Each whole month is solved on its own, the same whatever range it is part of;
        the days of a month the range cuts, and weeks (which cut months), take their
        statuses from that month's days. A figure shown here adds up figures shown
        there, so subtracting one range or period from another (October and November
        less October, a week less its days) gives nothing a month or a day hides.
        """
        if not self._months:
            for a, b in periods.spans(self.first_day, self.last_day, "month"):
                end = periods.following(a.replace(day=1), "month") - dt.timedelta(days=1)
                whole = (a.day, b) == (1, end) and self.period != "week"
                period: Period = self.period if whole else "day"
                self._months.append(
                    Disclosure(
                        self.session, a.replace(day=1), end, period, self.scope, self.min_cell
                    )
                )
        dimension, group, day = key
        first, last = self.first_day, self.last_day
        if day is not None:
            following = periods.following(periods.start_of(day, self.period), self.period)
            first, last = max(day, first), min(last, following - dt.timedelta(days=1))
        return any(
            month.hidden((dimension, group, piece))
            for month in self._months
            for piece in _pieces(month, first, last, whole=month.period == self.period)
        )

    def _none_that_day(self, name: Key) -> bool:
        """A period's figure of a group the periods have, but not this one: a zero."""
        whole = (self.first_day, self.last_day)
        return name not in self.statuses and name[2] != whole and name[:2] in self._families

    @property
    def _base(self) -> Scope:
        return Scope(province_code=self.scope.province_code)

    def _canon(self, key: Key, places: set[int] | None = None) -> Key:
        """What a figure counts: which establishments, which guests, which days.

        A commune's homestays may be exactly one establishment, a period the whole
        range: the same figure under two names must have one status. ``places``: the
        establishments the page's filters leave (default: every one).
        """
        dimension, group, day = key
        places = set(self._places) if places is None else places
        if isinstance(dimension, tuple):
            kind, code, dimension = dimension
            places &= {code} if kind == ESTABLISHMENT else self._where(places, "commune", code)
        who: Any = ALL
        if dimension in PLACE_ATTRIBUTES:
            places = self._where(places, dimension, group)
        elif dimension == ESTABLISHMENT:
            places &= {group}
        elif dimension == "residence_country":
            who = self._guests({group})
        elif dimension == "international":
            who = self._guests(
                {c for c in self._countries if (c != DOMESTIC) == (group != DOMESTIC_GROUP)}
            )
        elif dimension != TOTAL:
            who = (dimension, group)
        return self._name(places, who, day)

    def _name(self, places: Iterable[int], who: Any, day: dt.date | None) -> Key:
        last = self._last_days.get(day, self.last_day) if day else self.last_day
        return (frozenset(places), who, (day or self.first_day, last))

    def _guests(self, countries: set[Any]) -> Any:
        """Guests from these countries; ``ALL`` when they are every guest of the range."""
        return ALL if countries >= self._countries else frozenset(countries & self._countries)

    def _within(self) -> set[int]:
        """The establishments ``scope``'s filters leave."""
        s = self.scope
        wanted = {"commune": s.commune_code, "kind": s.kind, "stars": s.stars}
        places = set(self._places)
        if s.establishment_ids is not None:
            places &= set(s.establishment_ids)
        for dimension, value in wanted.items():
            if value is not None:
                places = self._where(places, dimension, value)
        return places

    def _where(self, places: set[int], dimension: str, group: Any) -> set[int]:
        members = self._members.get((dimension, group))
        if members is None:
            position = PLACE_ATTRIBUTES[dimension]
            members = frozenset(e for e, a in self._places.items() if a[position] == group)
            self._members[dimension, group] = members
        return places & members

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
            scope=scope or self._base,
        )
        guests: dict[Key, int] = defaultdict(int)
        for row in found:
            guests[row.group, None if whole_range else row.first_day] += row.guests
            if not whole_range:
                self._last_days[row.first_day] = row.last_day
        return guests

    def _settle(self, guests: Mapping[Key, int], groups: list[Group]) -> None:
        """Protect these figures (by what they count), keeping what upper levels settled."""
        canon = self._canon
        named: dict[Key, int] = {}
        for key, n in guests.items():
            named[canon(key)] = max(n, named.get(canon(key), 0))
        self._settle_names(named, [(canon(t), [canon(p) for p in parts]) for t, parts in groups])

    def _settle_names(self, named: Mapping[Key, int], sums: list[Group]) -> None:
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
        self._members = {}

    def _solve_top(self) -> None:
        """The range's figures by every grouping and by establishment, then the periods'."""
        self._solved.add(TOTAL)
        self._load_places()
        dims = (*TOP_GROUPS, ESTABLISHMENT)
        ranges = {d: self._rows(d, whole_range=True) for d in dims}
        self._countries = frozenset(g for (g, _p), n in ranges["residence_country"].items() if n)
        top = (TOTAL, None, None)
        guests: dict[Key, int] = {
            (d, g, None): n for d, rows in ranges.items() for (g, _p), n in rows.items()
        }
        guests[top] = sum(self._rows("total", whole_range=True).values())
        parts = {d: [(d, g, None) for g, _p in ranges[d]] for d in dims}
        groups = [(top, keys) for keys in parts.values()]
        self._settle(guests, groups + self._sums_of(None))
        self._solve_periods(top, parts)

    def _sums_of(self, day: dt.date | None) -> list[Group]:
        """A place group's figure is its establishments'; the international, its countries'."""
        inside: dict[Key, list[Key]] = defaultdict(list)
        for e, attributes in self._places.items():
            for dimension, position in PLACE_ATTRIBUTES.items():
                inside[dimension, attributes[position], day].append((ESTABLISHMENT, e, day))
        abroad = [("residence_country", c, day) for c in self._countries if c != DOMESTIC]
        return [*inside.items(), (("international", "international", day), abroad)]

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
            groups += self._sums_of(day)
        self._settle(guests, groups)
        self._families = {self._canon(key)[:2] for key in guests}

    def _solve_cross(self) -> None:
        """Every place group's figures by country of residence over the range, at once.

        The province, each commune, kind and stars, each commune's kinds and stars and
        each establishment, by country and by international or domestic: a drill-down
        or a filtered page shows one of these, and every sum between them is protected.
        """
        self._solved.add(CROSS)
        found = guests_by_place_and_country(
            self.session, first_day=self.first_day, last_day=self.last_day, scope=self._base
        )
        cells: dict[tuple[int, Any], int] = {
            (e, g): n for (e, g), n in found.items() if e in self._places
        }
        sets = _place_sets(self._places)
        guests: dict[Key, int] = {}
        sums: list[Group] = []
        for places in sets.values():
            names = {c: self._name(places, self._guests({c}), None) for c in self._countries}
            for c, name in names.items():
                guests[name] = sum(cells.get((e, c), 0) for e in places)
            abroad = [names[c] for c in self._countries if c != DOMESTIC]
            every = self._name(places, ALL, None)
            intl = self._name(places, self._guests(set(self._countries) - {DOMESTIC}), None)
            guests[intl] = sum(guests[n] for n in abroad)
            guests.setdefault(every, sum(guests[n] for n in names.values()))
            sums += [(every, list(names.values())), (intl, abroad)]
            sums.append((every, [intl, *(names[c] for c in names if c == DOMESTIC)]))
        partitions = _partitions(sets)
        for countries in (*({c} for c in self._countries), set(self._countries) - {DOMESTIC}):
            who = self._guests(countries)
            for whole, parts in partitions:
                name = self._name(sets[whole], who, None)
                sums.append((name, [self._name(sets[p], who, None) for p in parts]))
        self._settle_names(guests, sums)


def _pieces(month: Disclosure, first: dt.date, last: dt.date, *, whole: bool) -> list[Any]:
    """The keys' days of ``first``..``last``'s part in ``month`` (None: all of it).

    In a month the range cuts (not ``whole``: solved by day), every day of the part.
    """
    start, end = max(first, month.first_day), min(last, month.last_day)
    if start > end:
        return []
    if (start, end) == (month.first_day, month.last_day):
        return [None]
    if whole:
        return [start]
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


# The place groups of the cross solution: the attributes fixed (none: the province).
CROSS_GROUPS = ((), ("commune",), ("kind",), ("stars",), ("commune", "kind"), ("commune", "stars"))


def _place_sets(places: Mapping[int, tuple[Any, ...]]) -> dict[Key, frozenset[int]]:
    """Each place group of ``CROSS_GROUPS`` and each establishment, by its attributes."""
    sets: dict[Key, set[int]] = defaultdict(set)
    for e, attributes in places.items():
        for fixed in CROSS_GROUPS:
            sets[tuple((a, attributes[PLACE_ATTRIBUTES[a]]) for a in fixed)].add(e)
        sets[ESTABLISHMENT, e].add(e)
    return {key: frozenset(found) for key, found in sets.items()}


def _partitions(sets: Mapping[Key, frozenset[int]]) -> list[tuple[Key, list[Key]]]:
    """Each place group split by establishment, and by one more attribute fixed."""
    split: dict[Key, list[Key]] = defaultdict(list)
    for key in sets:
        if key and key[0] == ESTABLISHMENT:
            continue
        split[key, ESTABLISHMENT] = [(ESTABLISHMENT, e) for e in sorted(sets[key])]
        for attribute, _value in key:
            parent = tuple(pair for pair in key if pair[0] != attribute)
            split[parent, attribute].append(key)
    return [(whole, parts) for (whole, _by), parts in split.items()]


def now_hidden(guests: Mapping[int, int], min_cell: int) -> set[int]:
    """The communes of ``/statistics/now`` to suppress, their sum being the headline's."""
    return {key for key in _now_protected(guests, min_cell) if isinstance(key, int)}


def _now_protected(guests: Mapping[int, int], min_cell: int) -> set[Key]:
    cells: dict[Key, int] = dict(guests)
    cells[TOTAL] = sum(guests.values())
    return protect(cells, [(TOTAL, list(guests))], min_cell)


def now_figure_hidden(
    province: Sequence[measures.NowRow], scoped: Sequence[measures.NowRow], min_cell: int
) -> bool:
    """Whether tonight's figures of some establishments (``scoped``, by commune) are hidden.

    ``/statistics/now`` shows the communes ``now_hidden`` leaves, and the province's
    sum unless it hides that: a headline is shown only when it adds up whole communes
    shown there, or is the province's shown sum, so it tells nothing they do not.
    """
    if min_cell <= 0:
        return False
    people = {r.commune_code: r.guests_present + r.same_day for r in province}
    shut = _now_protected(people, min_cell)
    whole = {r.commune_code: r for r in province if r != replace(r, **_NOBODY)}
    mine = {r.commune_code: r for r in scoped if r != replace(r, **_NOBODY)}
    if not mine:
        return False  # nobody: a zero identifies nobody
    if mine == whole:
        return TOTAL in shut
    return any(code in shut or whole.get(code) != row for code, row in mine.items())


_NOBODY = {"guests_present": 0, "arrivals": 0, "same_day": 0}
