"""Operators' commands: ``flask search reindex`` and ``flask search status``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from core.clock import utcnow
from core.extensions import db
from search.indexing import backend_of, reindex

search_cli = AppGroup("search", help="Look after the search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the whole index from the database; searches go on meanwhile."""
    count = reindex(db.session, current_app, now=utcnow())
    db.session.rollback()  # it only read
    click.echo(f"{backend_of(current_app).name}: {count} documents indexed")


@search_cli.command("status")
def status_command() -> None:
    """Which backend answers, and how many documents of each type it holds."""
    report = backend_of(current_app).health()
    click.echo(f"backend: {report.get('backend')} ({report.get('status')})")
    if report.get("error"):
        click.echo(f"error: {report['error']}")
    for type_, count in sorted(report.get("documents", {}).items()):
        click.echo(f"{type_}: {count}")
