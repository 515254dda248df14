"""The Bãi Cháy ward officer's day on a phone, in Vietnamese and English.

Sign in, land on the workspace, see the guests present (Bãi Cháy's, not Sa Pa's),
search a CCCD with a reason (the number never in a URL), open the guest, refuse the
document number; then the owner sees the reason on that field at the desk.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import _flask, _run, create_establishment, portal_env

PASSWORD = "Bai-Chay-Bridge-2026"
HOTELS = {"vi": "Khách sạn Cảnh sát Thử vi", "en": "Khách sạn Cảnh sát Thử en"}
CCCD = {"vi": "022192111111", "en": "022192333333"}  # women born in 1992
SAPA_HOTEL = "Khách sạn Thử Sa Pa"
SAPA_GUEST = "Lò Văn Dũng"
REASON = {"vi": "Vụ việc 17/2026", "en": "Case 17/2026"}
WORDS = {
    "vi": {"present": "Khách đang lưu trú", "found": "1 khách", "refused": "Công an đã từ chối"},
    "en": {
        "present": "Guests present now",
        "found": "1 guest found",
        "refused": "Refused by the police",
    },
}

_DECLARE = """
import datetime as dt, json, sys
from sqlalchemy import select
from lodging.properties.models import Establishment
from lodging.registration.documents import Sex
from portal import create_app
from core.extensions import db
from tests.factories import citizen, declare, stay_input

name, full_name, number, born, sex = json.loads(sys.argv[1])
with create_app().app_context():
    place = db.session.scalars(select(Establishment).where(Establishment.name == name)).one()
    guest = citizen(
        full_name=full_name, document_number=number,
        birth_date=dt.date.fromisoformat(born), sex=Sex(sex),
    )
    declare(db.session, place, stay_input(guest))
"""


def _shot(page: Page, name: str) -> None:
    """With ``BROWSER_SCREENSHOTS=DIR``, keep what the phone showed, to look at."""
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / f"police-{name}.png"), full_page=True)


def _account(role: str, lang: str) -> str:
    return f"browser-{role}-{lang}@example.com"


@pytest.fixture(scope="module")
def env(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    instance = next(Path(tmp_path_factory.getbasetemp()).glob("browser-instance*"))
    env = portal_env(instance)
    area = ("--police-province", "quang ninh", "--police-commune", "Bãi Cháy")
    for lang in ("vi", "en"):
        _flask(
            env,
            *("users", "create", _account("police", lang), "--role", "police"),
            *("--name", "Phạm Quốc Bảo", "--password-stdin", *area),
            stdin=PASSWORD + "\n",
        )
        owner = _account("owner", lang)
        _flask(
            env,
            "users",
            "create",
            owner,
            "--role",
            "lodging_owner",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        facts = {
            "name": HOTELS[lang],
            "kind": "hotel",
            "street_address": "5 Hạ Long",
            "province": "Quảng Ninh",
            "commune": "Bãi Cháy",
        }
        create_establishment(env, facts, role="owner", email=owner)
        guest = [HOTELS[lang], "Nguyễn Thị Bình", CCCD[lang], "1992-05-01", "F"]
        _run([sys.executable, "-c", _DECLARE, json.dumps(guest)], env, "declaring")
    sapa_owner = _account("owner", "sapa")
    _flask(
        env,
        "users",
        "create",
        sapa_owner,
        "--role",
        "lodging_owner",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    facts = {
        "name": SAPA_HOTEL,
        "kind": "hotel",
        "street_address": "1 Fansipan",
        "province": "Lào Cai",
        "commune": "Sa Pa",
    }
    create_establishment(env, facts, role="owner", email=sapa_owner)
    sapa = [SAPA_HOTEL, SAPA_GUEST, "010079003128", "1979-03-12", "M"]
    _run([sys.executable, "-c", _DECLARE, json.dumps(sapa)], env, "declaring in Sa Pa")
    return env


def _sign_in(page: Page, server: str, lang: str, email: str) -> None:
    page.goto(f"{server}/{lang}/login")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator("main form").get_by_role("button").last.click()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_officers_day_and_the_owner_sees_the_reason(
    page: Page, live_server: str, env: dict[str, str], lang: str
):
    sent: list[str] = []

    def on_request(request: Request) -> None:
        sent.append(request.url)

    page.on("request", on_request)
    words = WORDS[lang]
    _sign_in(page, live_server, lang, _account("police", lang))
    expect(page).to_have_url(f"{live_server}/{lang}/police/")
    expect(page.locator("main")).to_contain_text("Phường Bãi Cháy, Quảng Ninh")
    _shot(page, f"{lang}-1-home")

    page.locator(".police-tiles a").first.click()
    expect(page.locator("h1")).to_have_text(words["present"])
    expect(page.locator("main")).to_contain_text(HOTELS[lang])
    expect(page.locator("main")).not_to_contain_text(SAPA_GUEST)
    _shot(page, f"{lang}-2-guests")

    page.locator(".police-nav a").nth(2).click()
    page.locator('input[name="document_number"]').fill(CCCD[lang])
    page.locator("main button.big").click()  # no reason yet: refused, number kept
    expect(page.locator('input[name="document_number"]')).to_have_value(CCCD[lang])
    page.locator('textarea[name="reason"]').fill(REASON[lang])
    page.locator("main button.big").click()
    expect(page.locator("#results-heading")).to_contain_text(words["found"])
    _shot(page, f"{lang}-3-search")

    page.locator(".police-guests a").first.click()
    expect(page.locator("main")).to_contain_text(CCCD[lang])
    page.locator('select[name="rows-0-path"]').select_option("guests[0].document_number")
    page.locator('input[name="rows-0-reason"]').fill("Số CCCD không khớp thẻ")
    page.locator(".police-rejection button[type=submit]").click()
    expect(page.locator(".history").last).to_contain_text("Số CCCD không khớp thẻ")
    _shot(page, f"{lang}-4-refused")
    assert [url for url in sent if CCCD[lang] in url] == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways ({width} px)"

    page.locator("form[action$='/logout']").get_by_role("button").click()
    _sign_in(page, live_server, lang, _account("owner", lang))
    page.goto(f"{live_server}/{lang}/desk/")
    expect(page.locator("main")).to_contain_text("Số CCCD không khớp thẻ")
    page.locator(".desk-list.due a").first.click()
    expect(page.locator(".police-answer")).to_contain_text(words["refused"])
    page.locator(".police-answer a").click()
    error = page.locator("#guests-0-document_number-error")
    expect(error).to_contain_text("Số CCCD không khớp thẻ")
    error.scroll_into_view_if_needed()
    _shot(page, f"{lang}-5-owner-field")
