"""``flask booking …``: operators' commands for booking."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

import click
from flask import current_app
from flask.cli import AppGroup

from portal.booking.payments import LOCALSTRIPE_URL, LOCALSTRIPE_WEBHOOK_SECRET

booking_cli = AppGroup("booking", help="Booking: payments.")


@booking_cli.command("localstripe-webhook")
@click.option("--url", required=True, help="Where localstripe posts events (the portal's webhook).")
@click.option("--wait", default=20.0, show_default=True, help="Seconds to wait for localstripe.")
def localstripe_webhook(url: str, wait: float) -> None:
    """Have the demo's localstripe post its signed events to the portal (make run)."""
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.stripe_secret_key and not settings.stripe_api_base:
        raise click.ClickException("payments go to Stripe itself: set its webhook at Stripe")
    base = settings.stripe_api_base or LOCALSTRIPE_URL
    secret = settings.stripe_webhook_secret or LOCALSTRIPE_WEBHOOK_SECRET
    data = urllib.parse.urlencode({"url": url, "secret": secret}).encode()
    deadline = time.monotonic() + wait
    while True:
        try:
            request = urllib.request.Request(f"{base}/_config/webhooks/portal", data=data)  # noqa: S310 - our own localstripe URL
            with urllib.request.urlopen(request, timeout=5):  # noqa: S310 - same
                break
        except (urllib.error.URLError, OSError) as error:
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"localstripe does not answer at {base}: {error}"
                ) from None
            time.sleep(0.5)
    click.echo(f"localstripe at {base} posts its events to {url}")
