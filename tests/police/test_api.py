"""``/api/v1/police``: the area only, a reason for every search, 404 outside."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.services import create_api_token
from core.clock import VIETNAM, utcnow
from tests.police.conftest import SA_PA_GUEST


def test_guests_present_are_the_areas_with_the_laws_fields(
    client, api_headers, bai_chay_stay, sa_pa_stay
):
    response = client.get("/api/v1/police/guests?present=true", headers=api_headers)
    assert response.status_code == 200
    (guest,) = response.get_json()["guests"]
    assert guest["full_name"] == "Nguyễn Thị Ánh"
    assert guest["document_number"] == "001190012345"
    assert guest["establishment_id"] == bai_chay_stay.establishment_id
    for key in (
        "birth_date",
        "nationality",
        "document_type",
        "room",
        "arrival",
        "expected_departure",
        "report_status",
    ):
        assert key in guest


def test_guests_by_date_and_a_bad_date(client, api_headers, bai_chay_stay):
    day = bai_chay_stay.guests[0].arrival.astimezone(VIETNAM).date()
    found = client.get(f"/api/v1/police/guests?date={day.isoformat()}", headers=api_headers)
    assert len(found.get_json()["guests"]) == 1
    assert (
        client.get("/api/v1/police/guests?date=2026-02-30", headers=api_headers).status_code == 400
    )


def test_establishments_are_the_areas(client, api_headers, bai_chay, sa_pa):
    names = [
        e["name"]
        for e in client.get("/api/v1/police/establishments", headers=api_headers).get_json()[
            "establishments"
        ]
    ]
    assert names == ["Khách sạn Sóng Biển"]


def test_a_search_needs_a_reason(client, db_session, api_headers, bai_chay_stay):
    body = {"document_number": "001190012345"}
    assert client.post("/api/v1/police/searches", json=body, headers=api_headers).status_code == 422
    blank = client.post(
        "/api/v1/police/searches", json=body | {"reason": "  "}, headers=api_headers
    )
    assert blank.status_code == 422
    found = client.post(
        "/api/v1/police/searches", json=body | {"reason": "Case 9"}, headers=api_headers
    )
    assert [g["full_name"] for g in found.get_json()["guests"]] == ["Nguyễn Thị Ánh"]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "police.search"))
    assert entry.detail["reason"] == "Case 9"


def test_a_search_by_name_and_birth_date(client, api_headers, bai_chay_stay, sa_pa_stay):
    body = {"full_name": "Lo Van Dung", "birth_date": "1979-03-12", "reason": "check"}
    found = client.post("/api/v1/police/searches", json=body, headers=api_headers)
    assert found.get_json()["guests"] == []  # Sa Pa's guest is not in the area


def test_outside_the_area_is_404(client, api_headers, sa_pa_stay):
    for action, body in (("receipt", None), ("rejection", {"errors": {"room": "x"}})):
        response = client.post(
            f"/api/v1/police/stays/{sa_pa_stay.id}/{action}", json=body, headers=api_headers
        )
        assert response.status_code == 404


def test_rejection_and_receipt(client, db_session, api_headers, bai_chay_stay):
    url = f"/api/v1/police/stays/{bai_chay_stay.id}"
    bad = client.post(
        f"{url}/rejection", json={"errors": {"guests[5].full_name": "x"}}, headers=api_headers
    )
    assert bad.status_code == 422
    unknown = client.post(f"{url}/rejection", json={"errors": {"colour": "x"}}, headers=api_headers)
    assert unknown.status_code == 422
    rejected = client.post(
        f"{url}/rejection", json={"errors": {"guests[0].full_name": "sai tên"}}, headers=api_headers
    )
    assert rejected.get_json()["report_status"] == "rejected"
    received = client.post(f"{url}/receipt", headers=api_headers)
    assert received.status_code == 200
    db_session.refresh(bai_chay_stay.guests[0])
    assert bai_chay_stay.guests[0].report_status == "delivered"


def test_other_roles_get_403(client, db_session, owner):
    token = create_api_token(db_session, owner, "pms", utcnow())
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/police/establishments", headers=headers).status_code == 403
    assert SA_PA_GUEST
