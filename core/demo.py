"""``flask demo load``: idempotent demo data, one loader per feature.

Features register a loader with ``register_demo_loader``; each adds what is
missing and returns lines to print. Core's own loader creates one demo account
per role. Demo data is refused in production.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from core.auth import services
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.database import DbSession
from core.extensions import db

DemoLoader = Callable[[DbSession, dt.datetime], list[str]]

DEMO_ACCOUNTS: tuple[tuple[Role, str, str, str], ...] = (
    (Role.TOURIST, "tourist@example.com", "Demo-Tourist-2026", "Nguyễn Minh Anh"),
    (Role.LODGING_OWNER, "owner@example.com", "Demo-Owner-2026", "Trần Văn Hải"),
    (Role.LODGING_STAFF, "staff@example.com", "Demo-Staff-2026", "Lê Thị Hoa"),
    (Role.POLICE, "police@example.com", "Demo-Police-2026", "Phạm Quốc Bảo"),
    (Role.TOURISM_OFFICER, "officer@example.com", "Demo-Officer-2026", "Hoàng Thu Trang"),
    (Role.ADMIN, "admin@example.com", "Demo-Admin-2026", "Vũ Đức Minh"),
)

demo_cli = AppGroup("demo", help="Demo data for development and trials.")


def demo_account_lines(session: DbSession) -> list[str]:
    """The demo accounts that exist, printed by ``make run`` in development."""
    lines = ["Demo accounts (role, e-mail, password):"]
    for role, email, password, _name in DEMO_ACCOUNTS:
        if services.find_user(session, email) is not None:
            lines.append(f"  {role.value:<16} {email:<24} {password}")
    return lines


def load_demo_accounts(session: DbSession, now: dt.datetime) -> list[str]:
    """One account per role; the police one needs an area, which its feature's loader gives."""
    for role, email, password, name in DEMO_ACCOUNTS:
        if role is not Role.POLICE and services.find_user(session, email) is None:
            services.create_user(
                session, email=email, password=password, role=role, now=now, full_name=name
            )
    session.flush()
    return demo_account_lines(session)


def demo_account(role: Role) -> tuple[str, str, str]:
    """The demo account of a role: e-mail, password and name."""
    for account_role, email, password, name in DEMO_ACCOUNTS:
        if account_role is role:
            return email, password, name
    raise LookupError(role)


def register_demo_loader(app: Flask, loader: DemoLoader) -> None:
    app.extensions.setdefault("demo_loaders", []).append(loader)


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load into a database that has no users yet.")
def load_command(if_empty: bool) -> None:
    """Add the demo data that is missing (safe to run again)."""
    if current_app.config["PORTAL_SETTINGS"].is_production:
        raise click.ClickException("demo data is not loaded in production")
    has_users = bool(db.session.scalar(select(func.count()).select_from(User)))
    now = utcnow()
    lines: list[str] = []
    if if_empty and has_users:
        lines = demo_account_lines(db.session)
    else:
        for loader in current_app.extensions["demo_loaders"]:
            lines.extend(loader(db.session, now))
        db.session.commit()
    click.echo("\n".join(lines))
