"""The period selector and filters of every dashboard view, read from a query string.

Pure functions: the views pass ``request.args`` in and get a ``Filters`` back, or the
messages that explain what is wrong. The same rules serve pages, exports and the API.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeVar, get_args

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.dates import parse_day
from core.ids import row_id
from lodging.properties.models import EstablishmentKind
from lodging.statistics.measures import GroupBy, Period

PERIODS: tuple[Period, ...] = get_args(Period)
# The groupings a page may ask for (an establishment's drill-down adds "establishment").
GROUPS: tuple[GroupBy, ...] = ("commune", "kind", "stars", "residence_country", "international")
# Beyond these, a table is too long to read and a query too long to wait for.
T = TypeVar("T", bound=str)
MAX_DAYS = {"day": 366, "week": 3 * 366, "month": 10 * 366, "year": 20 * 366}


@dataclass(frozen=True)
class Filters:
    first_day: dt.date
    last_day: dt.date
    period: Period = "month"
    group_by: GroupBy = "commune"
    commune_code: int | None = None
    kind: str | None = None
    stars: int | None = None
    establishment_id: int | None = None

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments, for links and export URLs."""
        args = {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "period": self.period,
            "group_by": self.group_by,
        }
        optional = {
            "commune": self.commune_code,
            "kind": self.kind,
            "stars": self.stars,
            "establishment": self.establishment_id,
        }
        args.update({key: str(value) for key, value in optional.items() if value is not None})
        return args


def default_filters(today: dt.date) -> Filters:
    """The last twelve months, month by month, up to today."""
    first = dt.date(today.year - 1, today.month, 1)
    if today.month == 12:
        first = dt.date(today.year, 1, 1)
    return Filters(first_day=first, last_day=today)


def _date(raw: str | None, errors: dict[str, LazyString], name: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return parse_day(raw)
    except ValueError as exc:
        errors[name] = exc.args[0]
        return None


def _int(raw: str | None, errors: dict[str, LazyString], name: str) -> int | None:
    if not raw:
        return None
    try:
        return row_id(raw)
    except ValueError:
        errors[name] = _l("Enter a whole number.")
        return None


def _choice(
    raw: str | None, choices: tuple[T, ...], default: T, errors: dict[str, LazyString], name: str
) -> T:
    if not raw:
        return default
    for choice in choices:
        if raw == choice:
            return choice
    errors[name] = _l("Choose one of: %(expected)s.", expected=", ".join(choices))
    return default


def parse_filters(
    args: Mapping[str, str],
    today: dt.date,
    *,
    periods: tuple[Period, ...] = PERIODS,
    groups: tuple[GroupBy, ...] = GROUPS,
) -> tuple[Filters, dict[str, LazyString]]:
    """The filters in ``args`` over the defaults, and an error per field that is wrong.

    With errors the defaults stand in for the wrong fields, so a page still shows.
    """
    errors: dict[str, LazyString] = {}
    base = default_filters(today)
    first = _date(args.get("from"), errors, "from") or base.first_day
    last = _date(args.get("to"), errors, "to") or base.last_day
    period = _choice(args.get("period"), periods, base.period, errors, "period")
    group_by = _choice(args.get("group_by"), groups, groups[0], errors, "group_by")
    kinds = tuple(kind.value for kind in EstablishmentKind)
    kind = _choice(args.get("kind") or None, ("", *kinds), "", errors, "kind") or None
    filters = replace(
        base,
        first_day=first,
        last_day=last,
        period=period,
        group_by=group_by,
        commune_code=_int(args.get("commune"), errors, "commune"),
        kind=kind,
        stars=_int(args.get("stars"), errors, "stars"),
        establishment_id=_int(args.get("establishment"), errors, "establishment"),
    )
    if filters.stars is not None and not 1 <= filters.stars <= 5:
        errors["stars"] = _l("Stars go from 1 to 5.")
    if last < first:
        errors["to"] = _l("The end date must not be before the start date.")
    elif (last - first).days >= MAX_DAYS[period]:
        errors["to"] = _l("Choose a shorter range or a longer period for this range.")
    if errors:
        return base, errors
    return filters, errors


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_of(raw: str | None) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month); None when it is not one."""
    match = _MONTH.fullmatch(raw or "")
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    return int(match[1]), int(match[2])


def last_month(today: dt.date) -> tuple[int, int]:
    """The month before ``today``'s, as (year, month)."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month
