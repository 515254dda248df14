"""An officer opens the dashboard in headless Chromium: charts and map draw, CSP holds.

Uses the browser suite's helpers with a server of its own (the browser suite's tests
find their server's folder by name, so this one's has another name), and drives
Chromium from a child process: Playwright's sync API runs once per process, and the
browser suite's session-wide Chromium may already hold it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    ROOT,
    _flask,
    create_establishment,
    portal_env,
    running_portal,
)

pytestmark = pytest.mark.browser

OFFICER_EMAIL = "browser-officer@example.com"
OFFICER_PASSWORD = "Yen-Tu-Pagoda-2026"
HOTEL = "Khách sạn Biểu Đồ"
HOTEL_FACTS = {
    "name": HOTEL,
    "kind": "hotel",
    "street_address": "2 Hạ Long",
    "province": "Quảng Ninh",
    "commune": "Bãi Cháy",
    "stars": 3,
    "latitude": 20.9533,
    "longitude": 107.0433,
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server whose database holds an officer and an approved hotel."""
    instance = tmp_path_factory.mktemp("dashboard-server")
    env = portal_env(instance)
    _flask(env, "db", "upgrade")
    _flask(
        env,
        *("users", "create", OFFICER_EMAIL, "--role", "tourism_officer", "--password-stdin"),
        stdin=OFFICER_PASSWORD + "\n",
    )
    create_establishment(env, HOTEL_FACTS, role="approved_by", email=OFFICER_EMAIL)
    with running_portal(env, instance) as base_url:
        yield base_url


DRIVE = """
import json, sys
from playwright.sync_api import expect, sync_playwright

base, email, password, executable, args, viewport = json.loads(sys.argv[1])
problems = []
with sync_playwright() as playwright:
    chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
    page = chromium.new_context(viewport=viewport).new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(e.message))
    page.goto(base + "/en/login?next=/en/dashboard/")
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password"]').fill(password)
    page.locator("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tourism statistics of the province")
    expect(page.locator(".chart.chart-ready canvas").first).to_be_visible()
    expect(page.locator(".map.map-ready")).to_be_visible()
    expect(page.locator("table.figures", has_text="Bãi Cháy")).to_have_count(1)
    chromium.close()
print(json.dumps(problems))
"""


def test_officer_sees_charts_and_the_map(server: str):
    argument = json.dumps([server, OFFICER_EMAIL, OFFICER_PASSWORD, CHROMIUM, CHROMIUM_ARGS, PHONE])
    run = subprocess.run(
        [sys.executable, "-c", DRIVE, argument],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    problems = json.loads(run.stdout.strip().splitlines()[-1])
    assert problems == []  # no CSP violation, no script error
