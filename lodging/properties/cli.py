"""Operators' commands for establishments: ``flask lodging …``, and ``--establishment``.

``register_cli_hooks(app)`` lets ``flask users create EMAIL --role lodging_owner
--establishment ID`` link the new account to the establishment (core's command
cannot import lodging, so it calls the hooks features register).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup

from core import audit
from core.auth.models import User
from core.clock import utcnow
from core.database import DbSession
from core.extensions import db
from lodging.properties import geography
from lodging.properties import services as properties

lodging_cli = AppGroup("lodging", help="Establishments and guest registration.")


@lodging_cli.command("list")
def list_command() -> None:
    """One establishment per line: id, name, kind, commune (tab-separated)."""
    for establishment in properties.all_establishments(db.session):
        commune = geography.commune(establishment.commune_code).name
        fields = (str(establishment.id), establishment.name, establishment.kind.value, commune)
        click.echo("\t".join(field.replace("\t", " ") for field in fields))


def link_new_user(session: DbSession, user: User, options: dict[str, Any]) -> None:
    """``flask users create … --establishment ID``: the new user works there."""
    establishment_id = options.get("establishment")
    if establishment_id is None:
        return
    try:
        establishment = properties.get_establishment(session, establishment_id)
    except properties.NotFoundError as exc:
        raise click.ClickException(f"no establishment with id {establishment_id}") from exc
    now = utcnow()
    try:
        membership = properties.add_member(session, establishment, user, now=now)
    except properties.PropertyError as exc:
        messages = "; ".join(f"{field}: {message}" for field, message in exc.errors.items())
        raise click.ClickException(messages) from exc
    audit.record(
        session,
        action="establishment.add_member",
        now=now,
        actor_label="cli",
        target_type="establishment",
        target_id=establishment.id,
        detail={"user_id": user.id, "role": membership.role.value},
    )


def register_cli_hooks(app: Flask) -> None:
    """Plug lodging into core's commands (safe to call more than once)."""
    hooks = app.extensions.setdefault("user_created_hooks", [])
    if link_new_user not in hooks:
        hooks.append(link_new_user)
