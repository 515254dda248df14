"""Expanding an event's recurrence into the occurrences that fall in a date range. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from portal.destinations.models import Recurrence


def _yearly(first: dt.date, year: int) -> dt.date:
    # A yearly event born on 29 February happens on 28 February in other years.
    try:
        return first.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def _starts(first: dt.date, recurrence: Recurrence, until: dt.date | None) -> Iterator[dt.date]:
    """Every start date, in order (endless when a recurring event has no end)."""
    if recurrence is Recurrence.NONE:
        yield first
        return
    n = 0
    while True:
        if recurrence is Recurrence.WEEKLY:
            start = first + dt.timedelta(weeks=n)
        else:
            start = _yearly(first, first.year + n)
        if until is not None and start > until:
            return
        yield start
        n += 1


def occurrences(
    first_start: dt.date,
    first_end: dt.date | None,
    recurrence: Recurrence,
    until: dt.date | None,
    *,
    range_start: dt.date,
    range_end: dt.date,
) -> list[tuple[dt.date, dt.date]]:
    """``(starts_on, ends_on)`` of each occurrence overlapping ``[range_start, range_end]``.

    Every occurrence lasts as long as the first one; a recurrence ends with the last
    occurrence that starts on or before ``until``.
    """
    length = (first_end or first_start) - first_start
    found = []
    for start in _starts(first_start, recurrence, until):
        if start > range_end:
            break
        end = start + length
        if end >= range_start:
            found.append((start, end))
    return found
