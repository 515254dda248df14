"""Paying, refunds and webhooks against a real localstripe server.

The portal runs on a real HTTP server (its own database) where localstripe posts its
signed webhooks; the guest's browser is played by the Stripe client paying the
PaymentIntent with a test card; refunds leave through the outbox workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from core.clock import local_now
from core.extensions import db
from portal.booking.models import InventoryNight, PaymentEventSeen, RatePlan
from portal.booking.services import release_lapsed_holds
from tests.booking.localstripe import CARD, localstripe, pay, refunds_of
from tests.factories import make_establishment
from tests.own_database import own_app
from tests.smtp_server import Inbox, free_port, smtp_server

WEBHOOK_SECRET = "whsec_test_portal"
SCHEMA = "booking_payments"
NIGHTLY = 1_250_000


@dataclass
class Portal:
    app: Flask
    url: str
    stripe: str
    plan_id: int
    room_type_id: int
    inbox: Inbox

    def mail_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.inbox.messages if m["To"] == address]

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return requests.post(f"{self.url}{path}", timeout=10, **kwargs)

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.url}{path}", timeout=10)


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Not the suite's rolled-back session: the served portal commits for real."""
    return


@pytest.fixture(scope="module")
def portal(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("payments")
    inbox = Inbox()
    with (
        localstripe() as stripe_url,
        smtp_server(inbox) as (_host, smtp_port),
        own_app(
            request,
            folder,
            SCHEMA,
            stripe_secret_key="sk_test_portal",
            stripe_webhook_secret=WEBHOOK_SECRET,
            stripe_api_base=stripe_url,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
        ) as app,
    ):
        with app.app_context():
            session = db.session()
            homestay = make_establishment(session, rooms=("1",))  # one room
            room_type_id = homestay.room_types[0].id
            plan = RatePlan(
                room_type_id=room_type_id,
                name="Standard",
                nightly_price=NIGHTLY,
                free_cancellation_days=3,
                late_cancellation_percent=50,
            )
            session.add(plan)
            session.commit()
            plan_id = plan.id
            db.session.remove()
        port = free_port()
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        hook = f"{url}/api/v1/payments/stripe/webhook"
        told = app.test_cli_runner().invoke(args=["booking", "localstripe-webhook", "--url", hook])
        assert told.exit_code == 0, told.output
        try:
            yield Portal(app, url, stripe_url, plan_id, room_type_id, inbox)
        finally:
            server.shutdown()


def in_days(days: int) -> str:
    return (local_now().date() + dt.timedelta(days=days)).isoformat()


def book(
    portal: Portal, arrival: int, nights: int = 2, email: str = "ha@example.com"
) -> dict[str, Any]:
    answer = portal.post(
        "/api/v1/bookings",
        json={
            "rate_plan_id": portal.plan_id,
            "arrival": in_days(arrival),
            "departure": in_days(arrival + nights),
            "adults": 2,
            "name": "Lê Thu Hà",
            "email": email,
            "language": "vi",
        },
    )
    assert answer.status_code == 201, answer.text
    booking: dict[str, Any] = answer.json()
    return booking


def wait_for_status(portal: Portal, reference: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 15
    while True:
        booking: dict[str, Any] = portal.get(f"/api/v1/bookings/{reference}").json()
        if booking["status"] == status or time.monotonic() > deadline:
            return booking
        time.sleep(0.2)


def drain_outbox(portal: Portal) -> None:
    result = portal.app.test_cli_runner().invoke(args=["outbox", "work", "--drain"])
    assert result.exit_code == 0, result.output


def inventory(portal: Portal, arrival: int) -> tuple[int, int]:
    night = local_now().date() + dt.timedelta(days=arrival)
    with portal.app.app_context(), Session(db.engine) as session:
        row = session.scalars(
            select(InventoryNight).where(
                InventoryNight.room_type_id == portal.room_type_id, InventoryNight.night == night
            )
        ).one()
        return row.sold, row.held


def test_a_paid_booking_is_confirmed_by_the_signed_webhook(portal: Portal):
    booking = book(portal, arrival=10, email="first@example.com")
    assert booking["status"] == "held"
    assert booking["total"] == {"amount": 2 * NIGHTLY, "currency": "VND"}  # zero-decimal
    intent = pay(portal.stripe, booking["payment"]["client_secret"])
    assert intent.status == "succeeded"
    assert intent.amount == 2 * NIGHTLY
    assert intent.currency == "vnd"

    confirmed = wait_for_status(portal, booking["reference"], "confirmed")
    assert confirmed["status"] == "confirmed"
    assert inventory(portal, 10) == (1, 0)
    # The guest's return page asks again: nothing changes.
    again = portal.post(f"/api/v1/bookings/{booking['reference']}/confirm").json()
    assert again["status"] == "confirmed"
    assert inventory(portal, 10) == (1, 0)

    drain_outbox(portal)  # the confirmation leaves with the workers, once
    (mail,) = portal.mail_to("first@example.com")
    assert mail["Subject"].startswith("Đặt phòng của bạn tại")  # the guest's language
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "2.500.000" in text  # the total, in Vietnamese money format
    attachments = {part.get_filename(): part for part in mail.iter_attachments()}
    voucher = attachments["voucher.png"].get_content()
    assert voucher.startswith(b"\x89PNG")
    calendar = attachments["booking.ics"].get_content()
    assert f"DTSTART;VALUE=DATE:{in_days(10).replace('-', '')}" in calendar
    assert "Lê Thu Hà" not in calendar  # no personal data in what calendars sync


def test_cancelling_refunds_what_the_policy_grants_through_the_outbox(portal: Portal):
    booking = book(portal, arrival=20)
    intent = pay(portal.stripe, booking["payment"]["client_secret"])
    wait_for_status(portal, booking["reference"], "confirmed")

    cancelled = portal.post(f"/api/v1/bookings/{booking['reference']}/cancel").json()
    assert (cancelled["status"], cancelled["refund"]) == ("cancelled", 2 * NIGHTLY)
    assert inventory(portal, 20) == (0, 0)  # back on sale at once
    assert refunds_of(portal.stripe, intent.id) == []  # nothing left before the commit…
    drain_outbox(portal)
    assert refunds_of(portal.stripe, intent.id) == [2 * NIGHTLY]  # …and once after it
    # The guest's return page asking again changes nothing: the payment was applied once.
    again = portal.post(f"/api/v1/bookings/{booking['reference']}/confirm").json()
    assert again["status"] == "cancelled"
    drain_outbox(portal)
    assert refunds_of(portal.stripe, intent.id) == [2 * NIGHTLY]


def test_a_payment_after_the_hold_lapsed_and_the_room_went_is_refunded(portal: Portal):
    late = book(portal, arrival=30, email="late@example.com")
    # The guest dawdles past the hold: the sweeper gives the room back, someone else takes it.
    with portal.app.app_context(), Session(db.engine) as session:
        released = release_lapsed_holds(session, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        session.commit()
    assert released >= 1
    other = book(portal, arrival=30)
    pay(portal.stripe, other["payment"]["client_secret"])
    wait_for_status(portal, other["reference"], "confirmed")

    intent = pay(portal.stripe, late["payment"]["client_secret"])
    refused = wait_for_status(portal, late["reference"], "cancelled")
    assert refused["status"] == "cancelled"
    assert inventory(portal, 30) == (1, 0)  # never oversold
    portal.post(f"/api/v1/bookings/{late['reference']}/confirm")  # back from paying, late
    drain_outbox(portal)
    assert refunds_of(portal.stripe, intent.id) == [2 * NIGHTLY]  # one refund, not two
    (apology,) = portal.mail_to("late@example.com")  # told why, in their language
    assert apology["Subject"].startswith("Chúng tôi rất tiếc")
    assert not list(apology.iter_attachments())  # no voucher for a room they do not have


def test_the_last_room_taken_answers_409(portal: Portal):
    book(portal, arrival=40)
    answer = portal.post(
        "/api/v1/bookings",
        json={
            "rate_plan_id": portal.plan_id,
            "arrival": in_days(40),
            "departure": in_days(41),
            "name": "Kim",
            "email": "kim@example.com",
        },
    )
    assert answer.status_code == 409
    assert answer.headers["Content-Type"] == "application/problem+json"


def signed(body: bytes, secret: str = WEBHOOK_SECRET, ahead: int = 0) -> dict[str, str]:
    """Stripe's signature header over ``body``, dated ``ahead`` seconds from now."""
    timestamp = int(time.time()) + ahead
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {"Stripe-Signature": f"t={timestamp},v1={digest.hexdigest()}"}


def test_webhooks_are_verified_and_each_event_is_applied_once(portal: Portal):
    event = {
        "id": "evt_test_once",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_unknown", "object": "payment_intent", "metadata": {}}},
    }
    body = json.dumps(event).encode()
    forged = portal.post(
        "/api/v1/payments/stripe/webhook", data=body, headers=signed(body, "whsec_wrong")
    )
    assert forged.status_code == 400
    for _ in range(2):
        answer = portal.post("/api/v1/payments/stripe/webhook", data=body, headers=signed(body))
        assert answer.status_code == 204
    with portal.app.app_context(), Session(db.engine) as session:
        seen = session.scalar(
            select(func.count()).where(PaymentEventSeen.event_id == "evt_test_once")
        )
    assert seen == 1


SUCCEEDED = "payment_intent.succeeded"


@pytest.mark.parametrize(
    "event",
    [
        [],
        "evt_1",
        {},
        {"type": SUCCEEDED, "data": {"object": {"id": "pi_1"}}},  # no event id
        {"id": "", "type": SUCCEEDED, "data": {"object": {"id": "pi_1"}}},
        {"id": 17, "type": SUCCEEDED, "data": {"object": {"id": "pi_1"}}},
        {"id": "e" * 129, "type": SUCCEEDED, "data": {"object": {"id": "pi_1"}}},
        {"id": "evt_1", "data": {"object": {"id": "pi_1"}}},  # no type
        {"id": "evt_1", "type": ["payment_intent.succeeded"]},
        {"id": "evt_1", "type": SUCCEEDED},  # no data
        {"id": "evt_1", "type": SUCCEEDED, "data": {}},
        {"id": "evt_1", "type": SUCCEEDED, "data": []},
        {"id": "evt_1", "type": SUCCEEDED, "data": {"object": {}}},  # no payment id
        {"id": "evt_1", "type": SUCCEEDED, "data": {"object": {"id": 42}}},
        {"id": "evt_1", "type": SUCCEEDED, "data": {"object": {"id": "pi_1", "metadata": "x"}}},
        {
            "id": "evt_1",
            "type": "payment_intent.payment_failed",
            "data": {"object": {"id": "pi_1", "metadata": {"booking": 7}}},
        },
    ],
)
def test_a_signed_but_malformed_event_is_a_400_problem(portal: Portal, event: Any):
    body = json.dumps(event).encode()
    headers = signed(body) | {"Accept-Language": "en"}
    answer = portal.post("/api/v1/payments/stripe/webhook", data=body, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["title"] == "Invalid event"


def test_a_signed_body_that_is_not_json_is_a_400_problem(portal: Portal):
    for body in (b"\xff\xfe not utf-8", b"{" * 100_000, b"[" * 1000 + b"]" * 1000):
        answer = portal.post("/api/v1/payments/stripe/webhook", data=body, headers=signed(body))
        assert answer.status_code == 400, answer.text
        assert answer.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("ahead", "status"),
    [(-301, 400), (-240, 204), (240, 204), (301, 400), (3600, 400)],
)
def test_signatures_dated_over_5_minutes_from_now_either_way_are_refused(
    portal: Portal, ahead: int, status: int
):
    event = {"id": f"evt_clock_{ahead}", "type": "charge.succeeded", "data": {"object": {}}}
    body = json.dumps(event).encode()
    headers = signed(body, ahead=ahead)
    answer = portal.post("/api/v1/payments/stripe/webhook", data=body, headers=headers)
    assert answer.status_code == status, answer.text


@pytest.mark.parametrize("header", ["t=1=2,v1=00", "t=x,v1=00", "v1=00", "t=,v1=", "garbage"])
def test_an_unreadable_signature_header_is_a_400(portal: Portal, header: str):
    body = b'{"id": "evt_h", "type": "charge.succeeded"}'
    answer = portal.post(
        "/api/v1/payments/stripe/webhook", data=body, headers={"Stripe-Signature": header}
    )
    assert answer.status_code == 400, answer.text


def test_a_retried_booking_request_holds_one_room_and_one_payment(portal: Portal):
    body = {
        "rate_plan_id": portal.plan_id,
        "arrival": in_days(50),
        "departure": in_days(52),
        "name": "Trần An",
        "email": "an@example.com",
    }
    key = {"Idempotency-Key": "booking-retry-1"}
    first = portal.post("/api/v1/bookings", json=body, headers=key)
    again = portal.post("/api/v1/bookings", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reference"] == first.json()["reference"]
    assert again.json()["payment"] == first.json()["payment"]  # the same PaymentIntent
    assert inventory(portal, 50) == (0, 1)  # one room held, not two
    other = portal.post("/api/v1/bookings", json=body | {"departure": in_days(53)}, headers=key)
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["errors"]


# The guest's pages: the same booking, paid and cancelled through the browser's requests.


def page_form(session: requests.Session, portal: Portal, path: str) -> dict[str, str]:
    """The hidden fields (CSRF token, attempt) of the form on ``path``."""
    page = session.get(f"{portal.url}{path}", timeout=10)
    assert page.status_code == 200, page.text
    return dict(re.findall(r'name="(csrf_token|attempt)" type="hidden" value="([^"]*)"', page.text))


def book_on_the_page(
    portal: Portal, session: requests.Session, arrival: int, email: str = "thu@example.com"
) -> str:
    """Book through /en/lodging/book as the guest's browser does; returns the booking's path."""
    stay = f"from={in_days(arrival)}&to={in_days(arrival + 2)}&guests=2"
    path = f"/en/lodging/book?plan={portal.plan_id}&{stay}"
    fields = page_form(session, portal, path) | {"name": "Phạm Thu", "email": email}
    answer = session.post(f"{portal.url}{path}", data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 303, answer.text
    location: str = answer.headers["Location"]
    assert re.fullmatch(r"/en/bookings/[\w-]+", location)
    return location


def client_secret_on(page: str) -> str:
    match = re.search(r'data-secret="([^"]+)"', page)
    assert match, "no payment form on the page"
    return match.group(1)


def test_a_guest_books_on_the_page_pays_and_gets_the_voucher(portal: Portal):
    browser = requests.Session()
    path = f"/en/lodging/book?plan={portal.plan_id}&from={in_days(60)}&to={in_days(62)}&guests=2"
    offer = browser.get(f"{portal.url}{path}", timeout=10).text
    assert "₫2,500,000" in offer  # the whole stay, from the database
    assert "Free cancellation until" in offer

    fields = page_form(browser, portal, path) | {"name": "Phạm Thu", "email": "thu@example.com"}
    first = browser.post(f"{portal.url}{path}", data=fields, allow_redirects=False, timeout=10)
    # A second tap on a slow line sends the same form again: the same booking, one room held.
    again = browser.post(f"{portal.url}{path}", data=fields, allow_redirects=False, timeout=10)
    assert first.headers["Location"] == again.headers["Location"]
    assert inventory(portal, 60) == (0, 1)

    held = browser.get(portal.url + first.headers["Location"], timeout=10)
    assert "Pay to confirm your booking" in held.text
    assert "no-store" in held.headers["Cache-Control"]
    assert f"script-src 'self' {portal.stripe}" in held.headers["Content-Security-Policy"]
    pay(portal.stripe, client_secret_on(held.text))

    # Back from paying: the page itself asks localstripe and confirms (the webhook may be later).
    confirmed = browser.get(portal.url + first.headers["Location"], timeout=10)
    assert "Your booking is confirmed" in confirmed.text
    assert inventory(portal, 60) == (1, 0)
    voucher = browser.get(f"{portal.url}{first.headers['Location']}/voucher.png", timeout=10)
    assert voucher.headers["Content-Type"] == "image/png"
    assert voucher.content.startswith(b"\x89PNG")
    ics = browser.get(f"{portal.url}{first.headers['Location']}/booking.ics", timeout=10)
    assert f"DTSTART;VALUE=DATE:{in_days(60).replace('-', '')}" in ics.text

    drain_outbox(portal)
    (mail,) = portal.mail_to("thu@example.com")  # once, though the page and webhook both ran
    body = mail.get_body(("plain",))
    assert body is not None
    assert mail["Subject"].startswith("Your booking at")  # booked in English: told in English
    assert first.headers["Location"] in body.get_content()  # the link to see or cancel it


def test_localstripes_card_fields_pay_through_the_portal(portal: Portal):
    """What pay.js does with localstripe's Elements mock: tokenise, then the portal confirms.

    localstripe cannot take a second card on a PaymentIntent whose charge was declined
    (Stripe can), so the declined card and the good one pay for two bookings.
    """
    browser = requests.Session()

    def card_token(number: str) -> str:
        card = {f"card[{k}]": v for k, v in CARD.items()} | {"card[number]": number}
        made = requests.post(
            f"{portal.stripe}/v1/tokens", data=card | {"key": "pk_test_portal"}, timeout=10
        )
        return str(made.json()["card"]["id"])

    def send(booking_path: str, card: str) -> requests.Response:
        page = browser.get(portal.url + booking_path, timeout=10).text
        csrf = re.search(r'data-csrf="([^"]+)"', page)
        assert csrf is not None
        return browser.post(
            f"{portal.url}{booking_path}/card",
            json={"card": card},
            headers={"X-CSRFToken": csrf.group(1)},
            timeout=10,
        )

    refused = book_on_the_page(portal, browser, arrival=70)
    declined = send(refused, card_token("4000000000000341"))
    assert declined.status_code == 402
    assert declined.json()["error"] == "The card was declined. Try another card."
    assert inventory(portal, 70) == (0, 1)  # still held while the guest finds another card

    booking_path = book_on_the_page(portal, browser, arrival=72)
    paid = send(booking_path, card_token("4242424242424242"))
    assert paid.json() == {"status": "succeeded"}
    assert "Your booking is confirmed" in browser.get(portal.url + booking_path, timeout=10).text
    assert inventory(portal, 72) == (1, 0)
    forged = browser.post(
        f"{portal.url}{booking_path}/card", json={"card": card_token("4242424242424242")}
    )
    assert forged.status_code == 400  # no CSRF token from the portal's page: refused
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        browser.get(f"{portal.url}{booking_path}/cancel", timeout=10).text,
    )
    assert token is not None
    twice = browser.post(
        f"{portal.url}{booking_path}/card",
        json={"card": card_token("4242424242424242")},
        headers={"X-CSRFToken": token.group(1)},
        timeout=10,
    )
    assert twice.status_code == 404  # paid: nothing left to pay


def test_a_guest_cancels_from_the_link_and_sees_the_refund_go_out(portal: Portal):
    browser = requests.Session()
    booking_path = book_on_the_page(portal, browser, arrival=80)
    secret = client_secret_on(browser.get(portal.url + booking_path, timeout=10).text)
    intent = pay(portal.stripe, secret)
    assert "Cancel this booking" in browser.get(portal.url + booking_path, timeout=10).text

    terms = browser.get(f"{portal.url}{booking_path}/cancel", timeout=10)
    assert "Cancelled today, the whole ₫2,500,000 is refunded to your card." in terms.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', terms.text)
    assert token is not None
    done = browser.post(
        f"{portal.url}{booking_path}/cancel", data={"csrf_token": token.group(1)}, timeout=10
    )
    assert "Your booking is cancelled. ₫2,500,000 is being refunded to your card." in done.text
    assert "on its way to your card." in done.text
    assert inventory(portal, 80) == (0, 0)  # back on sale at once

    drain_outbox(portal)
    assert refunds_of(portal.stripe, intent.id) == [2 * NIGHTLY]
    after = browser.get(portal.url + booking_path, timeout=10).text
    assert "sent back to your card" in after
    assert "Cancel this booking" not in after


def test_a_room_gone_while_the_guest_typed_keeps_what_they_entered(portal: Portal):
    browser = requests.Session()
    path = f"/en/lodging/book?plan={portal.plan_id}&from={in_days(90)}&to={in_days(92)}&guests=2"
    fields = page_form(browser, portal, path) | {"name": "Đỗ Văn Nam", "email": "nam@example"}
    invalid = browser.post(f"{portal.url}{path}", data=fields, timeout=10)
    assert "Enter a valid e-mail address." in invalid.text
    assert 'value="Đỗ Văn Nam"' in invalid.text

    book(portal, arrival=90)  # someone else takes the only room meanwhile
    fields["email"] = "nam@example.com"
    gone = browser.post(f"{portal.url}{path}", data=fields, timeout=10)
    assert "Someone else has just taken the last room." in gone.text
    assert 'value="Đỗ Văn Nam"' in gone.text
    assert 'value="nam@example.com"' in gone.text

    past = browser.get(
        f"{portal.url}/en/lodging/book?plan={portal.plan_id}&from=2020-01-01&to=2020-01-03",
        timeout=10,
    )
    assert past.status_code == 400
    assert "The arrival date has passed." in past.text
