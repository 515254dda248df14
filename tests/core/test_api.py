import hashlib

import pytest
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, Field
from sqlalchemy import event, select

from core.api import API_PREFIX, field_path
from core.auth import services
from core.auth.models import ApiToken
from core.auth.roles import Role
from core.clock import utcnow
from portal import create_app
from tests.factories import make_user

PROBLEM = "application/problem+json"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_describes_the_api(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/health" in document["paths"]
    assert "/api/v1/me" in document["paths"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_health_reports_the_database_and_the_search_backend(client, app):
    body = client.get("/api/v1/health").get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["engine"] in {"sqlite", "postgresql"}
    assert body["checks"]["search"]["backend"] == "embedded-sqlite-fts5"


def test_token_is_shown_once_and_stored_only_as_a_hash(client, db_session):
    user = make_user(db_session, Role.LODGING_OWNER)
    token = services.create_api_token(db_session, user, "front desk PMS", utcnow())
    db_session.commit()
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (stored.token_hash, stored.prefix)
    response = client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "role": "lodging_owner",
    }


def test_missing_token_is_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_or_revoked_token_is_401(client, db_session):
    user = make_user(db_session)
    token = services.create_api_token(db_session, user, "old", utcnow())
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    stored.revoked_at = utcnow()
    db_session.commit()
    for candidate in (token, "stp_made-up"):
        response = client.get("/api/v1/me", headers=bearer(candidate) | {"Accept-Language": "en"})
        assert response.status_code == 401
        assert response.get_json()["title"] == "Invalid token"


def test_api_errors_are_problems_in_the_requests_language(client):
    response = client.get("/api/v1/nothing-here", headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 404


@pytest.mark.parametrize(
    ("loc", "path"),
    [(("guests", 0, "document_number"), "guests[0].document_number"), ((), "body"), (("q",), "q")],
)
def test_field_paths_name_the_field_as_clients_write_it(loc, path):
    assert field_path(loc) == path


class _Booking(BaseModel):
    guests: int = Field(ge=1, le=20)
    name: str = Field(min_length=2)


@pytest.fixture
def app_with_echo(settings):
    """The real app plus one endpoint with a body model, to see validation answers."""
    app = create_app(settings)
    echo = APIBlueprint("echo", __name__, url_prefix=API_PREFIX)

    @echo.post("/echo")
    def echo_body(body: _Booking):
        return body.model_dump()

    app.register_api(echo)
    return app


def test_invalid_body_is_422_with_a_message_per_field(app_with_echo):
    client = app_with_echo.test_client()
    response = client.post("/api/v1/echo", json={"guests": 0}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert response.get_json()["errors"] == {
        "guests": "Enter a value of at least 1.",
        "name": "This field is required.",
    }


def test_validation_messages_follow_accept_language(app_with_echo):
    client = app_with_echo.test_client()
    response = client.post("/api/v1/echo", json={"guests": 0}, headers={"Accept-Language": "vi"})
    errors = response.get_json()["errors"]
    assert errors["name"] != "This field is required."  # translated
    assert "1" in errors["guests"]


def test_malformed_json_is_a_clear_422(app_with_echo):
    client = app_with_echo.test_client()
    response = client.post(
        "/api/v1/echo", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]


def _commits(session):
    """A list that grows by one on every commit of ``session`` (the request's)."""
    commits = []
    event.listen(session, "after_commit", lambda _session: commits.append(1))
    return commits


def test_a_read_keeps_the_tokens_last_use_in_one_commit(client, db_session):
    user = make_user(db_session, Role.LODGING_OWNER)
    token = services.create_api_token(db_session, user, "front desk PMS", utcnow())
    db_session.commit()
    commits = _commits(db_session)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert len(commits) == 1
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.last_used_at is not None
