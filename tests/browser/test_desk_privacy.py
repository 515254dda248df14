"""On a phone, in both languages: the past-guest search keeps the number out of every URL,
and a receptionist's browser still signs in while somebody guesses the password elsewhere.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import (
    PHONE,
    PHONE_LOCALE,
    _flask,
    _run,
    create_establishment,
    portal_env,
)

PASSWORD = "Co-To-Island-2026"
HOTEL = "Khách sạn Thử Nghiệm Cô Tô"
CCCD = "022192222222"  # a woman born in 1992, as the guest below
ACCOUNTS = {"vi": "browser-desk-vi@example.com", "en": "browser-desk-en@example.com"}

_DECLARE = """
import datetime as dt, json, sys
from sqlalchemy import select
from lodging.properties.models import Establishment
from lodging.registration.documents import Sex
from portal import create_app
from core.extensions import db
from tests.factories import citizen, declare, stay_input

name, number = json.loads(sys.argv[1])
with create_app().app_context():
    place = db.session.scalars(select(Establishment).where(Establishment.name == name)).one()
    guest = citizen(
        full_name="Nguyễn Thị Bình", document_number=number,
        birth_date=dt.date(1992, 5, 1), sex=Sex.F,
    )
    declare(db.session, place, stay_input(guest))
"""


@pytest.fixture(scope="module")
def env(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two staff accounts of one hotel, with a guest declared, in the live server's database."""
    instance = next(Path(tmp_path_factory.getbasetemp()).glob("browser-instance*"))
    env = portal_env(instance)
    for email in ACCOUNTS.values():
        _flask(
            env,
            *("users", "create", email, "--role", "lodging_owner", "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
    facts = {
        "name": HOTEL,
        "kind": "hotel",
        "street_address": "1 Đường Cô Tô",
        "province": "Quảng Ninh",
        "commune": "Cô Tô",
    }
    create_establishment(env, facts, role="owner", email=ACCOUNTS["vi"])
    create_establishment(env, {**facts, "name": HOTEL + " 2"}, role="owner", email=ACCOUNTS["en"])
    for name in (HOTEL, HOTEL + " 2"):
        _run([sys.executable, "-c", _DECLARE, json.dumps([name, CCCD])], env, "declaring")
    return env


def sign_in(page: Page, server: str, lang: str, password: str = PASSWORD) -> None:
    page.goto(f"{server}/{lang}/login")
    page.locator('input[name="email"]').fill(ACCOUNTS[lang])
    page.locator('input[name="password"]').fill(password)
    page.locator("main form").get_by_role("button").last.click()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_history_search_keeps_the_number_out_of_every_url(
    page: Page, live_server: str, env: dict[str, str], lang: str
):
    sent: list[str] = []

    def on_request(request: Request) -> None:
        sent.append(request.url)

    page.on("request", on_request)
    sign_in(page, live_server, lang)
    page.goto(f"{live_server}/{lang}/desk/")
    search = page.locator('form[role="search"]')
    search.locator('input[name="q"]').fill(CCCD)
    search.get_by_role("button").click()
    expect(page.locator("table")).to_contain_text("Nguyễn Thị Bình")
    assert CCCD not in page.url
    assert [url for url in sent if CCCD in url] == []
    links = page.eval_on_selector_all(
        "[href], [action], [src]",
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('action') || e.src)",
    )
    assert [link for link in links if CCCD in link] == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_remembered_browser_signs_in_while_the_account_is_locked_elsewhere(
    browser: Browser, page: Page, live_server: str, env: dict[str, str], lang: str
):
    sign_in(page, live_server, lang)
    expect(page).to_have_url(f"{live_server}/{lang}/desk/")  # staff land on the desk
    page.locator("form[action$='/logout']").get_by_role("button").click()

    elsewhere = browser.new_context(viewport=PHONE, locale=PHONE_LOCALE).new_page()
    for n in range(6):
        sign_in(elsewhere, live_server, lang, password=f"guess-number-{n}")
    expect(elsewhere.locator("h1")).to_have_text(
        "Quá nhiều lần thử" if lang == "vi" else "Too many attempts"
    )
    sign_in(elsewhere, live_server, lang)  # the right password, from an unknown browser
    expect(elsewhere.locator("h1")).to_have_text(
        "Quá nhiều lần thử" if lang == "vi" else "Too many attempts"
    )
    elsewhere.context.close()

    sign_in(page, live_server, lang)  # the receptionist's own phone
    expect(page).to_have_url(f"{live_server}/{lang}/desk/")  # staff land on the desk
