"""A name or document number typed at the desk never reaches a URL (nor an access log)."""

from __future__ import annotations

import re

import pytest

from core.auth.roles import Role
from tests.factories import (
    citizen,
    csrf_token,
    declare,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)

CCCD = "001190012345"
URL_ATTRIBUTE = re.compile(r'\b(?:href|action|src|formaction)="([^"]*)"')


def urls_in(page: str) -> list[str]:
    return URL_ATTRIBUTE.findall(page)


@pytest.fixture
def desk(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    for _ in range(51):  # two pages of results, so the pager shows
        declare(db_session, hotel, stay_input(citizen()), by=owner)
    log_in(client, owner.email)
    return client, hotel


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_history_search_forms_post(desk, lang):
    client, hotel = desk
    for path in (f"/{lang}/desk/?establishment={hotel.id}", f"/{lang}/desk/{hotel.id}/history"):
        page = client.get(path).get_data(as_text=True)
        form = re.search(r'<form ([^>]*)role="search"', page)
        assert form is not None, path
        assert 'method="post"' in form.group(1), path


@pytest.mark.parametrize("term", [CCCD, "Nguyễn Thị Ánh", "nguyen thi anh"])
def test_no_url_the_results_page_builds_holds_the_search_term(desk, term):
    client, hotel = desk
    url = f"/en/desk/{hotel.id}/history"
    response = client.post(url, data={"q": term, "csrf_token": csrf_token(client, url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "51 guests found" in page
    assert "Page 1 of 2" in page
    found = [u for u in urls_in(page) if term in u or term.replace(" ", "+") in u]
    assert found == []
    assert "Location" not in response.headers
    # The next page is posted too, with the term in the form's body.
    older = client.post(url, data={"q": term, "page": "2", "csrf_token": csrf_token(client, url)})
    assert "Page 2 of 2" in older.get_data(as_text=True)


def test_a_search_term_in_the_query_string_is_ignored(desk):
    client, hotel = desk
    page = client.get(f"/en/desk/{hotel.id}/history?q={CCCD}").get_data(as_text=True)
    assert CCCD not in page
    assert "51 guests found" in page  # the plain list of past guests, not a search
