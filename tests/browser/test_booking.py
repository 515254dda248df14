"""A tourist books a homestay for two nights on a phone, pays in test mode, gets the QR
voucher by e-mail, and the owner checks the guest in from it at the desk.

The portal is a process of its own with the demo data, paying through a real
localstripe server (its Stripe.js mock gives the card fields in the page) and sending
e-mail to a real SMTP server.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from core.clock import local_now
from lodging.properties.demo import OWNER_PASSWORD
from tests.booking.localstripe import localstripe
from tests.browser.conftest import PHONE, _flask, portal_env, running_portal
from tests.lodging.registration.test_desk import FAMILY
from tests.smtp_server import Inbox, smtp_server

HOMESTAY = "Tuần Châu Homestay Hoa Sen"
HOMESTAY_OWNER = "owner.tuanchau@example.com"
GUEST = FAMILY[0]  # a Vietnamese citizen: declared with the citizen's ID card


@dataclass
class BookingPortal:
    url: str
    env: dict[str, str]
    inbox: Inbox


@pytest.fixture(scope="module")
def booking_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingPortal]:
    instance = Path(tmp_path_factory.mktemp("booking-browser"))
    inbox = Inbox()
    with localstripe() as stripe_url, smtp_server(inbox) as (host, port):
        env = portal_env(instance, STRIPE_API_BASE=stripe_url, SMTP_HOST=host, SMTP_PORT=str(port))
        _flask(env, "db", "upgrade")
        _flask(env, "demo", "load")
        with running_portal(env, instance) as base_url:
            yield BookingPortal(base_url, env, inbox)


def test_book_pay_get_the_voucher_and_check_in_from_it(
    page: Page, browser: Browser, booking_portal: BookingPortal
) -> None:
    leaving = local_now().date() + dt.timedelta(days=2)
    voucher = book_and_pay(page, booking_portal, leaving)

    _flask(booking_portal.env, "outbox", "work", "--drain")  # the workers send the e-mail
    (mail,) = [m for m in booking_portal.inbox.messages if m["To"] == "hung@example.com"]
    assert mail["Subject"] == f"Đặt phòng của bạn tại {HOMESTAY} đã được xác nhận"
    text = mail.get_body(("plain",))
    assert text is not None
    assert voucher in text.get_content()
    assert page.url.removeprefix(booking_portal.url) in text.get_content()  # see or cancel it
    attached = {part.get_filename() for part in mail.iter_attachments()}
    assert attached == {"voucher.png", "booking.ics"}

    desk = browser.new_context(viewport=PHONE).new_page()
    check_in(desk, booking_portal, voucher, leaving)
    desk.context.close()

    page.reload()
    expect(page.locator(".voucher")).to_contain_text("Bạn đã nhận phòng")


def book_and_pay(page: Page, portal: BookingPortal, leaving: dt.date) -> str:
    """The tourist, in Vietnamese: from today to ``leaving``; returns the voucher's code."""
    today = local_now().date()
    page.goto(
        f"{portal.url}/vi/lodging?from={today}&to={leaving}&guests=2&area=ha-long&kind=homestay"
    )
    offer = page.locator("li.offer").filter(has_text=HOMESTAY).first
    expect(offer).to_contain_text("2 đêm")
    offer.get_by_role("link", name=re.compile("^Đặt phòng")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt phòng")
    page.get_by_label("Họ và tên").fill(GUEST["full_name"])
    page.get_by_label("Thư điện tử").fill("hung@example.com")
    page.get_by_role("button", name="Tiếp tục thanh toán").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thanh toán để xác nhận đặt phòng")
    # localstripe's Stripe.js mock: card number, month, year, CVC, postal code.
    for placeholder, value in (
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "20000"),
    ):
        page.locator(f"[data-payment-element] input[placeholder={placeholder}]").fill(value)
    page.get_by_role("button", name=re.compile("^Thanh toán")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Đặt phòng của bạn đã được xác nhận")
    qr = page.get_by_role("img", name="Mã QR của phiếu đặt phòng")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.naturalWidth") > 0
    voucher = page.locator(".voucher-code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{16}", voucher)
    return voucher


def check_in(desk: Page, portal: BookingPortal, voucher: str, leaving: dt.date) -> None:
    """The owner, on a phone of their own: the voucher opens the declaration, once."""
    desk.goto(portal.url + "/en/login?next=/en/desk/")
    desk.locator('input[name="email"]').fill(HOMESTAY_OWNER)
    desk.locator('input[name="password"]').fill(OWNER_PASSWORD)
    desk.locator("main").get_by_role("button", name="Sign in").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(HOMESTAY)
    desk.get_by_label("Booking voucher").fill(voucher.lower())  # as typed from the e-mail
    desk.locator(".voucher-box").get_by_role("button", name="Check in").click()

    expect(desk.locator("#guests-0-full_name")).to_have_value(GUEST["full_name"])
    expect(desk.locator("#expected_departure")).to_have_value(leaving.isoformat())
    desk.locator("#guests-0-birth_date").fill(GUEST["birth_date"])
    desk.locator("#guests-0-sex").select_option(GUEST["sex"])
    desk.locator("#guests-0-residence_province").select_option(GUEST["residence_province"])
    desk.locator("#guests-0-document_number").fill(GUEST["document_number"])
    desk.locator("#room").select_option(index=1)
    desk.get_by_role("button", name="Declare guests").click()
    expect(desk).to_have_url(re.compile(r"/en/desk/stays/\d+$"))
    expect(desk.locator(".guest-cards li").first).to_contain_text(GUEST["full_name"])

    desk.goto(f"{portal.url}/en/desk/")
    desk.get_by_label("Booking voucher").fill(voucher)
    desk.locator(".voucher-box").get_by_role("button", name="Check in").click()
    expect(desk.locator(".flashes")).to_contain_text("This booking is already checked in.")
