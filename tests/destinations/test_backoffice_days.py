from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from core.auth.roles import Role
from core.clock import utcnow
from portal.destinations import itineraries, services
from portal.destinations.itineraries import DayEdit, DayText
from portal.destinations.models import ContentItem, ContentType
from tests.destinations.content import ACTOR, make_item
from tests.destinations.test_images import png_bytes
from tests.factories import csrf_token, log_in, make_user

ADMIN = "/en/admin/content/"


@pytest.fixture
def officer(client: FlaskClient, db_session: Session) -> FlaskClient:
    log_in(client, make_user(db_session, Role.TOURISM_OFFICER).email)
    return client


@pytest.fixture
def trip(db_session: Session) -> dict[str, ContentItem]:
    items = {
        "bay": make_item(
            db_session, title="Vịnh Hạ Long", translations={"en": ("Ha Long Bay", "")}
        ),
        "cave": make_item(
            db_session,
            title="Hang Sửng Sốt",
            kind="cave",
            translations={"en": ("Sung Sot Cave", "")},
        ),
        "beach": make_item(db_session, title="Bãi Cháy", kind="beach"),
        "festival": make_item(db_session, ContentType.EVENT, title="Lễ hội Carnaval"),
        "trip": make_item(
            db_session,
            ContentType.ITINERARY,
            title="Hạ Long hai ngày",
            translations={"en": ("Ha Long in two days", "ha-long-in-two-days")},
        ),
    }
    db_session.commit()
    return items


def _day(
    index: int, title: str = "", body: str = "", places: tuple[int, ...] = ()
) -> dict[str, object]:
    data: dict[str, object] = {f"days-{index}-title": title, f"days-{index}-body": body}
    if places:
        data[f"days-{index}-place_ids"] = [str(p) for p in places]
    return data


def _save_days(client: FlaskClient, item: ContentItem, *days: dict[str, object]) -> str:
    edit_url = f"{ADMIN}{item.id}"
    data: dict[str, object] = {"csrf_token": csrf_token(client, edit_url)}
    for day in days:
        data |= day
    response = client.post(f"{edit_url}/days", data=data, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_officer_sets_two_days_that_show_on_the_public_page(
    officer: FlaskClient, trip: dict[str, ContentItem]
) -> None:
    bay, cave, beach = trip["bay"].id, trip["cave"].id, trip["beach"].id
    page = _save_days(
        officer,
        trip["trip"],
        _day(0, "Ngày đầu trên vịnh", "Đi tàu ngắm vịnh.", (cave, bay)),
        _day(1, "Ngày thứ hai", "", (beach,)),
        _day(2),  # the empty extra row adds nothing
    )
    assert "The days are saved." in page
    assert 'name="days-2-title"' in page  # two days, then an empty one to add a third
    assert 'name="days-3-title"' not in page
    # The chosen places are listed first, in visiting order: the cave before the bay.
    day_one = page[page.index('name="days-0-place_ids"') : page.index('name="days-1-title"')]
    assert day_one.index("Hang Sửng Sốt") < day_one.index("Vịnh Hạ Long") < day_one.index("Bãi")

    public = officer.get("/en/itineraries/ha-long-in-two-days").get_data(as_text=True)
    assert public.index("Ngày đầu trên vịnh") < public.index("Ngày thứ hai")
    assert public.index("Sung Sot Cave") < public.index("Ha Long Bay") < public.index("Bãi Cháy")


def test_officer_removes_a_day_and_its_translation_goes_with_it(
    officer: FlaskClient, trip: dict[str, ContentItem], db_session: Session
) -> None:
    item = trip["trip"]
    _save_days(officer, item, _day(0, "Một", "", (trip["bay"].id,)), _day(1, "Hai"))
    db_session.expire_all()
    first, second = (str(day.id) for day in item.days)
    page = _save_days(
        officer,
        item,
        _day(0, "Một", "", (trip["bay"].id,)) | {"days-0-day_id": first, "days-0-remove": "y"},
        _day(1, "Hai (sửa)") | {"days-1-day_id": second},
    )
    assert "The days are saved." in page
    db_session.expire_all()
    assert [day.titles["vi"] for day in item.days] == ["Hai (sửa)"]
    assert item.days[0].places == []


def test_a_refused_form_keeps_the_typed_text_and_names_the_field(
    officer: FlaskClient, trip: dict[str, ContentItem], db_session: Session
) -> None:
    page = _save_days(
        officer,
        trip["trip"],
        _day(0, "Ngày đầu", "Tôi đã gõ điều này.", (trip["bay"].id,)),
        _day(1, "x" * 201, "Mô tả ngày hai"),
    )
    assert "The days are saved." not in page
    assert "Day 2, Title of the day: At most 200 characters." in page
    assert 'id="days-1-title-error"' in page
    assert "Tôi đã gõ điều này." in page
    assert "Mô tả ngày hai" in page
    assert f'<option selected value="{trip["bay"].id}">' in page
    db_session.expire_all()
    assert trip["trip"].days == []


def test_a_stop_that_is_not_a_place_is_refused_on_its_day(
    officer: FlaskClient, trip: dict[str, ContentItem], db_session: Session
) -> None:
    page = _save_days(
        officer,
        trip["trip"],
        _day(0, "Ngày đầu", "", (trip["bay"].id,)),
        _day(1, "Lễ hội", "", (trip["festival"].id,)),
    )
    assert "Day 2, Places visited: Every stop must be a place." in page
    assert 'id="days-1-place_ids-error"' in page
    assert 'value="Lễ hội"' in page
    db_session.expire_all()
    assert trip["trip"].days == []


@pytest.mark.parametrize("role", [Role.TOURIST, Role.LODGING_OWNER])
def test_tourists_and_owners_cannot_reach_the_days_editor(
    client: FlaskClient, db_session: Session, trip: dict[str, ContentItem], role: Role
) -> None:
    log_in(client, make_user(db_session, role).email)
    item = trip["trip"]
    assert client.get(f"{ADMIN}{item.id}").status_code == 403
    token = csrf_token(client, "/en/")
    data = {"csrf_token": token} | _day(0, "Ngày giả", "", (trip["bay"].id,))
    assert client.post(f"{ADMIN}{item.id}/days", data=data).status_code == 403
    db_session.expire_all()
    assert item.days == []


def test_a_place_has_no_days_editor(officer: FlaskClient, trip: dict[str, ContentItem]) -> None:
    place = trip["bay"]
    assert 'name="days-0-title"' not in officer.get(f"{ADMIN}{place.id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(officer, f"{ADMIN}{place.id}")} | _day(0, "Một")
    assert officer.post(f"{ADMIN}{place.id}/days", data=data).status_code == 404


def test_day_titles_are_translated_beside_the_original(
    officer: FlaskClient, trip: dict[str, ContentItem], db_session: Session
) -> None:
    item = trip["trip"]
    _save_days(
        officer, item, _day(0, "Ngày trên vịnh", "Đi tàu.", (trip["bay"].id,)), _day(1, "Ngày hai")
    )
    db_session.expire_all()
    first, second = (str(day.id) for day in item.days)
    url = f"{ADMIN}{item.id}/translations/en"
    form = officer.get(url).get_data(as_text=True)
    assert "Ngày trên vịnh" in form  # the original beside the field
    assert 'name="days-0-title"' in form
    refused = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "title": "Ha Long in two days",
            "days-0-day_id": first,
            "days-0-title": "y" * 201,
            "days-0-body": "Typed by the translator.",
            "days-1-day_id": second,
        },
    ).get_data(as_text=True)
    assert "Day 1, Title of the day: At most 200 characters." in refused
    assert "Typed by the translator." in refused
    assert "Ngày trên vịnh" in refused
    response = officer.post(
        url,
        data={
            "csrf_token": csrf_token(officer, url),
            "title": "Ha Long in two days",
            "slug": "ha-long-in-two-days",
            "days-0-day_id": first,
            "days-0-title": "A day on the bay",
            "days-0-body": "By boat.",
            "days-1-day_id": second,
            "days-1-title": "",
            "days-1-body": "",
        },
    )
    assert response.status_code == 302
    public = officer.get("/en/itineraries/ha-long-in-two-days").get_data(as_text=True)
    assert "A day on the bay" in public
    assert "Ngày trên vịnh" not in public
    assert "Ngày hai" in public  # not translated: the original's title
    vietnamese = officer.get("/vi/itineraries/ha-long-hai-ngay").get_data(as_text=True)
    assert "Ngày trên vịnh" in vietnamese

    # Editing the original's day keeps the English title and flags it out of date.
    _save_days(
        officer,
        item,
        _day(0, "Ngày trên vịnh Hạ Long", "Đi tàu.", (trip["bay"].id,)) | {"days-0-day_id": first},
        _day(1, "Ngày hai") | {"days-1-day_id": second},
    )
    db_session.expire_all()
    assert item.days[0].titles == {"vi": "Ngày trên vịnh Hạ Long", "en": "A day on the bay"}
    assert "out of date" in officer.get(f"{ADMIN}{item.id}").get_data(as_text=True)


def test_officer_edits_a_photo_s_descriptions_after_upload(
    officer: FlaskClient, trip: dict[str, ContentItem]
) -> None:
    edit_url = f"{ADMIN}{trip['bay'].id}"
    officer.post(
        f"{edit_url}/images",
        data={
            "csrf_token": csrf_token(officer, edit_url),
            "photo": (io.BytesIO(png_bytes()), "bay.png"),
            "alt_en": "Islands",
        },
        content_type="multipart/form-data",
    )
    page = officer.get(edit_url).get_data(as_text=True)
    image_id = re.findall(r"/images/(\d+)/alt", page)[0]
    response = officer.post(
        f"{edit_url}/images/{image_id}/alt",
        data={
            "csrf_token": csrf_token(officer, edit_url),
            f"image-{image_id}-alt_en": "Limestone islands at dawn",
            f"image-{image_id}-alt_vi": "Đảo đá vôi lúc bình minh",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "descriptions are saved" in page
    assert 'alt="Limestone islands at dawn"' in page
    assert 'value="Đảo đá vôi lúc bình minh"' in page


def test_translating_days_changes_only_that_language_and_refuses_unknown_days(
    trip: dict[str, ContentItem], db_session: Session
) -> None:
    item = trip["trip"]
    itineraries.edit_itinerary_days(
        db_session,
        item,
        [DayEdit(title="Một", place_ids=[trip["bay"].id])],
        actor=ACTOR,
        now=utcnow(),
    )
    db_session.flush()
    day = item.days[0]
    day.titles = {**day.titles, "ko": "첫째 날"}
    version = item.version
    itineraries.translate_itinerary_days(
        db_session, item, "en", [DayText(day.id, "Day one")], actor=ACTOR, now=utcnow()
    )
    assert day.titles == {"vi": "Một", "ko": "첫째 날", "en": "Day one"}
    assert item.version == version + 1
    with pytest.raises(services.ContentError):
        itineraries.translate_itinerary_days(
            db_session, item, "en", [DayText(day.id + 999, "?")], actor=ACTOR, now=utcnow()
        )
    with pytest.raises(services.ContentError):
        itineraries.translate_itinerary_days(db_session, item, "vi", [], actor=ACTOR, now=utcnow())
