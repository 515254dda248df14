"""A booking's name and dates: hidden characters and dates at the edge are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.booking.models import Booking, RatePlan
from tests.booking.conftest import in_days
from tests.factories import csrf_token

CALENDAR = "Enter a date from 1900-01-01 to 2199-12-31."


def book(client, plan_id: int, **overrides: object):
    body = {
        "rate_plan_id": plan_id,
        "arrival": str(in_days(7)),
        "departure": str(in_days(9)),
        "name": "Nguyễn Văn An",
        "email": "an@example.com",
    } | overrides
    return client.post("/api/v1/bookings", json=body, headers={"Accept-Language": "en"})


def bookings(session) -> int:
    return int(session.scalar(select(func.count()).select_from(Booking)))


@pytest.mark.parametrize(
    "case",
    [
        ("name", "Nguyễn\r\nBcc: x@example.com", "one line"),
        ("name", "\u202eNguyễn", "reverses the text's direction"),
        ("name", "\ufeff", "U+FEFF"),
        ("name", "An\x00", "U+0000"),
        ("arrival", "9999-12-31", CALENDAR),
        ("departure", "0001-01-01", CALENDAR),
    ],
)
def test_the_booking_api_refuses_hidden_characters_and_edge_dates(client, hotel, db_session, case):
    field, value, message = case
    plan_id = db_session.scalar(select(RatePlan.id))
    answer = book(client, plan_id, **{field: value})
    assert answer.status_code == 422, answer.json
    assert answer.mimetype == "application/problem+json"
    assert message in answer.json["errors"][field]
    assert bookings(db_session) == 0


@pytest.mark.parametrize(("lang", "message"), [("en", "one line"), ("vi", "một dòng")])
def test_the_booking_page_refuses_a_name_with_a_line_break(
    client, hotel, db_session, lang, message
):
    plan_id = db_session.scalar(select(RatePlan.id))
    path = f"/{lang}/lodging/book?plan={plan_id}&from={in_days(7)}&to={in_days(9)}"
    fields = {"name": "Nguyễn\r\nVăn", "email": "an@example.com", "attempt": "a1"}
    answer = client.post(path, data=fields | {"csrf_token": csrf_token(client, path)})
    assert answer.status_code == 200
    assert message in answer.get_data(as_text=True)
    assert bookings(db_session) == 0


def test_the_availability_page_refuses_an_arrival_at_the_edge(client, hotel):
    answer = client.get("/en/lodging?from=0001-01-01&to=0001-01-03")
    assert answer.status_code == 200
    assert CALENDAR in answer.get_data(as_text=True)
