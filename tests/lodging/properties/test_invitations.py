import base64
import re

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.models import User
from core.auth.roles import Role
from core.settings import Settings
from lodging.properties import services as properties
from lodging.properties.models import MemberRole, Membership
from tests.conftest import TEST_SECRET
from tests.factories import csrf_token, log_in, make_establishment, make_user
from tests.lodging.properties.pages import send

NEW_PASSWORD = "Fansipan-Summit-3143"


PUBLIC_URL = Settings.public_url  # the tests' PUBLIC_URL: links never use the Host header


@pytest.fixture
def place(db_session, owner):
    return make_establishment(db_session, owner=owner)


def invite(client, place, email):
    """The link the owner is shown, as a path on this site."""
    path = f"/en/my/establishments/{place.id}/staff"
    page = send(client, path, {"email": email}).get_data(as_text=True)
    match = re.search(
        rf'id="invitation-link"[^>]* value="{re.escape(PUBLIC_URL)}(/en/invitations/[^"]+)"', page
    )
    assert match, page
    return match.group(1)


def membership(db_session, place, user):
    return db_session.scalar(
        select(Membership).where(
            Membership.establishment_id == place.id, Membership.user_id == user.id
        )
    )


def test_invited_person_creates_a_staff_account_and_sees_the_place(
    client, db_session, owner, place
):
    log_in(client, owner.email)
    link = invite(client, place, "Hoa.Le@Example.com")
    client.post("/en/logout", data={"csrf_token": csrf_token(client, "/en/account")})

    page = client.get(link).get_data(as_text=True)
    assert place.name in page
    assert 'value="hoa.le@example.com"' in page
    response = send(
        client, link, {"full_name": "Lê Thị Hoa", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "/en/login" in response.headers["Location"]

    user = db_session.scalar(select(User).where(User.email == "hoa.le@example.com"))
    assert (user.role, user.full_name) == (Role.LODGING_STAFF, "Lê Thị Hoa")
    assert membership(db_session, place, user).role is MemberRole.STAFF
    log_in(client, user.email, NEW_PASSWORD)
    assert place.name in client.get("/en/my/establishments/").get_data(as_text=True)
    assert client.get(f"/en/my/establishments/{place.id}/rooms").status_code == 200
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == str(place.id))
    ).all()
    assert {"staff.invite", "staff.join"} <= set(actions)


def test_a_weak_password_is_refused_and_the_name_kept(client, db_session, owner, place):
    log_in(client, owner.email)
    link = invite(client, place, "hoa@example.com")
    client.post("/en/logout", data={"csrf_token": csrf_token(client, "/en/account")})
    page = send(
        client, link, {"full_name": "Lê Thị Hoa", "password": "password1", "confirm": "password1"}
    ).get_data(as_text=True)
    assert "This password is too common." in page
    assert 'value="Lê Thị Hoa"' in page
    assert db_session.scalar(select(User).where(User.email == "hoa@example.com")) is None


def test_an_existing_staff_account_signs_in_and_accepts(client, db_session, owner, place):
    staff = make_user(db_session, Role.LODGING_STAFF)
    log_in(client, owner.email)
    link = invite(client, place, staff.email)
    client.post("/en/logout", data={"csrf_token": csrf_token(client, "/en/account")})

    page = client.get(link).get_data(as_text=True)
    assert "Sign in, then come back to this link to accept." in page
    assert membership(db_session, place, staff) is None
    log_in(client, staff.email)
    assert send(client, link, {}).status_code == 302
    assert membership(db_session, place, staff).role is MemberRole.STAFF


def test_someone_else_signed_in_cannot_use_the_link(client, db_session, owner, place):
    staff = make_user(db_session, Role.LODGING_STAFF)
    other = make_user(db_session, Role.LODGING_STAFF)
    log_in(client, owner.email)
    link = invite(client, place, staff.email)
    client.post("/en/logout", data={"csrf_token": csrf_token(client, "/en/account")})
    log_in(client, other.email)
    response = send(client, link, {})
    assert response.status_code == 200
    assert "You are signed in with another account." in response.get_data(as_text=True)
    assert membership(db_session, place, staff) is None
    assert membership(db_session, place, other) is None


def test_owner_cannot_invite_an_address_of_another_role(client, db_session, owner, place):
    tourist = make_user(db_session, Role.TOURIST)
    log_in(client, owner.email)
    path = f"/en/my/establishments/{place.id}/staff"
    page = send(client, path, {"email": tourist.email}).get_data(as_text=True)
    assert "This address belongs to an account that cannot work as staff." in page
    assert "invitation-link" not in page


def test_staff_cannot_invite(client, db_session, owner):
    staff = make_user(db_session, Role.LODGING_STAFF)
    place = make_establishment(db_session, owner=owner, staff=(staff,))
    log_in(client, staff.email)
    path = f"/en/my/establishments/{place.id}/staff"
    page = client.get(path).get_data(as_text=True)
    assert "Only the owner can invite staff." in page
    assert 'name="email"' not in page
    response = send(client, path, {"email": "friend@example.com"})
    assert response.status_code == 403
    assert "invitations/" not in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["not-a-token", "forged"])
def test_a_bad_link_says_so(client, db_session, place, token):
    if token == "forged":
        token = properties.invitation_token("another-secret", place, "x@example.com")
    response = client.get(f"/en/invitations/{token}")
    assert response.status_code == 404
    assert "This invitation link is not valid or has expired" in response.get_data(as_text=True)


def test_the_link_is_signed_with_the_app_secret(client, db_session, place):
    token = properties.invitation_token(TEST_SECRET, place, "new@example.com")
    assert place.name in client.get(f"/en/invitations/{token}").get_data(as_text=True)


def test_the_invited_address_cannot_be_read_from_the_link(db_session, place):
    token = properties.invitation_token(TEST_SECRET, place, "new.staff@example.com")
    decoded = [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]
    for text in (token.encode(), *decoded):
        assert b"new.staff" not in text
        assert b"example.com" not in text
