"""A tourist's first visit on a phone: land in Vietnamese, switch to English, sign in.

Assertions use URLs, ``lang`` attributes and the user's own data, so they hold
whether or not the translation catalogs are compiled.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import TOURIST_EMAIL, TOURIST_PASSWORD


def test_first_visit_switch_to_english_and_sign_in(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_url(live_server + "/vi/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")

    switcher = page.locator("details.language-switcher")
    switcher.locator("summary").click()
    english = switcher.locator('a[hreflang="en"]')
    expect(english).to_be_visible()
    english.click()
    expect(page).to_have_url(live_server + "/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".account-nav").get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(live_server + "/en/login")
    page.locator('input[name="email"]').fill(TOURIST_EMAIL)
    page.locator('input[name="password"]').fill(TOURIST_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(live_server + "/en/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator("main")).to_contain_text(TOURIST_EMAIL)
    expect(page.locator(".account-nav")).to_contain_text("Sign out")
