"""Ids beyond what a database key holds: 404 in a path, 422 in a body, never a 500."""

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from core.ids import MAX_ROW_ID, RowIdConverter, digits_up_to, row_id
from tests.factories import csrf_token, log_in, make_establishment, make_user

HUGE = 2**64 + 1
# One past the largest key, as long as it: refused by the route, not by the view.
BEYOND = (HUGE, MAX_ROW_ID + 1)
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _id_rules(app) -> list[Rule]:
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if any(isinstance(c, NumberConverter) for c in rule._converters.values())
    ]
    assert len(rules) > 20  # every page and API route with an id
    return rules


def _path(rule: Rule, number: int) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if isinstance(rule._converters[name], NumberConverter):
            return str(number)
        return "en" if name == "lang" else "x"

    return _ARGUMENT.sub(value, rule.rule)


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_every_int_in_a_route_is_a_bounded_row_id(app):
    for rule in _id_rules(app):
        for converter in rule._converters.values():
            if isinstance(converter, NumberConverter):
                assert isinstance(converter, RowIdConverter), rule.rule


def test_every_page_with_an_id_beyond_the_largest_key_is_404(app, client, db_session):
    admin = make_user(db_session, Role.ADMIN)
    log_in(client, admin.email)
    token = csrf_token(client, "/en/admin/users/")
    for rule in _id_rules(app):
        if rule.rule.startswith("/api/"):
            continue
        for method, number in itertools.product(_methods(rule), BEYOND):
            path = _path(rule, number)
            response = client.open(path, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (method, path, response.status_code)


def test_every_api_call_with_an_id_beyond_the_largest_key_is_404(app, client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    token = accounts.create_api_token(db_session, owner, "PMS", utcnow())
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for rule in _id_rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        for method, number in itertools.product(_methods(rule), BEYOND):
            path = _path(rule, number)
            response = client.open(path, method=method, json={}, headers=headers)
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.mimetype == "application/problem+json"


def test_the_largest_key_still_reaches_the_view(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=owner)
    log_in(client, owner.email)
    for path in (f"/en/lodgings/{MAX_ROW_ID}", f"/en/desk/stays/{MAX_ROW_ID}"):
        assert client.get(path).status_code == 404, path
    by_view = client.get(f"/api/v1/establishments/{MAX_ROW_ID}")
    by_router = client.get(f"/api/v1/establishments/{MAX_ROW_ID + 1}")
    assert by_view.status_code == by_router.status_code == 404
    assert by_view.get_json()["detail"] != by_router.get_json()["detail"]


def test_a_huge_rate_plan_in_a_booking_is_422_on_that_field(client):
    body = {
        "rate_plan_id": HUGE,
        "arrival": "2031-05-01",
        "departure": "2031-05-03",
        "name": "Nguyễn Văn An",
        "email": "an@example.com",
    }
    response = client.post("/api/v1/bookings", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"rate_plan_id"}


def test_the_openapi_document_states_the_range_of_every_id(client):
    document = client.get("/api/v1/openapi.json").get_json()
    ids = [
        parameter["schema"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]
    assert len(ids) >= 6
    assert all(schema["minimum"] == 1 and schema["maximum"] == MAX_ROW_ID for schema in ids)


@pytest.mark.parametrize("path", ["/en/lodgings/book?plan={n}", "/en/desk/?establishment={n}"])
def test_a_huge_id_in_a_query_string_is_no_500(client, db_session, path):
    owner = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=owner)
    log_in(client, owner.email)
    response = client.get(path.format(n=HUGE))
    assert response.status_code < 500


def test_a_huge_commune_in_the_statistics_filters_is_a_message(client, db_session):
    officer = make_user(db_session, Role.TOURISM_OFFICER)
    token = accounts.create_api_token(db_session, officer, "IOC", utcnow())
    db_session.commit()
    response = client.get(
        f"/api/v1/statistics/occupancy?commune={HUGE}",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
    )
    assert 400 <= response.status_code < 500
    assert "commune" in response.get_json()["errors"]


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "١٢", str(MAX_ROW_ID + 1), "9" * 5000, ""])
def test_row_id_refuses_what_names_no_row(raw):
    with pytest.raises(ValueError, match=r".*"):
        row_id(raw)


def test_row_id_reads_the_digits_of_a_key():
    assert row_id(" 42 ") == 42
    assert row_id(str(MAX_ROW_ID)) == MAX_ROW_ID


@given(
    st.integers(min_value=0, max_value=2**66) | st.integers(MAX_ROW_ID - 10**4, MAX_ROW_ID + 10**4)
)
def test_the_route_pattern_matches_exactly_the_keys(number):
    matches = re.fullmatch(digits_up_to(MAX_ROW_ID), str(number)) is not None
    assert matches == (1 <= number <= MAX_ROW_ID)
