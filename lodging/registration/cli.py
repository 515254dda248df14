"""Operators' commands for guest data: retention purge and data-subject export."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from core import audit
from core.clock import utcnow
from core.crypto import cipher
from core.extensions import db
from lodging.properties.cli import lodging_cli
from lodging.registration import retention
from lodging.registration.models import DocumentType

__all__ = ["lodging_cli"]

EXPORTABLE_DOCUMENTS = [t.value for t in DocumentType if t is not DocumentType.NONE]


@lodging_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    required=True,
    help="Purge guests whose stay ended more than this many days ago.",
)
def purge_command(days: int) -> None:
    """Clear guests' identity data past retention; statistics keep their counts."""
    now = utcnow()
    count = retention.purge_identity(db.session, older_than=dt.timedelta(days=days), now=now)
    audit.record(
        db.session,
        action="guest.purge",
        now=now,
        actor_label="cli",
        target_type="guest",
        detail={"count": count, "days": days},
    )
    db.session.commit()
    click.echo(f"purged the identity data of {count} guests (stays ended over {days} days ago)")


@lodging_cli.command("export")
@click.option("--document-type", type=click.Choice(EXPORTABLE_DOCUMENTS), required=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the JSON to this file (readable by its owner only) instead of stdout.",
)
def export_command(document_type: str, output: Path | None) -> None:
    """Print, as JSON, every record held about the person with this document.

    The document number is read from standard input (one line), never taken on the
    command line, where the shell history and the process list would keep it.
    """
    document_number = sys.stdin.readline().strip()
    if not document_number:
        raise click.UsageError("give the document number on standard input (one line)")
    now = utcnow()
    data = retention.export_guest_data(
        db.session, cipher(), document_type=document_type, document_number=document_number
    )
    # Logged (and committed) before anything is shown: no export goes unrecorded.
    audit.record(
        db.session,
        action="guest.export",
        now=now,
        actor_label="cli",
        target_type="guest",
        detail={
            "document_type": document_type,
            "guest_ids": [stay["guest"]["id"] for stay in data["stays"]],
        },
    )
    db.session.commit()
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text)
        return
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as target:
        target.write(text + "\n")
    click.echo(f"wrote {len(data['stays'])} stays to {output}", err=True)
