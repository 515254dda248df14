"""On a phone, in Vietnamese: an admin gives a police unit its e-mail address, a typo first."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, _flask, portal_env

PASSWORD = "Bai-Chay-Police-2026"
ADMIN = "browser-admin-units@example.com"


@pytest.fixture(scope="module")
def admin(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    instance = next(Path(tmp_path_factory.getbasetemp()).glob("browser-instance*"))
    _flask(
        portal_env(instance),
        *("users", "create", ADMIN, "--role", "admin", "--password-stdin"),
        stdin=PASSWORD + "\n",
    )
    return ADMIN


def test_an_admin_sets_a_units_address_after_a_typo_on_a_phone(
    page: Page, live_server: str, admin: str
) -> None:
    page.goto(f"{live_server}/vi/login")
    page.locator('input[name="email"]').fill(admin)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator("main form").get_by_role("button").last.click()
    page.goto(f"{live_server}/vi/admin/police-units/")
    form = page.locator("main form")
    form.locator('select[name="province_code"]').select_option(label="Quảng Ninh")
    form.locator('input[name="commune_code"]').fill("6673")
    form.locator('input[name="email"]').fill("conganbaichay@")
    form.get_by_role("button").click()
    expect(page.locator("#email-error")).to_contain_text("Nhập địa chỉ thư điện tử của đơn vị")
    expect(page.locator('input[name="commune_code"]')).to_have_value("6673")
    expect(page.locator('input[name="email"]')).to_have_value("conganbaichay@")
    page.locator('input[name="email"]').fill("conganbaichay@example.gov.vn")
    page.locator("main form").get_by_role("button").click()
    expect(page.locator("table")).to_contain_text("Phường Bãi Cháy, Quảng Ninh")
    expect(page.locator("table")).to_contain_text("conganbaichay@example.gov.vn")
    # The page itself never scrolls sideways on a phone (the table scrolls in its box).
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
