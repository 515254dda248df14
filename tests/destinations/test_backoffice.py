from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.roles import Role
from portal.destinations import catalogue
from portal.destinations.models import ContentItem, ContentType
from tests.destinations.content import make_item
from tests.destinations.test_images import png_bytes
from tests.factories import csrf_token, log_in, make_user

ADMIN = "/en/admin/content/"


@pytest.fixture
def officer(client: FlaskClient, db_session: Session) -> FlaskClient:
    user = make_user(db_session, Role.TOURISM_OFFICER)
    log_in(client, user.email)
    return client


def test_anonymous_visitor_is_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.TOURIST, Role.LODGING_OWNER])
def test_tourists_and_owners_cannot_edit_content(
    client: FlaskClient, db_session: Session, role: Role
) -> None:
    item = make_item(db_session, publish=False)
    log_in(client, make_user(db_session, role).email)
    assert client.get(ADMIN).status_code == 403
    assert client.post(f"{ADMIN}{item.id}/publish").status_code in {400, 403}
    db_session.expire_all()
    assert not item.is_published


def test_officer_creates_translates_and_publishes_a_place(
    officer: FlaskClient, db_session: Session
) -> None:
    new_url = f"{ADMIN}new/place"
    response = officer.post(
        new_url,
        data={
            "csrf_token": csrf_token(officer, new_url),
            "title": "Hang Sửng Sốt",
            "summary": "Hang động lớn.",
            "body": "Thân bài.",
            "kind": "cave",
            "province": "Quảng Ninh",
            "commune": "Phường Hạ Long",
            "latitude": "20.8566",
            "longitude": "107.0917",
            "opening_hours": "Mo-Su 07:00-17:00",
            "tickets": "290000 Người lớn | Adult",
            "recurrence": "none",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    edit_url = response.headers["Location"]
    item_id = int(re.findall(r"/(\d+)$", edit_url)[0])

    translate_url = f"{ADMIN}{item_id}/translations/en"
    page = officer.get(translate_url).get_data(as_text=True)
    assert 'lang="vi"' in page
    assert "Hang Sửng Sốt" in page
    response = officer.post(
        translate_url,
        data={
            "csrf_token": csrf_token(officer, translate_url),
            "title": "Sung Sot Cave",
            "slug": "sung-sot-cave",
            "summary": "A large cave.",
            "body": "Body.",
        },
    )
    assert response.status_code == 302

    response = officer.post(
        f"{ADMIN}{item_id}/publish", data={"csrf_token": csrf_token(officer, edit_url)}
    )
    assert response.status_code == 302
    match = catalogue.find_by_slug(db_session, ContentType.PLACE, "en", "sung-sot-cave")
    assert match is not None
    assert match.item.tickets == [{"label": {"vi": "Người lớn", "en": "Adult"}, "amount": 290000}]
    assert "Published" in officer.get(edit_url).get_data(as_text=True)


def test_editing_the_original_flags_the_translation_as_out_of_date(
    officer: FlaskClient, db_session: Session
) -> None:
    item = make_item(db_session, translations={"en": ("Ha Long Bay", "ha-long-bay")})
    db_session.commit()
    edit_url = f"{ADMIN}{item.id}"
    response = officer.post(
        edit_url,
        data={
            "csrf_token": csrf_token(officer, edit_url),
            "title": "Vịnh Hạ Long",
            "slug": "vinh-ha-long",
            "summary": "Di sản thiên nhiên thế giới, hai lần.",
            "kind": "bay",
            "recurrence": "none",
        },
    )
    assert response.status_code == 302
    page = officer.get(edit_url).get_data(as_text=True)
    assert "out of date" in page
    assert "The original changed" in officer.get(f"{edit_url}/translations/en").get_data(
        as_text=True
    )


def test_slug_taken_shows_an_error_on_the_form(officer: FlaskClient, db_session: Session) -> None:
    make_item(db_session, title="Bãi Cháy")
    db_session.commit()
    new_url = f"{ADMIN}new/place"
    response = officer.post(
        new_url,
        data={
            "csrf_token": csrf_token(officer, new_url),
            "title": "Bãi Cháy",
            "kind": "beach",
            "recurrence": "none",
        },
    )
    assert response.status_code == 200
    assert "already uses this address" in response.get_data(as_text=True)


def test_upload_refuses_a_text_file_and_accepts_a_photo(
    officer: FlaskClient, db_session: Session
) -> None:
    item = make_item(db_session)
    db_session.commit()
    edit_url = f"{ADMIN}{item.id}"
    upload_url = f"{edit_url}/images"

    response = officer.post(
        upload_url,
        data={
            "csrf_token": csrf_token(officer, edit_url),
            "photo": (io.BytesIO(b"not an image"), "photo.jpg"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not a JPEG, PNG or WebP image" in response.get_data(as_text=True)

    response = officer.post(
        upload_url,
        data={
            "csrf_token": csrf_token(officer, edit_url),
            "photo": (io.BytesIO(png_bytes()), "bay.png"),
            "alt_en": "Limestone islands in the bay",
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "The photo is added." in page
    assert 'alt="Limestone islands in the bay"' in page


def test_every_type_s_pages_render_for_an_officer_in_vietnamese(
    client: FlaskClient, db_session: Session
) -> None:
    log_in(client, make_user(db_session, Role.TOURISM_OFFICER).email, lang="vi")
    event = make_item(db_session, ContentType.EVENT, title="Chợ phiên Bắc Hà", kind="market")
    article = make_item(db_session, ContentType.ARTICLE, title="Tin mới", publish=False)
    db_session.commit()
    listing = client.get("/vi/admin/content/?type=event&status=published")
    assert listing.status_code == 200
    assert "Chợ phiên Bắc Hà" in listing.get_data(as_text=True)
    assert "Tin mới" not in listing.get_data(as_text=True)
    for path in (
        f"/vi/admin/content/{event.id}",
        f"/vi/admin/content/{article.id}",
        f"/vi/admin/content/{article.id}/translations/ko",
        "/vi/admin/content/new/itinerary",
    ):
        assert client.get(path).status_code == 200, path
    assert client.get("/vi/admin/content/new/hotel").status_code == 404
    assert client.get(f"/vi/admin/content/{article.id}/translations/vi").status_code == 404


def test_an_event_repeating_until_year_9999_is_refused_on_its_field(
    officer: FlaskClient, db_session: Session
) -> None:
    new_url = f"{ADMIN}new/event"
    response = officer.post(
        new_url,
        data={
            "csrf_token": csrf_token(officer, new_url),
            "title": "Chợ tình Sa Pa",
            "kind": "festival",
            "starts_on": "2026-12-12",
            "recurrence": "weekly",
            "recurrence_until": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "Enter a date from 1900-01-01 to 2199-12-31." in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(ContentItem.id))) == 0
