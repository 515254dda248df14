import click
from sqlalchemy import func, select

from core.auth.models import User
from core.auth.roles import Role
from core.demo import DEMO_ACCOUNTS


def test_users_create_reads_the_password_from_stdin(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "hai@example.com", "--role", "lodging_owner", "--password-stdin"],
        input="Bai-Chay-Beach-2026\n",
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(select(User).where(User.email == "hai@example.com"))
    assert user.role is Role.LODGING_OWNER


def test_users_create_refuses_a_common_password(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@example.com", "--role", "admin", "--password-stdin"],
        input="password1\n",
    )
    assert result.exit_code != 0
    assert "password:" in result.output  # the reason, in the operators' language (vi)


def test_police_users_need_a_unit_from_the_cli(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "cs@example.com", "--role", "police", "--password-stdin"],
        input="Mong-Cai-Border-2026\n",
    )
    assert result.exit_code != 0
    assert "police" in result.output


def test_tokens_create_prints_a_token_that_works(app, client, db_session):
    runner = app.test_cli_runner()
    runner.invoke(
        args=["users", "create", "pms@example.com", "--role", "lodging_staff", "--password-stdin"],
        input="Front-Desk-Token-26\n",
    )
    result = runner.invoke(args=["tokens", "create", "pms@example.com", "--name", "PMS"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["email"] == "pms@example.com"


def test_tokens_create_for_an_unknown_user_fails_clearly(app):
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "no@example.com", "--name", "x"]
    )
    assert result.exit_code != 0
    assert "no user" in result.output


def test_demo_load_is_idempotent_and_lists_the_accounts(app, db_session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    second = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    emails = [email for _role, email, _password, _name in DEMO_ACCOUNTS]
    demo_users = select(func.count()).select_from(User).where(User.email.in_(emails))
    assert db_session.scalar(demo_users) == len(DEMO_ACCOUNTS)  # features add their own too
    for role, email, password, _name in DEMO_ACCOUNTS:
        assert f"{role.value}" in second.output
        assert email in second.output
        assert password in second.output
    assert {user.role for user in db_session.scalars(select(User))} == set(Role)


def create_owner(app, *options):
    return app.test_cli_runner().invoke(
        args=["users", "create", "hai@example.com", "--role", "lodging_owner", *options],
        input="Bai-Chay-Beach-2026\n",
    )


def test_users_create_refuses_an_option_no_feature_handles(app, db_session, monkeypatch):
    monkeypatch.setitem(app.extensions, "user_created_hooks", [])
    result = create_owner(app, "--password-stdin", "--establishment", "1")
    assert result.exit_code != 0
    assert "no feature handles --establishment" in result.output
    assert db_session.scalar(select(User).where(User.email == "hai@example.com")) is None


def test_users_create_hooks_see_the_new_user_and_can_refuse(app, db_session, monkeypatch):
    seen = []

    def refuse(session, user, options):
        seen.append((user.email, options))
        raise click.ClickException("not today")

    monkeypatch.setitem(app.extensions, "user_created_hooks", [refuse])
    result = create_owner(app, "--password-stdin", "--establishment", "7")
    assert result.exit_code != 0
    assert "not today" in result.output
    assert seen == [("hai@example.com", {"establishment": 7})]
    assert db_session.scalar(select(User).where(User.email == "hai@example.com")) is None
