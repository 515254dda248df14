"""The search page with its scripts, on a phone: autocomplete, map, filters, near me.

The server is a process of its own (see ``conftest``) reading a search index this
test writes beforehand: the sample places, event and lodgings of the search tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from search.backends.embedded import EmbeddedBackend
from tests.browser.conftest import (
    PHONE,
    _flask,
    portal_env,
    running_portal,
)
from tests.search.sample_index import BAY, sample_documents, saturday


@pytest.fixture(scope="module")
def search_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("search-browser")
    index = instance / "search.sqlite3"
    backend = EmbeddedBackend(index)
    backend.index(sample_documents(saturday()))
    backend.close()
    env = portal_env(instance, SEARCH_INDEX_PATH=str(index))
    _flask(env, "db", "upgrade")
    with running_portal(env, Path(instance), "/en/search") as base_url:
        yield base_url


def test_autocomplete_offers_places_from_two_letters(page: Page, search_server: str) -> None:
    page.goto(search_server + "/en/search")
    box = page.get_by_role("combobox")
    box.press_sequentially("ha", delay=50)

    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option", name="Ha Long Bay")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "search-q-suggestions-0")
    box.press("Escape")
    expect(listbox).to_be_hidden()


def test_the_map_shows_the_hits_and_a_filter_applies_at_once(
    page: Page, search_server: str
) -> None:
    page.goto(search_server + "/en/search?q=ha+long")

    expect(page.locator(".search-map.map-ready .leaflet-marker-icon")).to_have_count(3)
    expect(page.get_by_role("button", name="Search this area")).to_be_visible()

    page.locator("details.facets summary").click()
    page.get_by_label("cave (1)").check()

    expect(page).to_have_url(f"{search_server}/en/search?q=ha+long&category=cave")
    expect(page.locator("ol.hits > li")).to_have_count(1)


def test_near_me_sorts_by_distance_from_the_phone(browser: Browser, search_server: str) -> None:
    context = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": BAY.lat, "longitude": BAY.lon},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(search_server + "/en/search?type=place")
        page.get_by_role("button", name="Near me").click()

        expect(page).to_have_url(f"{search_server}/en/search?near=20.91%2C107.18&type=place")
        expect(page.locator("ol.hits > li h3").first).to_have_text("Ha Long Bay")
        expect(page.locator(".hit-distance").first).to_have_text("0.0 km away")
    finally:
        context.close()
