"""Operators' commands for establishments: ``flask lodging …``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lodging.properties import geography
from lodging.properties import services as properties
from portal.core.extensions import db

lodging_cli = AppGroup("lodging", help="Establishments and guest registration.")


@lodging_cli.command("list")
def list_command() -> None:
    """One establishment per line: id, name, kind, commune (tab-separated)."""
    for establishment in properties.all_establishments(db.session):
        commune = geography.commune(establishment.commune_code).name
        fields = (str(establishment.id), establishment.name, establishment.kind.value, commune)
        click.echo("\t".join(field.replace("\t", " ") for field in fields))
