import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.auth.roles import Role
from lodging.properties import geography
from lodging.properties.models import (
    Establishment,
    EstablishmentStatus,
    MemberRole,
    Membership,
)
from tests.factories import declare, log_in, make_establishment, make_user
from tests.lodging.properties.pages import send

NEW = "/en/establishments/new"


def registration(**overrides):
    return {
        "name": "Khách sạn Hoa Biển",
        "kind": "hotel",
        "stars": "3",
        "licence_number": "QN-2026-0042",
        "street_address": "8 Đường Hạ Long",
        "province": str(geography.find_province("Quảng Ninh").code),
        "commune": "Bãi Cháy",
        "police_commune": "",
        "latitude": "20,9533",
        "longitude": "107.0433",
        "phone": "0203 384 6000",
        "email": "hoabien@example.com",
        "owner_email": "",
    } | overrides


def count_establishments(db_session):
    return db_session.scalar(select(func.count()).select_from(Establishment))


@pytest.fixture
def officer(client, db_session):
    user = make_user(db_session, Role.TOURISM_OFFICER)
    log_in(client, user.email)
    return user


def test_officer_registers_an_establishment_pending_with_its_owner(client, db_session, officer):
    owner = make_user(db_session, Role.LODGING_OWNER)
    response = send(client, NEW, registration(owner_email=owner.email.upper()))
    assert response.status_code == 302
    found = db_session.scalar(
        select(Establishment).where(Establishment.name == "Khách sạn Hoa Biển")
    )
    assert found.status is EstablishmentStatus.PENDING
    assert geography.commune(found.commune_code).name == "Phường Bãi Cháy"
    assert found.police_commune_code == found.commune_code  # the commune's own police
    assert (found.latitude, found.longitude) == (20.9533, 107.0433)
    membership = db_session.scalar(
        select(Membership).where(Membership.establishment_id == found.id)
    )
    assert (membership.user_id, membership.role) == (owner.id, MemberRole.OWNER)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for approval" in page
    assert "Phường Bãi Cháy, Quảng Ninh" in page
    assert owner.email in page


def test_approving_records_who_approved_in_the_audit_log(client, db_session, officer):
    send(client, NEW, registration(commune="bai chay"))
    found = db_session.scalar(
        select(Establishment).where(Establishment.name == "Khách sạn Hoa Biển")
    )
    detail = f"/en/establishments/{found.id}"
    response = send(client, f"{detail}/approve", {}, token_from=detail)
    assert response.status_code == 302
    db_session.refresh(found)
    assert found.status is EstablishmentStatus.APPROVED
    assert found.approved_by_id == officer.id
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "establishment.approve")
    )
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        officer.id,
        "establishment",
        str(found.id),
    )
    page = client.get(detail).get_data(as_text=True)
    assert "Approved on" in page
    assert ">Approve<" not in page


def test_an_unknown_commune_is_named_and_what_was_typed_is_kept(client, db_session, officer):
    response = send(client, NEW, registration(commune="Bãi Cháyy"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No commune or ward of Quảng Ninh has this name." in page
    assert 'value="Bãi Cháyy"' in page
    assert 'value="Khách sạn Hoa Biển"' in page
    assert 'value="8 Đường Hạ Long"' in page
    assert count_establishments(db_session) == 0


def test_the_owner_must_be_an_existing_owner_account(client, db_session, officer):
    tourist = make_user(db_session, Role.TOURIST)
    for email in (tourist.email, "nobody@example.com"):
        page = send(client, NEW, registration(owner_email=email)).get_data(as_text=True)
        assert "No lodging owner account has this e-mail address." in page
    assert count_establishments(db_session) == 0


def test_stars_only_for_hotels_and_resorts(client, db_session, officer):
    page = send(client, NEW, registration(kind="homestay")).get_data(as_text=True)
    assert "Only hotels and resorts are graded in stars." in page
    assert count_establishments(db_session) == 0


def test_coordinates_that_are_not_numbers_are_refused(client, db_session, officer):
    page = send(client, NEW, registration(latitude="20°57′N")).get_data(as_text=True)
    assert "Enter decimal degrees, e.g. 20.9533." in page
    assert count_establishments(db_session) == 0


def test_list_filters_by_status(client, db_session, officer):
    approved = make_establishment(db_session)
    pending = make_establishment(db_session, approved=False)
    everything = client.get("/en/establishments/").get_data(as_text=True)
    assert approved.name in everything
    assert pending.name in everything
    waiting = client.get("/en/establishments/?status=pending").get_data(as_text=True)
    assert pending.name in waiting
    assert approved.name not in waiting


def test_officials_see_no_guests(client, db_session, officer):
    establishment = make_establishment(db_session)
    declare(db_session, establishment)
    page = client.get(f"/en/establishments/{establishment.id}").get_data(as_text=True)
    assert establishment.name in page
    assert "Nguyễn Thị Ánh" not in page
    assert "001190012345" not in page


def test_an_unknown_establishment_is_404(client, officer):
    assert client.get("/en/establishments/999999").status_code == 404


@pytest.mark.parametrize(
    "role", [Role.TOURIST, Role.POLICE, Role.LODGING_OWNER, Role.LODGING_STAFF]
)
def test_others_cannot_register_or_approve(client, db_session, role):
    establishment = make_establishment(db_session, approved=False)
    user = make_user(db_session, role)
    log_in(client, user.email)
    for path in ("/en/establishments/", NEW, f"/en/establishments/{establishment.id}"):
        assert client.get(path).status_code == 403, path
    token_page = "/en/account"
    assert send(client, NEW, registration(), token_from=token_page).status_code == 403
    approve = f"/en/establishments/{establishment.id}/approve"
    assert send(client, approve, {}, token_from=token_page).status_code == 403
    db_session.refresh(establishment)
    assert establishment.status is EstablishmentStatus.PENDING
    assert count_establishments(db_session) == 1
