"""Officers publish their own unit's address for stay notices; admins set any unit's."""

from __future__ import annotations

from sqlalchemy import select

from core.audit import AuditEntry
from lodging.feeds.police_units import unit_email
from tests.factories import csrf_token, log_in

BAI_CHAY = "conganbaichay@example.gov.vn"


def _save(client, email, lang="en"):
    token = csrf_token(client, f"/{lang}/police/unit")
    return client.post(f"/{lang}/police/unit", data={"csrf_token": token, "email": email})


def test_an_officer_sets_the_address_of_their_own_unit_and_it_is_audited(
    client, db_session, officer
):
    log_in(client, officer.email)
    page = client.get("/en/police/unit").get_data(as_text=True)
    assert "Unit: police of Phường Bãi Cháy, Quảng Ninh." in page

    response = _save(client, f"  {BAI_CHAY} ")
    assert response.status_code == 302

    province, commune = officer.police_province_code, officer.police_commune_code
    assert unit_email(db_session, province, commune) == BAI_CHAY
    assert unit_email(db_session, province, None) is None  # the province's unit is not theirs
    (entry,) = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "police_unit.set_email")
    )
    assert (entry.actor_label, entry.detail["email"]) == (officer.email, BAI_CHAY)
    assert BAI_CHAY in client.get("/en/police/unit").get_data(as_text=True)


def test_a_wrong_address_is_explained_in_vietnamese_and_kept(client, db_session, officer):
    log_in(client, officer.email)
    response = _save(client, "conganbaichay@", lang="vi")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="conganbaichay@"' in page
    assert "Nhập địa chỉ thư điện tử của đơn vị" in page
    province, commune = officer.police_province_code, officer.police_commune_code
    assert unit_email(db_session, province, commune) is None


def test_only_police_have_the_page(client, owner):
    log_in(client, owner.email)
    assert client.get("/en/police/unit").status_code == 403
