"""iCalendar (RFC 5545) files: events, bookings. Pure: plain values in, bytes out.

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character);
TEXT values escape backslash, semicolon, comma and newlines. Timed events carry
``TZID=Asia/Ho_Chi_Minh`` with the matching VTIMEZONE; all-day ones use
``VALUE=DATE`` with an exclusive end date, as calendars expect.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

TZID = "Asia/Ho_Chi_Minh"
VIETNAM = dt.timezone(dt.timedelta(hours=7))
PRODID = "-//Quang Ninh and Lao Cai travel portal//Events//EN"
LINE_OCTETS = 75

# Vietnam has kept UTC+7 without daylight saving since 1975: one STANDARD rule says it all.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19750613T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:ICT",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class CalendarEvent:
    """One event as a calendar sees it; recurring ones expand in the reader's app."""

    uid: str
    summary: str
    starts_on: dt.date
    ends_on: dt.date | None = None
    start_time: dt.time | None = None  # local (Asia/Ho_Chi_Minh); None = all day
    end_time: dt.time | None = None
    recurrence: str = "none"  # none | weekly | yearly
    recurrence_until: dt.date | None = None
    cancelled: bool = False
    description: str = ""
    location: str = ""
    url: str = ""
    lat: float | None = None
    lon: float | None = None
    sequence: int = 0
    last_modified: dt.datetime | None = None


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 §3.1)."""
    pieces: list[str] = []
    current = ""
    limit = LINE_OCTETS
    for char in line:
        if len((current + char).encode()) > limit:
            pieces.append(current)
            current = ""
            limit = LINE_OCTETS - 1  # continuation lines start with one space
        current += char
    pieces.append(current)
    return "\r\n ".join(pieces)


def _utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _times(event: CalendarEvent) -> list[str]:
    last_day = event.ends_on or event.starts_on
    if event.start_time is None:
        return [
            f"DTSTART;VALUE=DATE:{_date(event.starts_on)}",
            f"DTEND;VALUE=DATE:{_date(last_day + dt.timedelta(days=1))}",
        ]
    start = dt.datetime.combine(event.starts_on, event.start_time)
    lines = [f"DTSTART;TZID={TZID}:{start.strftime('%Y%m%dT%H%M%S')}"]
    if event.end_time is not None:
        end = dt.datetime.combine(last_day, event.end_time)
        lines.append(f"DTEND;TZID={TZID}:{end.strftime('%Y%m%dT%H%M%S')}")
    return lines


def _rrule(event: CalendarEvent) -> list[str]:
    if event.recurrence == "weekly":
        rule = "FREQ=WEEKLY"
    elif event.recurrence == "yearly":
        rule = "FREQ=YEARLY"
        if (event.starts_on.month, event.starts_on.day) == (2, 29):
            # Like the site: a 29 February event falls on 28 February in common years.
            rule += ";BYMONTH=2;BYMONTHDAY=-1"
    else:
        return []
    until = event.recurrence_until
    if until is not None:
        if event.start_time is None:
            rule += f";UNTIL={_date(until)}"
        else:
            # With a TZID start, UNTIL must be UTC (RFC 5545 §3.3.10): the end of that local day.
            last_moment = dt.datetime.combine(until, dt.time(23, 59, 59), VIETNAM)
            rule += f";UNTIL={_utc_stamp(last_moment)}"
    return [f"RRULE:{rule}"]


def _vevent(event: CalendarEvent, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}", *_times(event)]
    lines += _rrule(event)
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.lat is not None and event.lon is not None:
        lines.append(f"GEO:{event.lat:.6f};{event.lon:.6f}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append(f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}")
    lines.append(f"SEQUENCE:{event.sequence}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc_stamp(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Sequence[CalendarEvent], *, now: dt.datetime, name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per event, UTF-8 with CRLF line ends."""
    stamp = _utc_stamp(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    if any(event.start_time is not None for event in events):
        lines.extend(VTIMEZONE)
    for event in events:
        lines.extend(_vevent(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines).encode()
