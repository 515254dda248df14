"""Operators' commands: ``flask statistics rebuild``."""

from __future__ import annotations

import datetime as dt
import time

import click
from flask.cli import AppGroup

from core.extensions import db
from lodging.statistics.rebuild import rebuild

statistics_cli = AppGroup("statistics", help="The occupancy ledger.")


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("YYYY-MM-DD") from exc


@statistics_cli.command("rebuild")
@click.option("--from", "first", callback=_date, help="First day (YYYY-MM-DD).")
@click.option("--to", "last", callback=_date, help="Last day (YYYY-MM-DD), inclusive.")
def rebuild_command(first: dt.date | None, last: dt.date | None) -> None:
    """Recompute the ledger from stays (all days, or the given range)."""
    started = time.perf_counter()
    rebuild(db.session, first=first, last=last)
    db.session.commit()
    click.echo(f"ledger rebuilt in {time.perf_counter() - started:.1f} s")
