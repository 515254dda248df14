"""``flask feeds``: the statistics reports of a day, and a receiver to test the feeds against."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import AppGroup

from core.clock import local_now, utcnow
from core.extensions import db
from core.settings import Settings
from lodging.feeds import openapi
from lodging.feeds.handlers import enqueue_stats_for_day
from lodging.feeds.police_units import PoliceUnitError, set_unit_email
from lodging.feeds.receiver import Receiver, serve

feeds_cli = AppGroup(
    "feeds", help="The police and statistics feeds: daily reports, units' e-mail, test receiver."
)

_SHARE = click.FloatRange(0.0, 1.0)


@feeds_cli.command("receiver")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--fail-rate", default=0.0, type=_SHARE, help="Share of requests answered 500.")
@click.option(
    "--hang-rate", default=0.0, type=_SHARE, help="Share kept but answered after --hang-seconds."
)
@click.option("--reject-rate", default=0.0, type=_SHARE, help="Share refused with a field error.")
@click.option("--hang-seconds", default=5.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--seed", type=int, default=None, help="Repeat the same failures run after run.")
def receiver_command(  # click passes every option by name
    *,
    port: int,
    fail_rate: float,
    hang_rate: float,
    reject_rate: float,
    hang_seconds: float,
    seed: int | None,
) -> None:
    """Receive the feeds on 127.0.0.1:PORT as the police and statistics would.

    It checks the signature with this portal's FEED_SIGNING_KEY and each payload against
    its schema, de-duplicates by Idempotency-Key, and fails, hangs or rejects the shares
    of requests it is told to. Runs until SIGINT or SIGTERM. Point a portal at it by
    setting POLICE_FEED_URL, POLICE_FOREIGNERS_FEED_URL and STATISTICS_FEED_URL to
    http://127.0.0.1:PORT/vn-luutru, /vn-tamtru and /stats.
    """
    if fail_rate + hang_rate + reject_rate > 1:
        raise click.UsageError("--fail-rate, --hang-rate and --reject-rate add up to more than 1")
    settings: Settings = current_app.config["PORTAL_SETTINGS"]
    receiver = Receiver(
        secret=settings.feed_signing_key.encode(),
        fail_share=fail_rate,
        hang_share=hang_rate,
        reject_share=reject_rate,
        hang_seconds=hang_seconds,
        seed=seed,
    )
    counters = serve(receiver, port, click.echo)
    summary = ", ".join(f"{name} {count}" for name, count in vars(counters).items())
    click.echo(f"received: {summary}")


@feeds_cli.command("receiver-openapi")
@click.option(
    "--write", is_flag=True, help=f"Write it to {openapi.RECEIVER_OPENAPI_PATH.name} instead."
)
def receiver_openapi_command(*, write: bool) -> None:
    """Print the OpenAPI 3.1 document of the signed HTTPS feed, for a receiver's builders."""
    text = openapi.render()
    if write:
        openapi.RECEIVER_OPENAPI_PATH.write_text(text, encoding="utf-8")
        click.echo(f"written: {openapi.RECEIVER_OPENAPI_PATH}")
    else:
        click.echo(text, nl=False)


@feeds_cli.command("enqueue-stats")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to report (default: yesterday in Vietnam). Run it from cron after midnight.",
)
def enqueue_stats_command(day: dt.datetime | None) -> None:
    """Queue the day's statistics report of every approved establishment (idempotent)."""
    wanted = day.date() if day else local_now().date() - dt.timedelta(days=1)
    count = enqueue_stats_for_day(db.session, wanted, now=utcnow())
    db.session.commit()
    click.echo(f"statistics of {wanted.isoformat()} queued for {count} establishment(s)")


@feeds_cli.command("unit-email")
@click.argument("province", type=int)
@click.argument("commune")
@click.argument("email")
def unit_email_command(province: int, commune: str, email: str) -> None:
    """Set the e-mail address where a police unit takes stay notices.

    PROVINCE and COMMUNE are codes; COMMUNE "-" is the province's own unit (its
    immigration office). EMAIL "-" removes the address.
    """
    try:
        commune_code = None if commune == "-" else int(commune)
    except ValueError as exc:
        raise click.BadParameter("a commune code, or - for the province's own unit") from exc
    try:
        unit = set_unit_email(
            db.session,
            province_code=province,
            commune_code=commune_code,
            email=None if email == "-" else email,
            actor_label="cli",
            now=utcnow(),
        )
    except PoliceUnitError as exc:
        raise click.BadParameter(
            str(exc.message), param_hint=exc.field.removesuffix("_code").upper()
        ) from exc
    db.session.commit()
    click.echo(f"police unit {unit.unit}: {unit.email or 'no address'}")
