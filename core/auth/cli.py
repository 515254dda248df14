"""Operators' commands: ``flask users create`` and ``flask tokens create``.

Core knows no feature, yet ``flask users create … --establishment ID`` must link a
lodging person to an establishment. Features therefore register hooks in
``app.extensions["user_created_hooks"]``: each is called with the session, the new
user and the command's feature options, in the command's transaction, and raises
``click.ClickException`` to refuse (then nothing is created).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from core import audit
from core.auth import areas, services
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.database import DbSession
from core.extensions import db

UserCreatedHook = Callable[[DbSession, User, dict[str, Any]], None]

users_cli = AppGroup("users", help="Manage user accounts.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")


def _run_user_created_hooks(user: User, options: dict[str, Any]) -> None:
    """Let features act on a new user; any refusal undoes the whole command."""
    hooks: list[UserCreatedHook] = current_app.extensions.get("user_created_hooks", [])
    given = {name: value for name, value in options.items() if value is not None}
    if given and not hooks:
        raise click.ClickException(f"no feature handles --{', --'.join(given)}")
    for hook in hooks:
        hook(db.session, user, given)


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
@click.option(
    "--police-province", default=None, help="Police users: their unit's province (name or code)."
)
@click.option(
    "--police-commune",
    default=None,
    help="Police users of a commune or ward police: its name or code (none: the province).",
)
@click.option(
    "--establishment",
    type=int,
    default=None,
    help="Lodging owners and staff: the id of the establishment they work at.",
)
def create_user_command(  # noqa: PLR0917 - click passes one argument per option
    email: str,
    role: str,
    full_name: str,
    password_stdin: bool,
    police_province: str | None,
    police_commune: str | None,
    establishment: int | None,
) -> None:
    """Create a user with a role (officials are only ever created this way or by an admin)."""
    password = _read_password(password_stdin)
    now = utcnow()
    try:
        area: areas.PoliceArea | None = None
        if role == Role.POLICE.value or police_province or police_commune:
            area = areas.resolve_area(police_province or "", police_commune or "")
        user = services.create_user(
            db.session,
            email=email,
            password=password,
            role=Role(role),
            now=now,
            full_name=full_name,
            police_province_code=area[0] if area else None,
            police_commune_code=area[1] if area else None,
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
    try:
        _run_user_created_hooks(user, {"establishment": establishment})
    except click.ClickException:
        db.session.rollback()
        raise
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
