"""On a phone, in both languages: the owner hands each portal's batch over from the desk.

Sign in, open the desk, then the hand-over page; download the batch of each portal
(the file opens with openpyxl and holds its guest), type the portal's file number, and
the guests show as handed over, gone from the desk's list of guests to report.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import _flask, _run, create_establishment, portal_env

PASSWORD = "Yen-Tu-Pagoda-2026"
HOTEL = "Khách sạn Bàn Giao"
ACCOUNTS = {"vi": "browser-handover-vi@example.com", "en": "browser-handover-en@example.com"}
WORDS = {
    "vi": {"link": "Nộp lên cổng của công an", "done": "Đã nộp, số hồ sơ"},
    "en": {"link": "Hand over to the police portals", "done": "Handed over, file no."},
}

_DECLARE = """
import json, sys
from sqlalchemy import select
from lodging.properties.models import Establishment
from portal import create_app
from core.extensions import db
from tests.factories import citizen, declare, foreigner, stay_input

name = json.loads(sys.argv[1])
with create_app().app_context():
    place = db.session.scalars(select(Establishment).where(Establishment.name == name)).one()
    declare(db.session, place, stay_input(citizen(full_name="Phạm Thu Hà"), room="101"))
    declare(db.session, place, stay_input(foreigner(full_name="ANNA SCHMIDT"), room="102"))
"""


@pytest.fixture(scope="module")
def env(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An owner per language, each with a hotel, a citizen and a foreigner not notified."""
    instance = next(Path(tmp_path_factory.getbasetemp()).glob("browser-instance*"))
    env = portal_env(instance)
    for lang, email in ACCOUNTS.items():
        _flask(
            env,
            *("users", "create", email, "--role", "lodging_owner", "--password-stdin"),
            stdin=PASSWORD + "\n",
        )
        facts = {
            "name": f"{HOTEL} {lang}",
            "kind": "hotel",
            "street_address": "3 Đường Yên Tử",
            "province": "Quảng Ninh",
            "commune": "Bãi Cháy",
        }
        create_establishment(env, facts, role="owner", email=email)
        _run([sys.executable, "-c", _DECLARE, json.dumps(f"{HOTEL} {lang}")], env, "declaring")
    return env


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_owner_hands_each_portal_its_batch(
    page: Page, live_server: str, env: dict[str, str], lang: str, tmp_path: Path
):
    shots = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # to look at them
    page.goto(f"{live_server}/{lang}/login?next=/{lang}/desk/")
    page.locator('input[name="email"]').fill(ACCOUNTS[lang])
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator("main form").get_by_role("button").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{HOTEL} {lang}")

    page.get_by_role("link", name=WORDS[lang]["link"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(WORDS[lang]["link"])
    page.screenshot(path=shots / f"handover-{lang}-due.png", full_page=True)

    for portal, guest, number in (
        ("dvc-luutru", "Phạm Thu Hà", "G22.99-2612-0001"),
        ("xnc-tamtru", "ANNA SCHMIDT", "XNC/QN 2026.77"),
    ):
        card = page.locator(f"section#{portal}")
        expect(card.locator(".due")).to_contain_text(guest)
        with page.expect_download() as info:
            card.locator("button.download-batch").click()
        saved = tmp_path / f"{portal}.xlsx"
        info.value.save_as(saved)
        sheet = load_workbook(saved).active
        assert sheet is not None
        assert guest in [cell for row in sheet.iter_rows(values_only=True) for cell in row]

        card.locator('input[name$="file_number"]').fill(number)
        card.locator('input[type="submit"], button[type="submit"]').last.click()
        card = page.locator(f"section#{portal}")
        expect(card.locator(".handed-over")).to_contain_text(f"{WORDS[lang]['done']} {number}")
        expect(card.locator(".handed-over")).to_contain_text(guest)
        expect(card.locator(".due")).to_have_count(0)
    page.screenshot(path=shots / f"handover-{lang}-done.png", full_page=True)

    page.get_by_role(
        "link", name="Quay lại quầy lễ tân" if lang == "vi" else "Back to the desk"
    ).click()
    due = page.locator("ul.desk-list.due")
    expect(due).to_have_count(0)
