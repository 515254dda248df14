"""Operators' commands: ``flask statistics rebuild`` and ``flask bench generate``."""

from __future__ import annotations

import datetime as dt
import time

import click
from flask.cli import AppGroup

from bench import generate
from core.extensions import db
from lodging.statistics.rebuild import rebuild

statistics_cli = AppGroup("statistics", help="The occupancy ledger.")
bench_cli = AppGroup("bench", help="Benchmark data.")


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


@bench_cli.command("generate")
@click.option("--establishments", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--years", type=click.IntRange(min=1, max=20), default=1, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--end", "end", callback=_date, help="Last day of the data (default: today).")
@click.option(
    "--stays",
    type=click.IntRange(min=1),
    help="About this many stays in all (room counts are scaled to fit).",
)
def generate_command(
    establishments: int, years: int, seed: int, end: dt.date | None, stays: int | None
) -> None:
    """Fill the database with synthetic establishments and stays, then rebuild the ledger."""
    report = generate.generate(
        db.session,
        establishments=establishments,
        years=years,
        seed=seed,
        end=end or dt.date.today(),  # noqa: DTZ011 - a calendar day, not an instant
        target_stays=stays,
    )
    click.echo(report.summary())
