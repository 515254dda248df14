"""JSON bodies: too deep is a 400 that says so, too large a 413, on every endpoint."""

import json

import pytest
from flask import request

from core.api import MAX_API_BODY
from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from core.json_bodies import MAX_JSON_DEPTH, JSONTooDeepError, nesting_depth
from tests.factories import make_establishment, make_user

PROBLEM = "application/problem+json"
ENGLISH = {"Accept-Language": "en"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def owner_headers(db_session) -> tuple[dict[str, str], int]:
    owner = make_user(db_session, Role.LODGING_OWNER)
    establishment = make_establishment(db_session, owner=owner)
    token = accounts.create_api_token(db_session, owner, "PMS", utcnow())
    db_session.commit()
    return {"Authorization": f"Bearer {token}"} | ENGLISH, establishment.id


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_deep_json_to_the_public_booking_api_is_a_400_that_says_why(client, depth):
    response = client.post(
        "/api/v1/bookings", data=nested(depth), content_type="application/json", headers=ENGLISH
    )
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert "nested too deeply" in response.get_json()["detail"]


def test_deep_json_inside_an_object_is_refused_too(client):
    body = '{"name": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}"
    response = client.post(
        "/api/v1/bookings", data=body, content_type="application/json", headers=ENGLISH
    )
    assert response.status_code == 400


def test_deep_json_to_the_stays_api_is_a_400(client, db_session):
    headers, establishment_id = owner_headers(db_session)
    for method, path in (
        ("POST", f"/api/v1/establishments/{establishment_id}/stays"),
        ("PATCH", "/api/v1/stays/1"),
    ):
        response = client.open(
            path, method=method, data=nested(1000), content_type="application/json", headers=headers
        )
        assert response.status_code in {400, 404}, (path, response.status_code)
    response = client.post(
        f"/api/v1/establishments/{establishment_id}/stays",
        data=nested(1000),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400


def test_deep_json_is_in_the_readers_language(client):
    response = client.post(
        "/api/v1/bookings",
        data=nested(1000),
        content_type="application/json",
        headers={"Accept-Language": "vi"},
    )
    assert response.status_code == 400
    assert "nested too deeply" not in response.get_json()["detail"]


def test_json_as_deep_as_allowed_reaches_validation(client):
    body = json.dumps({"name": json.loads(nested(MAX_JSON_DEPTH - 1))})
    response = client.post(
        "/api/v1/bookings", data=body, content_type="application/json", headers=ENGLISH
    )
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]


def test_every_json_reader_refuses_deep_json_even_a_silent_one(app):
    """A view that reads JSON quietly (``silent=True`` gives None on bad JSON) gets the 400."""
    with (
        app.test_request_context(
            "/en/", method="POST", data=nested(1000), content_type="application/json"
        ),
        pytest.raises(JSONTooDeepError),
    ):
        request.get_json(silent=True)


def test_an_api_body_over_the_limit_is_413(client):
    body = json.dumps({"name": "x" * MAX_API_BODY})
    response = client.post(
        "/api/v1/bookings", data=body, content_type="application/json", headers=ENGLISH
    )
    assert response.status_code == 413
    assert response.mimetype == PROBLEM


def test_a_page_upload_over_the_limit_is_413(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit is not None
    response = client.post("/en/login", data=b"x" * (limit + 1), content_type="text/plain")
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("value", "depth"), [(1, 0), ([], 1), ({"a": [1, {"b": []}]}, 4), ([[], [[]]], 3)]
)
def test_nesting_depth_counts_arrays_and_objects(value, depth):
    assert nesting_depth(value) == depth
