"""The police workspace's pages: the area and nothing else, searches on the record."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.roles import Role
from tests.factories import PASSWORD, csrf_token, declare, log_in, make_establishment, make_user
from tests.police.conftest import SA_PA_GUEST


def _audit(db_session, action):
    return list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_police_land_on_their_workspace_after_signing_in(client, officer):
    token = csrf_token(client, "/en/login")
    response = client.post(
        "/en/login", data={"email": officer.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/en/police/"
    page = client.get("/en/police/").get_data(as_text=True)
    assert "Phường Bãi Cháy, Quảng Ninh" in page
    assert 'href="/en/police/"' in page  # the header's work link


def test_others_get_403(client, db_session, owner):
    log_in(client, owner.email)
    assert client.get("/en/police/").status_code == 403


def test_the_officer_sees_bai_chay_guests_and_not_sa_pa(client, officer, bai_chay_stay, sa_pa_stay):
    log_in(client, officer.email)
    page = client.get("/en/police/guests").get_data(as_text=True)
    assert "Nguyễn Thị Ánh" in page
    assert SA_PA_GUEST["full_name"] not in page
    places = client.get("/en/police/establishments").get_data(as_text=True)
    assert "Khách sạn Sóng Biển" in places
    assert "Mây Trắng" not in places


def test_a_sa_pa_stay_is_404_on_every_page(client, officer, sa_pa_stay):
    log_in(client, officer.email)
    assert client.get(f"/en/police/stays/{sa_pa_stay.id}").status_code == 404
    token = csrf_token(client, "/en/police/search")
    for action in ("receipt", "rejection"):
        response = client.post(
            f"/en/police/stays/{sa_pa_stay.id}/{action}", data={"csrf_token": token}
        )
        assert response.status_code == 404


def _search(client, **fields):
    token = csrf_token(client, "/en/police/search")
    return client.post("/en/police/search", data={"csrf_token": token, **fields})


def test_search_by_cccd_needs_a_reason_and_is_audited(client, db_session, officer, bai_chay_stay):
    log_in(client, officer.email)
    refused = _search(client, document_number="001190012345")
    assert "State the reason for the search." in refused.get_data(as_text=True)
    assert not _audit(db_session, "police.search")

    found = _search(client, document_number="0011 9001 2345", reason="Case 17/2026")
    page = found.get_data(as_text=True)
    assert "1 guest found" in page
    assert "Nguyễn Thị Ánh" in page
    (entry,) = _audit(db_session, "police.search")
    assert entry.detail["reason"] == "Case 17/2026"
    assert entry.detail["criteria"] == "document_number"
    assert entry.detail["guest_ids"] == [bai_chay_stay.guests[0].id]
    assert "001190012345" not in str(entry.detail)


def test_search_finds_nobody_outside_the_area(client, officer, sa_pa_stay):
    log_in(client, officer.email)
    page = _search(client, document_number=SA_PA_GUEST["document_number"], reason="check")
    assert "0 guests found" in page.get_data(as_text=True)


def test_search_by_name_and_birth_date_without_diacritics(client, officer, bai_chay_stay):
    log_in(client, officer.email)
    page = _search(
        client, full_name="nguyen thi anh", birth_date="1990-03-14", reason="request 42"
    ).get_data(as_text=True)
    assert "1 guest found" in page
    wrong_day = _search(
        client, full_name="Nguyễn Thị Ánh", birth_date="1990-03-15", reason="request 42"
    ).get_data(as_text=True)
    assert "0 guests found" in wrong_day


def test_opening_a_guest_from_a_search_keeps_its_reason(client, db_session, officer, bai_chay_stay):
    log_in(client, officer.email)
    _search(client, document_number="001190012345", reason="Case 17/2026")
    assert client.get(f"/en/police/stays/{bai_chay_stay.id}?from=search").status_code == 200
    (entry,) = _audit(db_session, "police.stay_view")
    assert entry.detail["reason"] == "Case 17/2026"
    assert entry.target_id == str(bai_chay_stay.id)


def test_a_ward_officer_does_not_see_the_next_ward_but_the_province_does(
    client, db_session, officer, bai_chay_stay
):
    ha_long = make_establishment(db_session, name="Khách sạn Hạ Long", commune="Hạ Long")
    declare(db_session, ha_long)
    log_in(client, officer.email)
    assert "Khách sạn Hạ Long" not in client.get("/en/police/establishments").get_data(as_text=True)
    client.post("/en/logout")
    province = make_user(db_session, Role.POLICE)  # Quảng Ninh's police, no commune
    log_in(client, province.email)
    page = client.get("/en/police/establishments").get_data(as_text=True)
    assert "Khách sạn Hạ Long" in page
    assert "Khách sạn Sóng Biển" in page


def test_every_working_role_lands_on_its_work_after_signing_in(client, db_session):
    landings = {
        Role.LODGING_OWNER: "/en/desk/",
        Role.LODGING_STAFF: "/en/desk/",
        Role.TOURISM_OFFICER: "/en/dashboard/",
        Role.TOURIST: "/en/account",
    }
    for role, landing in landings.items():
        user = make_user(db_session, role)
        token = csrf_token(client, "/en/login")
        response = client.post(
            "/en/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert (role, response.headers["Location"]) == (role, landing)
        client.post("/en/logout", data={"csrf_token": csrf_token(client, "/en/account")})
