"""Every absolute link comes from PUBLIC_URL, whatever Host header a request carries."""

from __future__ import annotations

import re

import pytest

from core.auth.roles import Role
from core.clock import utcnow
from core.links import absolute
from tests.core.test_get_changes_nothing import build_world, signed_in, visits
from tests.factories import csrf_token

EVIL = "evil.example"
# The Host header a client chose (the test client's cookies still go to its own host).
FROM_EVIL = {"Host": EVIL}


def from_evil(client):
    """The browser's session, also sent to a request whose Host header is ``EVIL``."""
    session = client.get_cookie("session")
    if session is not None:
        client.set_cookie("session", session.value, domain=EVIL)
    return client


@pytest.fixture
def public_url(settings):
    return settings.public_url.rstrip("/")


def test_hreflang_alternates_use_the_public_url(client, public_url):
    page = client.get("/vi/", headers=FROM_EVIL).get_data(as_text=True)
    alternates = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page)
    assert ("en", f"{public_url}/en/") in alternates
    assert ("x-default", f"{public_url}/") in alternates
    assert EVIL not in page


def test_the_sitemap_and_robots_use_the_public_url(client, db_session, public_url):
    build_world(db_session)
    sitemap = client.get("/sitemap.xml", headers=FROM_EVIL).get_data(as_text=True)
    assert f"<loc>{public_url}/vi/</loc>" in sitemap
    assert f"{public_url}/en/places/en-place" in sitemap
    assert EVIL not in sitemap
    robots = client.get("/robots.txt", headers=FROM_EVIL).get_data(as_text=True)
    assert f"Sitemap: {public_url}/sitemap.xml" in robots


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r or "anonymous")
def test_no_page_answers_with_the_host_it_was_asked_for(app, db_session, role):
    """Every GET route, as every role: no body or header names the request's host."""
    world = build_world(db_session)
    client, headers = signed_in(app, db_session, world, role)
    from_evil(client)
    if role is not None:  # still signed in under the other Host header
        assert client.get("/en/account", headers=FROM_EVIL).status_code == 200
    leaked = []
    for path in visits(app, world):
        response = client.get(
            path, headers={**FROM_EVIL, **(headers if path.startswith("/api/") else {})}
        )
        body = response.get_data()
        response.close()
        if EVIL.encode() in body or any(EVIL in value for _name, value in response.headers):
            leaked.append(path)
    assert leaked == []


def test_the_self_check_in_poster_and_stay_link_use_the_public_url(app, db_session, public_url):
    world = build_world(db_session)
    client = from_evil(signed_in(app, db_session, world, Role.LODGING_OWNER)[0])
    place, stay = world.establishment, world.stay
    poster = client.get(f"/en/desk/{place.id}/poster", headers=FROM_EVIL).text
    assert f"{public_url}/checkin/{place.checkin_token}" in poster  # the QR code's payload
    page = client.get(f"/en/desk/stays/{stay.id}", headers=FROM_EVIL).text
    assert f"{public_url}/en/checkin/stay/{stay.checkin_token}" in page
    assert EVIL not in poster + page


def test_an_invitation_link_uses_the_public_url(app, db_session, public_url):
    world = build_world(db_session)
    client = from_evil(signed_in(app, db_session, world, Role.LODGING_OWNER)[0])
    path = f"/en/my/establishments/{world.establishment.id}/staff"
    token = csrf_token(client, path)
    from_evil(client)  # the session now holds the form's token
    page = client.post(
        path,
        data={"email": "new-hire@example.com", "csrf_token": token},
        headers=FROM_EVIL,
    ).text
    assert f'value="{public_url}/en/invitations/' in page
    assert EVIL not in page


def test_a_booking_e_mail_uses_the_public_url_even_inside_a_request(app, db_session, public_url):
    world = build_world(db_session)
    compose = app.extensions["booking_notices"]
    with app.test_request_context("/", headers=FROM_EVIL):
        notice = compose(world.booking, "confirmed", utcnow())
    assert f"{public_url}/vi/bookings/{world.booking.reference}" in notice.text
    assert EVIL not in notice.text


def test_only_paths_on_this_site_are_made_absolute(app):
    with app.test_request_context("/", headers=FROM_EVIL):
        for outside in ("https://evil.example/x", "//evil.example/x", "relative"):
            with pytest.raises(ValueError, match="not a path on this site"):
                absolute(outside)


def test_the_mount_point_is_not_repeated(app, public_url):
    with app.test_request_context("/", base_url="http://localhost/portal", headers=FROM_EVIL):
        assert absolute("/portal/vi/") == f"{public_url}/vi/"
