"""A stay at the desk: its page, the changes made to it, and the history search."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from lodging.properties.models import Establishment
from lodging.registration.models import Stay, StayStatus
from tests.factories import (
    citizen,
    csrf_token,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)


@pytest.fixture
def stay(db_session: Session, hotel: Establishment, owner: User) -> Stay:
    return declare(db_session, hotel, by=owner)


@pytest.fixture
def desk(client: FlaskClient, owner: User) -> FlaskClient:
    log_in(client, owner.email)
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def status_of(db_session: Session, stay: Stay) -> StayStatus:
    db_session.refresh(stay)
    return stay.status


def history_of(client: FlaskClient, stay: Stay) -> str:
    page = text(client.get(f"/en/desk/stays/{stay.id}"))
    return page.split('id="history-heading"')[1]


def post_change(client: FlaskClient, stay: Stay, action: str, prefix: str, **fields: str):
    token = csrf_token(client, f"/en/desk/stays/{stay.id}")
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = token
    return client.post(f"/en/desk/stays/{stay.id}/{action}", data=data)


def test_stay_page_shows_guests_documents_deadlines_and_the_checkin_link(desk, stay):
    page = text(desk.get(f"/en/desk/stays/{stay.id}"))
    assert "Nguyễn Thị Ánh" in page
    assert "001190012345" in page  # decrypted for the staff, who are audited
    assert "Due by" in page
    assert "Queued for the police" in page
    assert f"/en/checkin/stay/{stay.checkin_token}" in page
    assert "http://" in page.split("/en/checkin/stay/")[0][-40:]  # a full link to send


def test_viewing_a_stay_is_audited(desk, stay, owner, db_session):
    desk.get(f"/en/desk/stays/{stay.id}")
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "guest.view")).all()
    assert len(entries) == 1
    assert (entries[0].actor_id, entries[0].target_type) == (owner.id, "lodging_stay")
    assert entries[0].target_id == str(stay.id)
    assert entries[0].detail["guest_ids"] == [stay.guests[0].id]


def test_check_out_now_is_kept_in_history(desk, stay, db_session):
    now = utcnow().astimezone(VIETNAM)
    response = post_change(
        desk,
        stay,
        "check-out",
        "checkout",
        departure_date=now.date().isoformat(),
        departure_time=now.strftime("%H:%M"),
    )
    assert response.status_code == 302
    assert status_of(db_session, stay) is StayStatus.CHECKED_OUT
    assert "Left early" in history_of(desk, stay)  # expected tomorrow, left today


def test_a_departure_before_the_arrival_is_refused_on_the_date(desk, stay, db_session):
    earlier = (stay.arrival - dt.timedelta(days=1)).astimezone(VIETNAM)
    page = text(
        post_change(
            desk,
            stay,
            "check-out",
            "checkout",
            departure_date=earlier.date().isoformat(),
            departure_time="10:00",
        )
    )
    assert re.search(r'id="checkout-departure_date-error">The departure cannot be before', page)
    assert f'value="{earlier.date().isoformat()}"' in page
    assert status_of(db_session, stay) is StayStatus.IN_HOUSE


def test_extension_and_room_move_are_kept_in_history(desk, stay, db_session):
    later = stay.expected_departure + dt.timedelta(days=3)
    extended = post_change(
        desk, stay, "departure", "departure", expected_departure=later.isoformat()
    )
    moved = post_change(desk, stay, "room", "move", room="201")
    assert (extended.status_code, moved.status_code) == (302, 302)
    db_session.refresh(stay)
    assert stay.expected_departure == later
    assert stay.room is not None
    assert stay.room.number == "201"
    history = history_of(desk, stay)
    assert "Stay extended" in history
    assert "Moved to another room" in history
    assert "Room: 101 → 201" in history


def test_cancelling_asks_first_and_needs_a_reason(desk, stay, db_session):
    confirm_page = text(desk.get(f"/en/desk/stays/{stay.id}/cancel"))
    assert "Cancel the declaration?" in confirm_page
    token = csrf_token(desk, f"/en/desk/stays/{stay.id}/cancel")
    url = f"/en/desk/stays/{stay.id}/cancel"

    refused = text(desk.post(url, data={"csrf_token": token, "reason": "  "}))
    assert "Say why the declaration is cancelled." in refused
    assert status_of(db_session, stay) is StayStatus.IN_HOUSE

    done = desk.post(url, data={"csrf_token": token, "reason": "Declared twice"})
    assert done.status_code == 302
    assert status_of(db_session, stay) is StayStatus.CANCELLED
    history = history_of(desk, stay)
    assert "Declaration cancelled" in history
    assert "Reason: Declared twice" in history


def test_correcting_a_stay_prefills_the_form_and_records_the_change(desk, stay, db_session):
    url = f"/en/desk/stays/{stay.id}/edit"
    page = text(desk.get(url))
    assert re.search(r'name="guests-0-document_number"[^>]*value="001190012345"', page)
    assert 'name="guests-1-full_name"' not in page

    data = _form_values(page)
    data["guests-0-full_name"] = "Nguyễn Thị Ánh Hồng"
    data["submit"] = "Save the correction"
    response = desk.post(url, data=data)

    assert response.status_code == 302, text(response)
    db_session.refresh(stay)
    assert stay.guests[0].full_name == "Nguyễn Thị Ánh Hồng"
    history = history_of(desk, stay)
    assert "Corrected" in history
    assert "Full name: Nguyễn Thị Ánh → Nguyễn Thị Ánh Hồng" in history


def _form_values(page: str) -> dict[str, str]:
    """What the browser would send back unchanged: every input and selected option."""
    form = page.split('class="declaration"')[1].split("</form>", maxsplit=1)[0]
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name and (kind is None or kind.group(1) != "submit"):
            value = re.search(r'value="([^"]*)"', tag)
            values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body)
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<textarea[^>]*name="([^"]+)"', form):
        values[name] = ""
    return values


def search_history(client: FlaskClient, hotel: Establishment, **fields: object):
    """The desk's history search, as the form posts it."""
    url = f"/en/desk/{hotel.id}/history"
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def test_history_finds_a_guest_without_diacritics_or_by_document_number(
    desk, hotel, owner, db_session
):
    declare(db_session, hotel, stay_input(citizen()), by=owner)
    declare(db_session, hotel, stay_input(foreigner(), room="102"), by=owner)

    by_name = text(search_history(desk, hotel, q="nguyen thi anh"))
    assert "1 guest found" in by_name
    assert "Nguyễn Thị Ánh" in by_name
    assert "KIM MIN-JUN" not in by_name

    by_number = text(search_history(desk, hotel, q="m12345678"))
    assert "KIM MIN-JUN" in by_number
    assert "Nguyễn Thị Ánh" not in by_number

    today = utcnow().astimezone(VIETNAM).date()
    too_early = text(search_history(desk, hotel, to=(today - dt.timedelta(days=5)).isoformat()))
    assert "0 guests found" in too_early


def test_history_pages_by_fifty(desk, hotel, owner, db_session):
    for _ in range(51):
        declare(db_session, hotel, by=owner)
    first = text(desk.get(f"/en/desk/{hotel.id}/history"))
    assert "51 guests found" in first
    assert first.count("Nguyễn Thị Ánh</a>") == 50
    second = text(search_history(desk, hotel, q="anh", page=2))
    assert second.count("Nguyễn Thị Ánh</a>") == 1
    assert 'name="q" value="anh"' in second  # the pager posts the search again


def test_a_long_stay_is_flagged_as_temporary_residence(desk, hotel, owner, db_session):
    far = utcnow().astimezone(VIETNAM).date() + dt.timedelta(days=40)
    stay = declare(db_session, hotel, stay_input(expected_departure=far), by=owner)
    page = text(desk.get(f"/en/desk/stays/{stay.id}"))
    assert "this is a temporary residence, not a stay" in page


def test_another_establishments_owner_gets_404_on_every_page(client, db_session, hotel, stay):
    stranger = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    token = csrf_token(client, "/en/desk/")
    pages = [
        ("GET", f"/en/desk/?establishment={hotel.id}"),
        ("GET", f"/en/desk/{hotel.id}/stays/new"),
        ("POST", f"/en/desk/{hotel.id}/stays/new"),
        ("GET", f"/en/desk/{hotel.id}/history"),
        ("POST", f"/en/desk/{hotel.id}/history"),
        ("GET", f"/en/desk/stays/{stay.id}"),
        ("GET", f"/en/desk/stays/{stay.id}/edit"),
        ("POST", f"/en/desk/stays/{stay.id}/edit"),
        ("POST", f"/en/desk/stays/{stay.id}/check-out"),
        ("POST", f"/en/desk/stays/{stay.id}/departure"),
        ("POST", f"/en/desk/stays/{stay.id}/room"),
        ("GET", f"/en/desk/stays/{stay.id}/cancel"),
        ("POST", f"/en/desk/stays/{stay.id}/cancel"),
    ]
    for method, path in pages:
        response = client.open(path, method=method, data={"csrf_token": token, "reason": "x"})
        assert response.status_code == 404, (method, path)
        assert "Nguyễn Thị Ánh" not in text(response)
    assert status_of(db_session, stay) is StayStatus.IN_HOUSE
    assert len(stay.events) == 1
