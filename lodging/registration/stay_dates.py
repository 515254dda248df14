"""The dates a stay may carry, decided once for the desk, self check-in and the API.

- **Length: at most 730 nights (two years).** A stay of 30 days or more is no longer
  a *lưu trú* but a temporary residence (Law 68/2020/QH14 Art. 2(6), Art. 27(1)), and
  a temporary residence is registered for at most two years before it is renewed
  (Art. 27(3)); foreigners' visas and the temporary-residence cards given on them
  run for two years for most purposes (Law 47/2014/QH13 as amended). A longer stay is
  declared again when it is renewed. The desk still flags stays over 30 days.
- **Arrival: from two years ago to 30 minutes ahead** of the moment the stay is
  declared. Guests are declared when they arrive (a little slack for clocks and
  typing); a late declaration is accepted and marked overdue, but a stay that arrived
  more than the longest stay ago has ended and is for the police directly.
  So every declared stay lies within two years either side of its declaration.
- **Papers:** a birth from 1900 and before the arrival; a document valid for at most
  25 years after the arrival (a CCCD issued at 38 runs to 60); a visa or residence
  card issued, and an entry into Vietnam made, at most 10 years before the arrival,
  and a visa valid for at most 10 years after it (the longest temporary-residence
  card).

Every function returns ``(field, message)`` pairs under the paths ``check_stay``
uses, or nothing; none raises on any date Python can hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.clock import VIETNAM
from core.dates import day_problem, moment_problem

MAX_STAY_NIGHTS = 730
ARRIVAL_SLACK = dt.timedelta(minutes=30)
ARRIVAL_LOOKBACK = dt.timedelta(days=MAX_STAY_NIGHTS)
EARLIEST_BIRTH = dt.date(1900, 1, 1)
DOCUMENT_YEARS = 25
VISA_YEARS = 10

Problem = tuple[str, LazyString]


def _years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def arrival_problems(
    arrival: dt.datetime, *, now: dt.datetime, declared_at: dt.datetime | None = None
) -> Iterator[Problem]:
    """The stay's arrival against the moment it is (or was first) declared.

    ``declared_at`` is the original declaration's time for a correction: its arrival
    was checked then, and may be moved within the same window, never past ``now``.
    """
    problem = moment_problem(arrival)
    if problem is not None:
        yield "arrival", problem
        return
    if arrival > now + ARRIVAL_SLACK:
        yield "arrival", _l("The arrival is in the future: declare guests when they arrive.")
    elif arrival < (declared_at or now) - ARRIVAL_LOOKBACK:
        yield (
            "arrival",
            _l(
                "The arrival is more than %(nights)s nights ago: no stay lasts that long.",
                nights=MAX_STAY_NIGHTS,
            ),
        )


def departure_problems(arrival: dt.datetime, departure: dt.date) -> Iterator[Problem]:
    """The expected departure against an arrival that passed ``arrival_problems``."""
    problem = day_problem(departure)
    if problem is not None:
        yield "expected_departure", problem
        return
    arrival_day = arrival.astimezone(VIETNAM).date()
    if departure < arrival_day:
        yield "expected_departure", _l("The departure cannot be before the arrival.")
    elif (departure - arrival_day).days > MAX_STAY_NIGHTS:
        yield (
            "expected_departure",
            _l(
                "A stay is declared for at most %(nights)s nights (two years, the longest "
                "temporary residence); declare it again when it is renewed.",
                nights=MAX_STAY_NIGHTS,
            ),
        )


def guest_arrival_problem(
    moment: dt.datetime, stay_arrival: dt.datetime, departure: dt.date
) -> LazyString | None:
    """A late group member's own arrival: during the stay."""
    problem = moment_problem(moment)
    if problem is not None:
        return problem
    if stay_arrival <= moment and moment.astimezone(VIETNAM).date() <= departure:
        return None
    return _l("A guest arrives during the stay, not outside it.")


def birth_problem(birth: dt.date | None, arrival_day: dt.date) -> LazyString | None:
    if birth is None:
        return _l("Enter the date of birth.")
    if birth >= arrival_day:
        return _l("The date of birth must be before the arrival.")
    if birth < EARLIEST_BIRTH:
        return _l("Check the year of birth.")
    return None


def expiry_problem(expiry: dt.date, arrival_day: dt.date) -> LazyString | None:
    """Far-future expiry only; an expired document is ``documents``' rule."""
    if day_problem(expiry) is not None or expiry > _years(arrival_day, DOCUMENT_YEARS):
        return _l(
            "No document is valid for more than %(years)s years: check the expiry date.",
            years=DOCUMENT_YEARS,
        )
    return None


def visa_problems(
    *,
    valid_until: dt.date | None,
    issued_on: dt.date | None,
    entry_date: dt.date | None,
    arrival_day: dt.date,
) -> Iterator[Problem]:
    """A foreigner's visa and entry dates against the arrival (paths under ``foreigner``)."""
    earliest = _years(arrival_day, -VISA_YEARS)
    if valid_until is not None:
        if valid_until < arrival_day:
            yield "visa_valid_until", _l("The visa expired before the arrival.")
        elif valid_until > _years(arrival_day, VISA_YEARS):
            yield (
                "visa_valid_until",
                _l(
                    "No visa or residence card is valid for more than %(years)s years.",
                    years=VISA_YEARS,
                ),
            )
    if issued_on is not None:
        if issued_on > arrival_day:
            yield "visa_issued_on", _l("The visa cannot be issued after the arrival.")
        elif issued_on < earliest:
            yield (
                "visa_issued_on",
                _l("A visa issued more than %(years)s years ago has expired.", years=VISA_YEARS),
            )
    if entry_date is None:
        yield "entry_date", _l("Enter the date the guest entered Vietnam.")
    elif entry_date > arrival_day:
        yield "entry_date", _l("The entry into Vietnam must be before the arrival here.")
    elif entry_date < earliest:
        yield (
            "entry_date",
            _l(
                "Check the entry date: no visa or residence card covers more than %(years)s years.",
                years=VISA_YEARS,
            ),
        )
