"""When each guest must be reported to the police, and what missing it can cost.

Vietnamese citizens (Law 68/2020/QH14 on Residence, Art. 30(4)): the stay is notified
before 23:00 on the day it starts; a guest who arrives after 23:00 is notified before
08:00 the next day. That is a wall-clock cut-off in Vietnam, not "N hours after arrival".
Foreigners (Law 47/2014/QH13 as amended, Art. 33): declared within 12 hours of arrival,
24 hours when the commune is classified as remote (vùng sâu, vùng xa).
Fines scale with the number of guests not notified (Decree 282/2025/NĐ-CP, Art. 10).

Boundaries, decided once here:

- An arrival at exactly 23:00:00 counts as "after 23:00" and is due at 08:00 the next
  day: a deadline equal to the arrival would be impossible to meet.
- An arrival between 00:00 and 08:00 starts its stay on that day, so it is due at 23:00
  the same day (the law counts from "the day the stay starts").
- A declaration made at the deadline instant is on time, for both rules. "Within 12
  hours" includes the twelfth hour; "before 23:00" would strictly exclude 23:00:00, but
  one clock tick is below what two systems' clocks can agree on, and the owner gets
  reminders well before it anyway.

Every result is in Asia/Ho_Chi_Minh time, which has kept +07:00 without daylight saving
since 1975, so adding hours to a Vietnamese wall-clock time adds elapsed hours. The
caller's datetimes may carry any zone: time_left() subtracts in UTC, because Python
subtracts two datetimes that share a zone by their wall clocks, which is wrong across a
daylight-saving change in that zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.clock import VIETNAM

CITIZEN_CUTOFF = dt.time(23)
CITIZEN_NEXT_MORNING_CUTOFF = dt.time(8)
FOREIGNER_WINDOW = dt.timedelta(hours=12)
REMOTE_FOREIGNER_WINDOW = dt.timedelta(hours=24)
# Escalating reminders before a deadline (reference §8 point 2).
FIRST_ALERT_LEAD = dt.timedelta(hours=2)
LAST_ALERT_LEAD = dt.timedelta(minutes=30)


class GuestKind(StrEnum):
    """Which law sets the deadline: citizens' stays are notified, foreigners' declared."""

    CITIZEN = "citizen"
    FOREIGNER = "foreigner"


@dataclass(frozen=True)
class FineBand:
    """One row of the fine table in Decree 282/2025/NĐ-CP Art. 10.

    Amounts are whole đồng (VND has no minor unit). ``most_guests`` is None for the
    open-ended top band. The label is translated when shown, not when imported.
    """

    currency: ClassVar[str] = "VND"

    fewest_guests: int
    most_guests: int | None
    minimum_fine: int
    maximum_fine: int
    label: LazyString = field(compare=False)


# Ordered by fewest_guests: fine_band() takes the last band the count reaches.
FINE_BANDS = (
    FineBand(1, 3, 2_000_000, 4_000_000, _l("1 to 3 guests not reported")),
    FineBand(4, 8, 4_000_000, 8_000_000, _l("4 to 8 guests not reported")),
    FineBand(9, None, 8_000_000, 12_000_000, _l("9 or more guests not reported")),
)


def reporting_deadline(
    arrival: dt.datetime, kind: GuestKind, *, remote_commune: bool = False
) -> dt.datetime:
    """The last instant at which this guest's report is still on time.

    ``remote_commune`` is the establishment's commune flag; only foreigners' deadlines
    depend on it, so it can be passed for every guest. A naive ``arrival`` is refused:
    guessing its zone could move a deadline by hours.
    """
    arrival = _in_vietnam(arrival, "arrival")
    if GuestKind(kind) is GuestKind.FOREIGNER:
        window = REMOTE_FOREIGNER_WINDOW if remote_commune else FOREIGNER_WINDOW
        return arrival + window
    day = arrival.date()
    if arrival.time() < CITIZEN_CUTOFF:
        return dt.datetime.combine(day, CITIZEN_CUTOFF, tzinfo=VIETNAM)
    next_day = day + dt.timedelta(days=1)
    return dt.datetime.combine(next_day, CITIZEN_NEXT_MORNING_CUTOFF, tzinfo=VIETNAM)


def time_left(deadline: dt.datetime, now: dt.datetime) -> dt.timedelta:
    """Elapsed time from ``now`` until ``deadline``; negative once it has passed."""
    return _in_utc(deadline, "deadline") - _in_utc(now, "now")


def is_overdue(deadline: dt.datetime, now: dt.datetime) -> bool:
    """Whether a report made at ``now`` is late; one made at the deadline instant is not."""
    return time_left(deadline, now) < dt.timedelta(0)


def alert_times(deadline: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """When to remind the owner: two hours, then thirty minutes, before the deadline.

    For a late arrival (a citizen at 22:59) both may already be past; the scheduler
    decides whether to send them at once.
    """
    deadline = _in_vietnam(deadline, "deadline")
    return deadline - FIRST_ALERT_LEAD, deadline - LAST_ALERT_LEAD


def fine_band(unreported_guests: int) -> FineBand | None:
    """The fine an establishment risks for this many guests not reported; None for none."""
    if unreported_guests < 0:
        raise ValueError(f"unreported_guests must not be negative, got {unreported_guests}")
    for band in reversed(FINE_BANDS):
        if unreported_guests >= band.fewest_guests:
            return band
    return None


def _in_utc(moment: dt.datetime, name: str) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(dt.UTC)


def _in_vietnam(moment: dt.datetime, name: str) -> dt.datetime:
    return _in_utc(moment, name).astimezone(VIETNAM)
