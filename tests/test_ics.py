"""The .ics builder: RFC 5545 lines, folding, escaping, time zones, recurrence."""

import datetime as dt

import icalendar

from portal.ics import CalendarEvent, calendar, escape_text, fold

NOW = dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def event(**overrides: object) -> CalendarEvent:
    values: dict[str, object] = {
        "uid": "event-7@portal.example",
        "summary": "Lễ hội Carnaval Hạ Long",
        "starts_on": dt.date(2027, 4, 30),
    }
    values.update(overrides)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def lines(data: bytes) -> list[str]:
    """The content lines, unfolded, as a calendar reader sees them."""
    return data.decode().replace("\r\n ", "").split("\r\n")


def test_every_line_ends_in_crlf_and_is_at_most_75_octets():
    data = calendar([event(description="Bắn pháo hoa trên vịnh. " * 20)], now=NOW)
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    for line in physical:
        line.decode()  # a fold never splits a UTF-8 character


def test_folding_matches_hand_computed_lines():
    line = "SUMMARY:" + "a" * 80  # 88 octets: 75, then a space and the last 13
    assert fold(line) == "SUMMARY:" + "a" * 67 + "\r\n " + "a" * 13
    # "ạ" is 3 octets: 8 + 22*3 = 74 fits, the 23rd would make 77, so it starts the next line.
    viet = "SUMMARY:" + "ạ" * 30
    assert fold(viet) == "SUMMARY:" + "ạ" * 22 + "\r\n " + "ạ" * 8
    assert fold("SUMMARY:short") == "SUMMARY:short"


def test_text_escapes_backslash_semicolon_comma_and_newlines():
    assert escape_text("a\\b;c,d\r\ne\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    data = calendar([event(summary="Chợ phiên; Bắc Hà, Lào Cai")], now=NOW)
    assert "SUMMARY:Chợ phiên\\; Bắc Hà\\, Lào Cai" in lines(data)


def test_all_day_event_uses_dates_with_an_exclusive_end():
    data = lines(calendar([event(ends_on=dt.date(2027, 5, 1))], now=NOW))
    assert "DTSTART;VALUE=DATE:20270430" in data
    assert "DTEND;VALUE=DATE:20270502" in data
    assert "DTSTAMP:20270102T030405Z" in data
    assert "UID:event-7@portal.example" in data
    assert not any(line.startswith("BEGIN:VTIMEZONE") for line in data)


def test_timed_event_is_in_vietnam_time_with_its_timezone():
    data = calendar([event(start_time=dt.time(19, 30), end_time=dt.time(22, 0))], now=NOW)
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20270430T193000" in lines(data)
    parsed = icalendar.Calendar.from_ical(data)
    vevent = parsed.walk("VEVENT")[0]
    start = vevent.decoded("DTSTART")
    assert start.astimezone(dt.UTC) == dt.datetime(2027, 4, 30, 12, 30, tzinfo=dt.UTC)
    assert vevent.decoded("DTEND").astimezone(dt.UTC).hour == 15


def test_weekly_recurrence_until_a_local_day_is_given_in_utc():
    data = lines(
        calendar(
            [
                event(
                    start_time=dt.time(6, 0),
                    recurrence="weekly",
                    recurrence_until=dt.date(2027, 12, 26),
                )
            ],
            now=NOW,
        )
    )
    # 26 Dec 23:59:59 in Vietnam is 16:59:59 UTC.
    assert "RRULE:FREQ=WEEKLY;UNTIL=20271226T165959Z" in data


def test_yearly_all_day_recurrence_and_29_february():
    yearly = lines(calendar([event(recurrence="yearly")], now=NOW))
    assert "RRULE:FREQ=YEARLY" in yearly
    leap = lines(calendar([event(starts_on=dt.date(2028, 2, 29), recurrence="yearly")], now=NOW))
    assert "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1" in leap


def test_cancelled_event_says_so():
    assert "STATUS:CANCELLED" in lines(calendar([event(cancelled=True)], now=NOW))
    assert "STATUS:CONFIRMED" in lines(calendar([event()], now=NOW))


def test_an_independent_parser_reads_the_text_back():
    description = "Đường 1, phố 2; mang theo ô\nvà áo mưa \\ nhé. " * 5
    data = calendar(
        [event(description=description, location="Bãi Cháy, Quảng Ninh", lat=20.95, lon=107.04)],
        now=NOW,
    )
    parsed = icalendar.Calendar.from_ical(data)
    vevent = parsed.walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Lễ hội Carnaval Hạ Long"
    assert str(vevent["DESCRIPTION"]) == description
    assert str(vevent["LOCATION"]) == "Bãi Cháy, Quảng Ninh"
    assert vevent.decoded("DTSTART") == dt.date(2027, 4, 30)
