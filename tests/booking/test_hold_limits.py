"""Holds are limited per address and per guest e-mail, through the pages and the API together.

Issue 15: 11 anonymous ``POST /api/v1/bookings`` took a room type off sale; the page's
limit did not apply to the API.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.booking.models import Booking, RatePlan
from portal.booking.providers import PaymentIntent
from tests.booking.conftest import in_days
from tests.booking.test_pages import FakeProvider
from tests.factories import csrf_token


class Payments(FakeProvider):
    """The pages' fake, which also finds a payment again (a retried API request does)."""

    def fetch_payment(self, payment_id: str) -> PaymentIntent:
        return PaymentIntent(payment_id, "requires_payment_method", "secret")


@pytest.fixture(autouse=True)
def fake_payments(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "payment_provider", Payments())


@pytest.fixture
def plan_id(hotel, db_session) -> int:
    found: int = db_session.scalar(select(RatePlan.id))
    return found


def api_hold(client, plan_id, day, *, email="ha@example.com", address="10.1.1.1", lang="en"):
    """One night, ``day`` days from now (the hotel's three rooms never run out here)."""
    return client.post(
        "/api/v1/bookings",
        json={
            "rate_plan_id": plan_id,
            "arrival": str(in_days(day)),
            "departure": str(in_days(day + 1)),
            "name": "Hà",
            "email": email,
        },
        headers={"Accept-Language": lang},
        environ_base={"REMOTE_ADDR": address},
    )


def page_hold(client, plan_id, day, *, email="ha@example.com", address="10.1.1.1"):
    path = f"/en/lodging/book?plan={plan_id}&from={in_days(day)}&to={in_days(day + 1)}"
    fields = {"name": "Hà", "email": email, "attempt": f"a{day}-{email}"}
    return client.post(
        path,
        data=fields | {"csrf_token": csrf_token(client, path)},
        environ_base={"REMOTE_ADDR": address},
    )


def assert_too_many(answer, title="Too many attempts"):
    assert answer.status_code == 429, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert answer.json["title"] == title
    assert 0 < int(answer.headers["Retry-After"]) <= 3600  # when the hour's count ends


def test_one_address_holds_at_most_30_rooms_an_hour_through_the_api(client, plan_id, db_session):
    for day in range(1, 31):
        answer = api_hold(client, plan_id, day, email=f"guest{day}@example.com")
        assert answer.status_code == 201, answer.json
    assert_too_many(
        api_hold(client, plan_id, 31, email="guest31@example.com", lang="vi"), "Quá nhiều lần thử"
    )
    assert db_session.scalar(select(func.count()).select_from(Booking)) == 30
    assert (
        api_hold(client, plan_id, 31, email="x@example.com", address="10.2.2.2").status_code == 201
    )


def test_one_email_holds_at_most_10_rooms_an_hour_from_any_address(client, plan_id):
    for day in range(1, 11):
        answer = api_hold(client, plan_id, day, email="Ha@Example.com ", address=f"10.0.0.{day}")
        assert answer.status_code == 201, answer.json
    assert_too_many(api_hold(client, plan_id, 11, email="ha@example.com", address="10.0.0.99"))
    assert (
        api_hold(client, plan_id, 11, email="an@example.com", address="10.0.0.99").status_code
        == 201
    )


def test_the_pages_and_the_api_count_against_the_same_limits(client, plan_id):
    for day in range(1, 6):
        assert page_hold(client, plan_id, day).status_code == 303
    for day in range(6, 11):
        assert api_hold(client, plan_id, day).status_code == 201
    assert_too_many(api_hold(client, plan_id, 11))
    assert page_hold(client, plan_id, 11).status_code == 429


def test_only_new_holds_count_not_refused_requests_or_retries(client, plan_id):
    for _ in range(12):
        assert api_hold(client, plan_id, -3).status_code == 422  # the arrival has passed
    body = {
        "rate_plan_id": plan_id,
        "arrival": str(in_days(4)),
        "departure": str(in_days(5)),
        "name": "Hà",
        "email": "ha@example.com",
    }
    key = {"Idempotency-Key": "one-booking"}
    statuses = [
        client.post("/api/v1/bookings", json=body, headers=key).status_code for _ in range(12)
    ]
    assert statuses == [201] + [200] * 11
    assert api_hold(client, plan_id, 6).status_code == 201


def test_a_booking_holds_one_room_whatever_the_request_says(client, plan_id, db_session):
    answer = client.post(
        "/api/v1/bookings",
        json={
            "rate_plan_id": plan_id,
            "arrival": str(in_days(8)),
            "departure": str(in_days(9)),
            "adults": 3,
            "rooms": 3,  # not a field: ignored
            "name": "Hà",
            "email": "ha@example.com",
        },
    )
    assert answer.status_code == 201, answer.json
    free = client.get(f"/api/v1/availability?from={in_days(8)}&to={in_days(9)}").json["offers"]
    assert [offer["available"] for offer in free] == [2]  # three rooms, one held
