"""The calendar the portal serves: every date a person or a client sends falls in it.

Python's dates end at 9999-12-31 and start at 0001-01-01, and moving a time at either
end to another zone (``9999-12-31T23:59:59-12:00`` to UTC) raises ``OverflowError``.
Nothing the portal records needs a date before 1900 (the oldest guest's birth) or
after 2199, so anything outside that window is refused where it comes in, with a
message on its field, and the domain's own rules (a stay's length, a booking's
window) never meet an overflow.

Three doors, one rule: ``day_problem``/``moment_problem`` for code that checks
values itself, ``InCalendar`` for WTForms fields, and ``CalendarDate`` and
``CalendarDatetime`` for API schemas (a 422 naming the field).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError
from wtforms.validators import StopValidation

EARLIEST_DAY = dt.date(1900, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)


def _outside() -> LazyString:
    return _l(
        "Enter a date from %(earliest)s to %(latest)s.",
        earliest=EARLIEST_DAY.isoformat(),
        latest=LATEST_DAY.isoformat(),
    )


def day_problem(day: dt.date) -> LazyString | None:
    """Why ``day`` cannot be taken, or None when it is in the portal's calendar."""
    if isinstance(day, dt.datetime):
        return moment_problem(day)
    return None if EARLIEST_DAY <= day <= LATEST_DAY else _outside()


def moment_problem(moment: dt.datetime) -> LazyString | None:
    """Why ``moment`` cannot be taken: outside the calendar, as written or in UTC."""
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        return _outside()
    if moment.utcoffset() is not None and not (
        EARLIEST_DAY <= moment.astimezone(dt.UTC).date() <= LATEST_DAY
    ):
        return _outside()  # 1900-01-01 00:00+14:00 is still 1899 in UTC
    return None


def parse_day(raw: str) -> dt.date:
    """A query string's ``YYYY-MM-DD`` in the calendar, or ``ValueError`` with a message."""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_l("Enter a date as YYYY-MM-DD.")) from None
    problem = day_problem(day)
    if problem is not None:
        raise ValueError(problem)
    return day


class InCalendar:
    """A WTForms validator: the field's date (or date and time) is in the calendar."""

    field_flags: dict[str, Any] = {}

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        problem = day_problem(value) if isinstance(value, dt.date) else None
        if problem is not None:
            raise StopValidation(problem)


D = TypeVar("D", dt.date, dt.datetime)


def _checked(value: D) -> D:
    problem = day_problem(value)  # a datetime is checked as a moment
    if problem is not None:
        # "portal": the API's error table passes our own (translated) message on.
        raise PydanticCustomError("portal", str(problem))
    return value


CalendarDate = Annotated[dt.date, AfterValidator(_checked)]
CalendarDatetime = Annotated[AwareDatetime, AfterValidator(_checked)]
