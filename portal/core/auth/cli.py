"""Operators' commands: ``flask users create`` and ``flask tokens create``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.core import audit
from portal.core.auth import services
from portal.core.auth.roles import Role
from portal.core.clock import utcnow
from portal.core.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "full_name", default="", help="The person's full name.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option("--police-province", default=None, help="Police users: the province of their unit.")
@click.option("--police-unit", default=None, help="Police users: their commune police unit.")
def create_user_command(  # noqa: PLR0917 - click passes one argument per option
    email: str,
    role: str,
    full_name: str,
    password_stdin: bool,
    police_province: str | None,
    police_unit: str | None,
) -> None:
    """Create a user with a role (officials are only ever created this way or by an admin)."""
    password = _read_password(password_stdin)
    now = utcnow()
    try:
        user = services.create_user(
            db.session,
            email=email,
            password=password,
            role=Role(role),
            now=now,
            full_name=full_name,
            police_province=police_province,
            police_unit=police_unit,
        )
    except services.AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from exc
    audit.record(
        db.session,
        action="user.create",
        now=now,
        actor_label="cli",
        target_type="user",
        target_id=user.id,
        detail={"role": role},
    )
    db.session.commit()
    click.echo(f"created {user.email} ({user.role.value}) id={user.id}")


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'front desk PMS'.")
def create_token_command(email: str, name: str) -> None:
    """Create an API token for a user and print it once."""
    user = services.find_user(db.session, email)
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    now = utcnow()
    try:
        token = services.create_api_token(db.session, user, name, now)
    except services.AccountError as exc:
        raise click.ClickException(str(exc.message)) from exc
    audit.record(
        db.session,
        action="token.create",
        now=now,
        actor_label="cli",
        target_type="user",
        target_id=user.id,
        detail={"name": name},
    )
    db.session.commit()
    click.echo(token)
