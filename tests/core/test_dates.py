"""The calendar the portal serves: dates at Python's edges are refused, never overflow."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from core.dates import (
    LATEST_DAY,
    CalendarDate,
    CalendarDatetime,
    day_problem,
    moment_problem,
    parse_day,
)

EDGES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]


@pytest.mark.parametrize("text", EDGES)
def test_times_at_the_ends_of_pythons_calendar_are_refused(app, text):
    moment = dt.datetime.fromisoformat(text)
    with app.test_request_context("/en/"):
        assert "Enter a date from 1900-01-01 to 2199-12-31." in str(moment_problem(moment))


def test_a_time_that_is_in_the_calendar_only_in_its_own_zone_is_refused(app):
    last = dt.datetime.combine(LATEST_DAY, dt.time(23), tzinfo=dt.timezone(-dt.timedelta(hours=5)))
    first = dt.datetime(1900, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    with app.test_request_context("/en/"):
        assert moment_problem(last) is not None
        assert moment_problem(first) is not None
        assert moment_problem(dt.datetime(2026, 5, 1, 14, tzinfo=dt.UTC)) is None


def test_days_outside_the_calendar_are_refused(app):
    with app.test_request_context("/en/"):
        assert day_problem(dt.date(9999, 12, 31)) is not None
        assert day_problem(dt.date(1, 1, 1)) is not None
        assert day_problem(dt.date(1899, 12, 31)) is not None
        assert day_problem(dt.date(1900, 1, 1)) is None
        assert day_problem(LATEST_DAY) is None


def test_query_string_days_are_parsed_and_bounded(app):
    with app.test_request_context("/en/"):
        assert parse_day("2026-05-01") == dt.date(2026, 5, 1)
        for raw in ("9999-12-31", "0001-01-01", "2026-13-01", "soon"):
            with pytest.raises(ValueError, match="Enter a date"):
                parse_day(raw)


class _Body(BaseModel):
    day: CalendarDate
    at: CalendarDatetime


@pytest.mark.parametrize("text", EDGES)
def test_api_fields_refuse_edge_times_on_their_path(app, text):
    with app.test_request_context("/api/v1/"):
        with pytest.raises(ValidationError) as refused:
            _Body.model_validate({"day": "2026-05-01", "at": text})
        (error,) = refused.value.errors()
        assert (error["type"], error["loc"]) == ("portal", ("at",))
        with pytest.raises(ValidationError):
            _Body.model_validate({"day": text[:10], "at": "2026-05-01T14:30:00+07:00"})
