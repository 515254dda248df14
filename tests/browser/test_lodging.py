"""A tourist on a phone finds a free room for two nights in Hạ Long, in Vietnamese.

The server is a process of its own with the demo data (`flask demo load`): real
establishments with rooms and rate plans.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.clock import local_now
from tests.browser.conftest import _flask, portal_env, running_portal


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("lodging-browser")
    env = portal_env(Path(instance))
    _flask(env, "db", "upgrade")
    _flask(env, "demo", "load")
    with running_portal(env, Path(instance)) as base_url:
        yield base_url


def test_a_tourist_finds_a_room_for_two_nights_in_ha_long(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "/vi/")
    page.get_by_role("link", name="Tìm phòng").click()
    expect(page.get_by_role("heading", name="Tìm phòng", level=1)).to_be_visible()

    arrival = local_now().date() + dt.timedelta(days=10)
    page.get_by_label("Thời gian đến").fill(arrival.isoformat())
    page.get_by_label("Thời gian đi").fill((arrival + dt.timedelta(days=2)).isoformat())
    page.get_by_label("Khu vực").select_option("ha-long")
    page.get_by_role("button", name="Xem phòng trống").click()

    offers = page.locator("li.offer")
    expect(offers.first).to_be_visible()
    expect(page.get_by_text("Tuần Châu Homestay Hoa Sen")).to_be_visible()
    expect(offers.first).to_contain_text("₫")  # the whole stay's price, Vietnamese format
    expect(offers.first).to_contain_text("2 đêm")
    assert "area=ha-long" in page.url  # a link that can be shared or bookmarked
    # Nothing from Sa Pa in a Hạ Long search.
    expect(offers.filter(has_text="Sa Pa")).to_have_count(0)

    # The map pins the places found; "Search this area" keeps to what it shows.
    expect(page.locator(".search-map.map-ready")).to_be_visible()
    page.get_by_role("button", name="Tìm trong khu vực này").click()
    expect(page).to_have_url(re.compile(r"bbox=[-0-9.]+(%2C|,)"))
    expect(page.get_by_role("link", name="Tuần Châu Homestay Hoa Sen", exact=True)).to_be_visible()
    expect(page.get_by_label("Khu vực")).to_have_value("")  # the drawn area replaced the named one
