"""The public and the hotel software read establishments over the API."""

from __future__ import annotations

import pytest

from core.auth.roles import Role
from core.auth.services import create_api_token
from core.clock import utcnow
from tests.factories import make_establishment, make_user

PROBLEM = "application/problem+json"


def bearer(session, user) -> dict[str, str]:
    token = create_api_token(session, user, "PMS", utcnow())
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hotel(db_session, owner):
    return make_establishment(db_session, owner=owner, rooms=("101", "102"))


@pytest.fixture
def pending(db_session, owner):
    return make_establishment(db_session, owner=owner, approved=False, name="Homestay Chờ Duyệt")


def test_anonymous_callers_see_only_approved_establishments(client, hotel, pending):
    listed = client.get("/api/v1/establishments").get_json()
    assert [e["id"] for e in listed] == [hotel.id]
    assert listed[0] == {
        "id": hotel.id,
        "name": hotel.name,
        "kind": "hotel",
        "stars": 3,
        "province": "Quảng Ninh",
        "commune": "Phường Bãi Cháy",
        "street_address": hotel.street_address,
        "latitude": 20.9533,
        "longitude": 107.0433,
    }


def test_owner_token_lists_the_owners_own_establishments_even_pending(
    client, db_session, owner, hotel, pending
):
    make_establishment(db_session, owner=make_user(db_session, Role.LODGING_OWNER))
    listed = client.get("/api/v1/establishments", headers=bearer(db_session, owner)).get_json()
    assert sorted(e["id"] for e in listed) == sorted([hotel.id, pending.id])


def test_staff_see_the_rooms_of_their_establishment(client, db_session):
    staff = make_user(db_session, Role.LODGING_STAFF)
    workplace = make_establishment(db_session, staff=(staff,))
    headers = bearer(db_session, staff)
    detail = client.get(f"/api/v1/establishments/{workplace.id}", headers=headers)
    assert detail.get_json()["rooms"] == [
        {"number": "101", "room_type": "Double", "bed_places": 2},
        {"number": "102", "room_type": "Double", "bed_places": 2},
        {"number": "201", "room_type": "Double", "bed_places": 2},
    ]


def test_rooms_are_shown_only_to_the_establishments_own_people(client, db_session, owner, hotel):
    mine = client.get(f"/api/v1/establishments/{hotel.id}", headers=bearer(db_session, owner))
    assert [room["number"] for room in mine.get_json()["rooms"]] == ["101", "102"]
    stranger = make_user(db_session, Role.LODGING_OWNER)
    for headers in ({}, bearer(db_session, stranger)):
        public = client.get(f"/api/v1/establishments/{hotel.id}", headers=headers)
        assert public.status_code == 200
        assert public.get_json()["name"] == hotel.name
        assert "rooms" not in public.get_json()


def test_an_establishment_not_approved_is_404_to_everyone_else(client, db_session, owner, pending):
    stranger = make_user(db_session, Role.LODGING_OWNER)
    for headers in ({}, bearer(db_session, stranger)):
        response = client.get(f"/api/v1/establishments/{pending.id}", headers=headers)
        assert response.status_code == 404
        assert response.mimetype == PROBLEM
        assert pending.name not in response.get_data(as_text=True)
    own = client.get(f"/api/v1/establishments/{pending.id}", headers=bearer(db_session, owner))
    assert own.get_json()["name"] == "Homestay Chờ Duyệt"


def test_unknown_establishment_is_404(client, hotel):
    assert client.get(f"/api/v1/establishments/{hotel.id + 1000}").status_code == 404


def test_openapi_document_lists_the_establishment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/api/v1/establishments"]
    assert "get" in paths["/api/v1/establishments/{id}"]
