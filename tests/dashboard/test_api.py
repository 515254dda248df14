"""``/api/v1/statistics``: the IOC's and the department's aggregates, owners' own figures."""

from __future__ import annotations

import pytest

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from tests.dashboard.conftest import Province
from tests.factories import declare, make_user

ROW_KEYS = {
    "period",
    "group",
    "arrivals",
    "nights",
    "rooms_available",
    "rooms_occupied",
    "bed_places_available",
    "net_room_occupancy",
    "net_bed_occupancy",
    "average_stay",
}


def bearer(db_session, user) -> dict[str, str]:
    token = accounts.create_api_token(db_session, user, "ioc", utcnow())
    db_session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_occupancy_by_commune_for_the_department(client, db_session, province: Province):
    args = {**province.month_args, "group_by": "commune"}
    answer = client.get(
        "/api/v1/statistics/occupancy",
        query_string=args,
        headers=bearer(db_session, province.officer),
    )
    assert answer.status_code == 200
    (row,) = answer.json["rows"]
    assert set(row) >= ROW_KEYS
    assert row["period"] == province.month.strftime("%Y-%m")
    assert row["group"] == province.a.commune_code
    assert (row["arrivals"], row["nights"], row["rooms_occupied"]) == (6, 13, 6)
    assert row["net_room_occupancy"] == pytest.approx(100 * 6 / row["rooms_available"], abs=0.05)
    assert row["net_bed_occupancy"] == pytest.approx(
        100 * 13 / row["bed_places_available"], abs=0.05
    )
    assert row["suppressed"] is False


def test_small_groups_are_suppressed_for_the_department(client, db_session, province: Province):
    args = {**province.month_args, "group_by": "residence_country"}
    answer = client.get(
        "/api/v1/statistics/occupancy",
        query_string=args,
        headers=bearer(db_session, province.officer),
    )
    rows = {row["group"]: row for row in answer.json["rows"]}
    assert rows["KR"]["suppressed"] is True
    assert rows["KR"]["nights"] is None
    assert rows["VN"]["suppressed"] is True  # four Vietnamese guests in all: still fewer than 5
    assert rows["VN"]["arrivals"] is None


def test_an_owner_token_sees_only_its_own_establishments(client, db_session, province: Province):
    answer = client.get(
        "/api/v1/statistics/occupancy",
        query_string=province.month_args,
        headers=bearer(db_session, province.owner),
    )
    (row,) = answer.json["rows"]
    assert (row["arrivals"], row["nights"]) == (5, 11)  # A only, not suppressed
    assert row["rooms_available"] % 3 == 0  # A's three rooms, not B's as well
    days = row["rooms_available"] // 3
    assert 28 <= days <= 31


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"period": "week"}, "period"),
        ({"group_by": "guest"}, "group_by"),
        ({"from": "2026-05-01", "to": "2026-04-01"}, "to"),
        ({"from": "2020-01-01", "to": "2026-01-01", "period": "day"}, "to"),
    ],
)
def test_bad_parameters_answer_400_problem(client, db_session, province, args, field):
    answer = client.get(
        "/api/v1/statistics/occupancy",
        query_string=args,
        headers=bearer(db_session, province.officer),
    )
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert field in answer.json["errors"]


def test_now_counts_guests_in_the_house_by_commune(client, db_session, province: Province):
    declare(db_session, province.a, by=province.owner)  # one guest, arrived an hour ago
    officer = client.get("/api/v1/statistics/now", headers=bearer(db_session, province.officer))
    (row,) = officer.json["rows"]
    assert row["commune_code"] == province.a.commune_code
    assert row["suppressed"] is True
    assert row["guests_present"] is None
    owner = client.get("/api/v1/statistics/now", headers=bearer(db_session, province.owner))
    (own,) = owner.json["rows"]
    assert (own["guests_present"], own["arrivals"]) == (1, 1)


def test_tourists_and_police_tokens_are_refused(client, db_session, province):
    for role in (Role.TOURIST, Role.POLICE):
        headers = bearer(db_session, make_user(db_session, role))
        assert client.get("/api/v1/statistics/now", headers=headers).status_code == 403


def test_statistics_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/statistics/occupancy" in paths
    parameters = {p["name"] for p in paths["/api/v1/statistics/occupancy"]["get"]["parameters"]}
    assert {"from", "to", "period", "group_by"} <= parameters
