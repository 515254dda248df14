"""Every date and name a stay carries is bounded, at the desk, on the poster and in the API.

The longest stay is 730 nights; an arrival is from 730 nights ago to 30 minutes ahead;
times at Python's edges are refused on their field; names with controls, direction
overrides or nothing visible are refused on their field.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import local_now
from lodging.registration.models import Guest, Stay
from lodging.registration.stay_dates import MAX_STAY_NIGHTS
from tests.factories import csrf_token, declare, log_in
from tests.lodging.registration.test_api import (
    PROBLEM,
    bearer,
    citizen_json,
    foreigner_json,
    now_in_vietnam,
    stay_json,
)
from tests.lodging.registration.test_api import declare as post_stay
from tests.lodging.registration.test_desk import FAMILY, new_url, the_form
from tests.lodging.registration.test_self_checkin import korean_guest, send

EDGES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]
CALENDAR = "Enter a date from 1900-01-01 to 2199-12-31."
TOO_LONG = f"A stay is declared for at most {MAX_STAY_NIGHTS} nights"
TOO_LONG_VI = f"Lưu trú chỉ được khai báo tối đa {MAX_STAY_NIGHTS} đêm"
SINGLE = FAMILY[0] | {"role": "single"}
UNSAFE_NAMES = ["Nguyễn\x00Văn", "\u202eNguyễn", "\ufeff", "Nguyễn\r\nVăn"]


def stays(session) -> int:
    return int(session.scalar(select(func.count()).select_from(Stay)))


def departure_after(nights: int) -> str:
    return (now_in_vietnam().date() + dt.timedelta(days=nights)).isoformat()


@pytest.fixture
def auth(db_session, owner):
    return bearer(db_session, owner)


def refused(response, path: str) -> str:
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    errors = response.get_json()["errors"]
    assert path in errors, errors
    return str(errors[path])


# The API


def _foreigner_with(**dates: str) -> dict[str, Any]:
    guest = foreigner_json()
    guest["foreigner"] |= dates
    return guest


@pytest.mark.parametrize(
    "case",
    [
        (stay_json(arrival=EDGES[0]), "arrival", CALENDAR),
        (stay_json(arrival=EDGES[1]), "arrival", CALENDAR),
        (stay_json(citizen_json(arrival=EDGES[0])), "guests[0].arrival", CALENDAR),
        (stay_json(citizen_json(arrival=EDGES[1])), "guests[0].arrival", CALENDAR),
        (stay_json(expected_departure="9999-12-31"), "expected_departure", CALENDAR),
        (
            stay_json(expected_departure=departure_after(MAX_STAY_NIGHTS + 1)),
            "expected_departure",
            TOO_LONG,
        ),
        (
            stay_json(arrival=(now_in_vietnam() - dt.timedelta(days=800)).isoformat()),
            "arrival",
            "more than 730 nights ago",
        ),
        (stay_json(citizen_json(birth_date="0001-01-01")), "guests[0].birth_date", CALENDAR),
        (
            stay_json(citizen_json(document_expiry="9999-12-31")),
            "guests[0].document_expiry",
            CALENDAR,
        ),
        (
            stay_json(_foreigner_with(entry_date="1901-01-01")),
            "guests[0].foreigner.entry_date",
            "Check the entry date",
        ),
        (
            stay_json(_foreigner_with(visa_valid_until="2199-01-01")),
            "guests[0].foreigner.visa_valid_until",
            "more than 10 years",
        ),
        (
            stay_json(foreigner_json(document_expiry="2150-01-01")),
            "guests[0].document_expiry",
            "more than 25 years",
        ),
    ],
    ids=[
        "arrival-max",
        "arrival-min",
        "guest-arrival-max",
        "guest-arrival-min",
        "departure-9999",
        "731-nights",
        "arrival-800-days-ago",
        "birth-year-1",
        "expiry-9999",
        "entry-1901",
        "visa-2199",
        "passport-2150",
    ],
)
def test_dates_beyond_the_limits_are_422_on_their_field(client, db_session, hotel, auth, case):
    body, path, message = case
    assert message in refused(post_stay(client, hotel, auth, body), path)
    assert stays(db_session) == 0


def test_the_longest_stay_is_accepted(client, db_session, hotel, auth):
    body = stay_json(expected_departure=departure_after(MAX_STAY_NIGHTS))
    response = post_stay(client, hotel, auth, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["long_stay"] is True


def test_the_length_limit_is_explained_in_the_clients_language(client, db_session, hotel, owner):
    auth = bearer(db_session, owner, lang="vi")
    body = stay_json(expected_departure=departure_after(MAX_STAY_NIGHTS + 1))
    assert TOO_LONG_VI in refused(post_stay(client, hotel, auth, body), "expected_departure")


@pytest.fixture
def stay_id(client, hotel, auth) -> int:
    return int(post_stay(client, hotel, auth).get_json()["id"])


@pytest.mark.parametrize(
    "case",
    [
        ({"arrival": EDGES[0]}, "arrival", CALENDAR),
        ({"arrival": EDGES[1]}, "arrival", CALENDAR),
        ({"expected_departure": "9999-12-31"}, "expected_departure", CALENDAR),
        (
            {"expected_departure": departure_after(MAX_STAY_NIGHTS + 2)},
            "expected_departure",
            TOO_LONG,
        ),
        (
            {"arrival": (now_in_vietnam() + dt.timedelta(days=3)).isoformat()},
            "arrival",
            "The arrival is in the future",
        ),
        ({"guests": [{"full_name": "Nguyễn\x00Văn"}]}, "guests[0].full_name", "U+0000"),
        ({"guests": [{"birth_date": "0001-01-01"}]}, "guests[0].birth_date", CALENDAR),
    ],
    ids=["arrival-max", "arrival-min", "departure-9999", "too-long", "future", "nul", "birth"],
)
def test_a_correction_beyond_the_limits_is_422_on_its_field(client, auth, stay_id, case):
    patch, path, message = case
    response = client.patch(f"/api/v1/stays/{stay_id}", json=patch, headers=auth)
    assert message in refused(response, path)


@pytest.mark.parametrize("edge", EDGES)
def test_a_check_out_at_the_edge_of_time_is_422(client, auth, stay_id, edge):
    response = client.post(
        f"/api/v1/stays/{stay_id}/checkout", json={"departure": edge}, headers=auth
    )
    assert CALENDAR in refused(response, "departure")


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_a_name_with_hidden_characters_is_422_and_nothing_reaches_the_police(
    client, db_session, hotel, auth, name
):
    response = post_stay(client, hotel, auth, stay_json(citizen_json(full_name=name)))
    refused(response, "guests[0].full_name")
    assert stays(db_session) == 0


def test_other_reported_text_is_checked_too(client, db_session, hotel, auth):
    guest = _foreigner_with(entry_port="Nội Bài\u202e", visa_issuer="Cục\x00")
    guest["relationship"] = "vợ\r\n"
    guest["role"] = "member"
    body = stay_json(citizen_json(role="head"), guest)
    errors = post_stay(client, hotel, auth, body).get_json()["errors"]
    assert {
        "guests[1].relationship",
        "guests[1].foreigner.entry_port",
        "guests[1].foreigner.visa_issuer",
    } <= set(errors)


def test_a_name_typed_decomposed_is_stored_composed(client, db_session, hotel, auth):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 A\u0301nh"
    response = post_stay(client, hotel, auth, stay_json(citizen_json(full_name=decomposed)))
    assert response.status_code == 201, response.get_json()
    assert db_session.scalar(select(Guest.full_name)) == "Nguyễn Thị Ánh"


# The desk


@pytest.fixture
def desk(client, owner):
    log_in(client, owner.email)
    return client


def desk_page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(("lang", "message"), [("en", TOO_LONG), ("vi", TOO_LONG_VI)])
def test_the_desk_refuses_a_stay_longer_than_the_limit_in_its_language(
    desk, db_session, hotel, lang, message
):
    data = the_form(desk, hotel, SINGLE, submit="Declare")
    data["expected_departure"] = departure_after(MAX_STAY_NIGHTS + 1)
    page = desk_page(desk.post(new_url(hotel, lang), data=data))
    assert re.search(r'id="expected_departure-error">' + re.escape(message), page), page[:300]
    assert stays(db_session) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("arrival_date", "0001-01-01"), ("expected_departure", "9999-12-31")],
)
def test_the_desk_refuses_dates_at_the_edge_on_their_field(desk, db_session, hotel, field, value):
    data = the_form(desk, hotel, SINGLE, submit="Declare", **{field: value})
    response = desk.post(new_url(hotel), data=data)
    assert response.status_code == 200
    assert re.search(rf'id="{field}-error">{re.escape(CALENDAR)}', desk_page(response))
    assert stays(db_session) == 0


def test_the_desk_refuses_a_tampered_late_arrival_at_the_edge(desk, db_session, hotel):
    guest = SINGLE | {"arrival": EDGES[1]}
    response = desk.post(new_url(hotel), data=the_form(desk, hotel, guest, submit="Declare"))
    assert response.status_code == 200
    assert stays(db_session) == 0


@pytest.mark.parametrize(
    ("lang", "message"),
    [("en", "reverses the text's direction"), ("vi", "đảo chiều")],
)
def test_the_desk_refuses_a_direction_override_in_a_name(desk, db_session, hotel, lang, message):
    data = the_form(desk, hotel, SINGLE | {"full_name": "\u202eNguyễn Văn Hùng"}, submit="Declare")
    page = desk_page(desk.post(new_url(hotel, lang), data=data))
    assert re.search(r'id="guests-0-full_name-error">[^<]*' + re.escape(message), page)
    assert stays(db_session) == 0


def _change(client, stay, action: str, prefix: str, lang: str = "en", **fields: str):
    token = csrf_token(client, f"/{lang}/desk/stays/{stay.id}")
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = token
    return client.post(f"/{lang}/desk/stays/{stay.id}/{action}", data=data)


@pytest.mark.parametrize("case", [("en", TOO_LONG), ("vi", TOO_LONG_VI)])
def test_an_extension_beyond_the_limit_is_refused(desk, db_session, hotel, owner, case):
    lang, message = case
    stay = declare(db_session, hotel, by=owner)
    later = departure_after(MAX_STAY_NIGHTS + 1)
    response = _change(desk, stay, "departure", "departure", lang, expected_departure=later)
    assert message in desk_page(response)
    db_session.refresh(stay)
    assert (stay.expected_departure - local_now().date()).days < MAX_STAY_NIGHTS


def test_a_check_out_at_the_edge_is_refused_on_the_date(desk, db_session, hotel, owner):
    stay = declare(db_session, hotel, by=owner)
    response = _change(
        desk, stay, "check-out", "checkout", departure_date="0001-01-01", departure_time="00:00"
    )
    assert re.search(
        r'id="checkout-departure_date-error">' + re.escape(CALENDAR), desk_page(response)
    )


def test_a_cancellation_reason_with_controls_is_refused(desk, db_session, hotel, owner):
    stay = declare(db_session, hotel, by=owner)
    path = f"/en/desk/stays/{stay.id}/cancel"
    data = {"csrf_token": csrf_token(desk, path), "reason": "khai\x00 trùng"}
    response = desk.post(path, data=data)
    assert "U+0000" in desk_page(response)
    db_session.refresh(stay)
    assert stay.status.value == "in_house"


# The poster's self check-in, reached without signing in


@pytest.mark.parametrize(("lang", "message"), [("en", TOO_LONG), ("vi", TOO_LONG_VI)])
def test_self_check_in_refuses_a_stay_longer_than_the_limit(
    client, db_session, hotel, lang, message
):
    path = f"/{lang}/checkin/{hotel.checkin_token}"
    response = send(
        client, path, korean_guest(expected_departure=departure_after(MAX_STAY_NIGHTS + 1))
    )
    assert response.status_code == 200
    assert message in desk_page(response)
    assert stays(db_session) == 0


@pytest.mark.parametrize(
    "case",
    [
        ("expected_departure", "9999-12-31", CALENDAR),
        ("birth_date", "0001-01-01", CALENDAR),
        ("entry_date", "0001-01-01", CALENDAR),
        ("full_name", "KIM\x00MIN-JUN", "U+0000"),
        ("full_name", "\u202eKIM MIN-JUN", "reverses"),
    ],
)
def test_self_check_in_refuses_edge_dates_and_hidden_characters(client, db_session, hotel, case):
    field, value, message = case
    response = send(client, f"/en/checkin/{hotel.checkin_token}", korean_guest(**{field: value}))
    assert response.status_code == 200
    assert message in desk_page(response)
    assert stays(db_session) == 0
