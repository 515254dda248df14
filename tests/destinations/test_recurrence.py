from __future__ import annotations

import datetime as dt

from portal.destinations.models import Recurrence
from portal.destinations.recurrence import occurrences

D = dt.date


def test_one_off_event_overlapping_the_range_is_kept_whole() -> None:
    found = occurrences(
        D(2027, 4, 28), D(2027, 4, 30), Recurrence.NONE, None,
        range_start=D(2027, 4, 30), range_end=D(2027, 5, 31),
    )  # fmt: skip
    assert found == [(D(2027, 4, 28), D(2027, 4, 30))]


def test_weekly_stops_at_the_last_start_before_until() -> None:
    found = occurrences(
        D(2026, 11, 1), None, Recurrence.WEEKLY, D(2026, 11, 20),
        range_start=D(2026, 1, 1), range_end=D(2027, 12, 31),
    )  # fmt: skip
    assert [start for start, _end in found] == [D(2026, 11, 1), D(2026, 11, 8), D(2026, 11, 15)]


def test_yearly_event_on_29_february_falls_on_the_28th_in_common_years() -> None:
    found = occurrences(
        D(2028, 2, 29), None, Recurrence.YEARLY, None,
        range_start=D(2029, 1, 1), range_end=D(2032, 12, 31),
    )  # fmt: skip
    assert [start for start, _end in found] == [
        D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28), D(2032, 2, 29),
    ]  # fmt: skip


def test_open_ended_weekly_event_is_bounded_by_the_range() -> None:
    found = occurrences(
        D(2026, 11, 7), None, Recurrence.WEEKLY, None,
        range_start=D(2026, 11, 28), range_end=D(2026, 11, 29),
    )  # fmt: skip
    assert found == [(D(2026, 11, 28), D(2026, 11, 28))]
