"""The search page, as a visitor without JavaScript gets it (the scripts only add to it)."""

from __future__ import annotations

import html
import json
import re

import pytest
from flask.testing import FlaskClient

from tests.search.sample_index import saturday, search_backend  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("search_backend")


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def hit_titles(text: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', text)]


def checkbox(text: str, name: str, value: str) -> str:
    match = re.search(rf'<input type="checkbox"[^>]*name="{name}" value="{value}"[^>]*>', text)
    assert match, f"no checkbox {name}={value}"
    return match.group(0)


def test_results_list_title_type_snippet_and_link(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=ha+long")

    assert hit_titles(text)[0] == "Ha Long Bay"
    assert '<a href="/en/places/ha-long-bay">Ha Long Bay</a>' in text
    assert "3 results" in text
    assert "A World Heritage bay of islets." in text
    assert 'class="hit-type hit-type-place" lang="en">Place<' in text


def test_facets_are_checkboxes_with_counts_in_a_get_form(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=ha+long")

    assert re.search(r'<form class="search-form" method="get" action="/en/search">', text)
    assert "checked" not in checkbox(text, "category", "cave")
    assert re.search(r"Cave|cave", text)
    assert re.search(r'for="facet-type-\d+">Places <span class="count">\(2\)</span>', text)
    assert re.search(r'for="facet-price_band-\d+">1,000,000 to 2,000,000 ₫ a night', text)


def test_a_chosen_facet_stays_checked_beside_the_others(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=ha+long&category=cave")

    assert hit_titles(text) == ["Surprise Cave"]
    assert "checked" in checkbox(text, "category", "cave")
    assert "checked" not in checkbox(text, "category", "bay")
    assert re.search(r'<a href="/en/search\?q=ha\+long">Remove filter: Cave</a>', text)


def test_the_map_gets_the_hits_as_data_and_the_list_stays(client: FlaskClient) -> None:
    text = page(client, "/en/search?type=place&near=20.91,107.18")

    match = re.search(r"data-markers='([^']*)'", text)
    assert match
    markers = json.loads(html.unescape(match.group(1)))
    assert markers[0] == {
        "lat": 20.91,
        "lon": 107.18,
        "title": "Ha Long Bay",
        "url": "/en/places/ha-long-bay",
    }
    assert len(hit_titles(text)) == 4  # the list is there for those without the map
    assert "0.0 km away" in text
    assert "Remove filter: Near the chosen point" in text


def test_the_page_loads_its_scripts_as_files_only(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=cave")

    assert 'src="/static/js/autocomplete.js"' in text
    assert 'src="/static/js/search-map.js"' in text
    assert 'data-suggest-url="/api/v1/suggest?lang=en"' in text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
    assert not re.search(r"\sstyle=|\son[a-z]+=", text)
    # "Near me" waits for the script: without it the commune filter does the job.
    assert re.search(r"<button[^>]*hidden[^>]*data-near-me", text)


def test_a_hit_shown_in_its_original_language_is_marked(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=co+to")

    assert re.search(r'<li class="hit" lang="vi">\s*<h3><a href="/vi/places/dao-co-to">', text)


def test_nothing_found_offers_other_spellings_and_popular_places(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=vinh+ha+lo")

    assert "0 results" in text
    assert "Nothing matches this search." in text
    assert '<a href="/en/search?q=Ha+Long+Bay">Ha Long Bay</a>' in text
    assert "Popular places" in text
    assert '<a href="/en/places/surprise-cave">Surprise Cave</a>' in text


def test_nothing_found_under_a_filter_offers_to_remove_it(client: FlaskClient) -> None:
    text = page(client, "/en/search?q=cave&commune=Sa+Pa")

    assert "Nothing matches this search." in text
    assert '<a href="/en/search?q=cave">Remove filter: Sa Pa</a>' in text


def test_an_empty_search_shows_places_to_start_from(client: FlaskClient) -> None:
    text = page(client, "/en/search")

    assert "Places to start from" in text
    assert "Please correct" not in text
    assert '<a href="/en/places/ha-long-bay">Ha Long Bay</a>' in text


def test_this_weekend_link_finds_the_weekend_events(client: FlaskClient) -> None:
    text = page(client, "/en/search")
    link = re.search(r'<a href="([^"]+)">Events this weekend</a>', text)
    assert link

    weekend = page(client, html.unescape(link.group(1)))

    assert f"from={saturday().isoformat()}" in link.group(1)
    assert hit_titles(weekend) == ["Bac Ha Market"]


def test_wrong_parameters_are_explained_and_the_words_still_searched(
    client: FlaskClient,
) -> None:
    text = page(client, "/en/search?q=cave&from=2026-12-02&to=2026-12-01", status=400)

    assert "The end date must not be before the start date." in text
    assert hit_titles(text) == ["Surprise Cave"]


def test_pages_link_to_the_next_and_previous_results(client: FlaskClient) -> None:
    first = page(client, "/en/search?type=place&limit=2")
    second = page(client, "/en/search?type=place&limit=2&offset=2")

    assert "Page 1 of 2" in first
    assert '<a rel="next" href="/en/search?type=place&amp;limit=2&amp;offset=2">' in first
    assert '<a rel="prev" href="/en/search?type=place&amp;limit=2">' in second
    assert set(hit_titles(first)).isdisjoint(hit_titles(second))


def test_the_page_speaks_vietnamese_at_vi(client: FlaskClient) -> None:
    text = page(client, "/vi/search?q=ha+long")

    assert hit_titles(text)[0] == "Vịnh Hạ Long"
    assert '<html lang="vi">' in text
