import pytest
from sqlalchemy import func, select

from core.audit import AuditEntry
from core.auth.models import User
from lodging.properties.cli import register_cli_hooks
from lodging.properties.models import MemberRole, Membership
from tests.factories import make_establishment


@pytest.fixture
def cli(app):
    # Until portal/app.py calls it; calling it again changes nothing.
    register_cli_hooks(app)
    return app.test_cli_runner()


def create_user(cli, email, role, *extra):
    return cli.invoke(
        args=["users", "create", email, "--role", role, "--password-stdin", *extra],
        input="Ban-Pho-Village-2026\n",
    )


def test_lodging_list_prints_id_name_kind_and_commune(app, db_session):
    hotel = make_establishment(db_session)
    homestay = make_establishment(
        db_session,
        name="Homestay Tả Van",
        kind="homestay",
        stars=None,
        province="Lào Cai",
        commune="ta van",
    )
    result = app.test_cli_runner().invoke(args=["lodging", "list"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{hotel.id}\t{hotel.name}\thotel\tPhường Bãi Cháy" in lines
    assert f"{homestay.id}\tHomestay Tả Van\thomestay\tXã Tả Van" in lines


@pytest.mark.parametrize("role", ["lodging_owner", "lodging_staff"])
def test_users_create_links_the_user_to_the_establishment(cli, db_session, role):
    place = make_establishment(db_session)
    result = create_user(cli, "hai@example.com", role, "--establishment", str(place.id))
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "hai@example.com"))
    member = db_session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert member.establishment_id == place.id
    assert member.role is (MemberRole.OWNER if role == "lodging_owner" else MemberRole.STAFF)
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "establishment.add_member")
    )
    assert (entry.actor_label, entry.target_id) == ("cli", str(place.id))


def test_an_unknown_establishment_creates_nothing(cli, db_session):
    result = create_user(cli, "hai@example.com", "lodging_owner", "--establishment", "999999")
    assert result.exit_code != 0
    assert "no establishment with id 999999" in result.output
    assert db_session.scalar(select(User).where(User.email == "hai@example.com")) is None
    assert db_session.scalar(select(func.count()).select_from(Membership)) == 0


def test_only_lodging_people_can_be_linked(cli, db_session):
    place = make_establishment(db_session)
    result = create_user(cli, "tourist@example.org", "tourist", "--establishment", str(place.id))
    assert result.exit_code != 0
    assert "role:" in result.output
    assert db_session.scalar(select(User).where(User.email == "tourist@example.org")) is None
