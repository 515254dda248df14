"""A receptionist declares a foreign guest on a phone, from the passport's pasted MRZ.

The owner and the homestay are created in the live server's own database: the owner
with the operators' ``flask users create``, the homestay (for which there is no
command) with a short Python snippet calling the same services as the pages.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import _flask, create_establishment, portal_env
from tests.lodging.registration.test_documents import td3_mrz

OWNER_EMAIL = "browser-owner@example.com"
OWNER_PASSWORD = "Bac-Ha-Market-2026"
HOMESTAY = "Homestay Thử Nghiệm Bắc Hà"
PASSPORT_MRZ = td3_mrz(
    state="DEU",
    surname="MUSTERMANN",
    given_names="ERIKA",
    number="C01X00T47",
    nationality="D",
    birth="830812",
    sex="F",
    expiry="340101",
    personal="",
)
HOMESTAY_FACTS = {
    "name": HOMESTAY,
    "kind": "homestay",
    "street_address": "1 Ngõ Chợ",
    "province": "Lào Cai",
    "commune": "Bắc Hà",
}


@pytest.fixture(scope="module")
def owner(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A homestay owner in the live server's database; returns the e-mail address."""
    # The live server's instance folder, made by its session fixture under the same root.
    instance = next(Path(tmp_path_factory.getbasetemp()).glob("browser-instance*"))
    env = portal_env(instance)
    _flask(
        env,
        *("users", "create", OWNER_EMAIL, "--role", "lodging_owner", "--password-stdin"),
        stdin=OWNER_PASSWORD + "\n",
    )
    create_establishment(env, HOMESTAY_FACTS, role="owner", email=OWNER_EMAIL)
    return OWNER_EMAIL


def test_declare_a_foreign_guest_from_a_pasted_mrz(page: Page, live_server: str, owner: str):
    page.goto(live_server + "/en/login?next=/en/desk/")
    page.locator('input[name="email"]').fill(owner)
    page.locator('input[name="password"]').fill(OWNER_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOMESTAY)

    page.get_by_role("link", name="Declare guests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Declare guests")
    page.locator("#room").select_option("102")
    page.locator("#guests-0-mrz").fill(PASSPORT_MRZ)
    page.get_by_role("button", name="Fill from MRZ").click()

    expect(page.locator("#guests-0-full_name")).to_have_value("ERIKA MUSTERMANN")
    expect(page.locator("#guests-0-nationality")).to_have_value("DE")
    expect(page.locator("#guests-0-document_type")).to_have_value("passport")
    expect(page.locator("#guests-0-document_number")).to_have_value("C01X00T47")
    expect(page.locator("#guests-0-document_expiry")).to_have_value("2034-01-01")
    expect(page.locator("#guests-0-room")).to_have_count(0)
    expect(page.locator("#room")).to_have_value("102")  # the stay's fields are kept
    foreign = page.locator("#guests-0 details.foreign")
    expect(foreign).to_have_attribute("open", "")

    page.locator("#guests-0-passport_type").select_option("ordinary")
    page.locator("#guests-0-visa_type").select_option("exempt")
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    page.locator("#guests-0-entry_date").fill(yesterday.isoformat())
    page.locator("#guests-0-entry_port").fill("Lào Cai")
    page.locator("#guests-0-entry_purpose").fill("tourism")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the declaration form is wider than the phone"
    page.get_by_role("button", name="Declare guests").click()

    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/en/desk/stays/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Room 102")
    expect(page.locator(".flashes")).to_contain_text("ERIKA MUSTERMANN is due by")
    guest = page.locator(".guest-cards li").first
    expect(guest).to_contain_text("ERIKA MUSTERMANN")
    expect(guest).to_contain_text("Due by")
    expect(guest).to_contain_text("C01X00T47")
    expect(guest.locator(".left")).to_contain_text("left")
