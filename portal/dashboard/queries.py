"""What the dashboard needs beside the measures: names, places and filter choices.

Reads establishments only (never stays or guests).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, select

from core.database import DbSession
from lodging.properties.models import Establishment, EstablishmentStatus
from lodging.statistics.measures import Scope, scope_conditions


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    commune_code: int


def _where(scope: Scope) -> list[ColumnElement[bool]]:
    """Approved establishments in the scope (the statistics' own scope conditions)."""
    conditions = scope_conditions(scope)
    approved = Establishment.status == EstablishmentStatus.APPROVED
    return [approved, false()] if conditions is None else [approved, *conditions]


def commune_centroids(session: DbSession, scope: Scope) -> dict[int, tuple[float, float]]:
    """Each commune's point on the map: the mean position of its establishments.

    The official boundaries are not in the portal; the establishments are where the
    guests are, so their centre is the right place for the commune's figure.
    """
    rows = session.execute(
        select(
            Establishment.commune_code,
            func.avg(Establishment.latitude),
            func.avg(Establishment.longitude),
        )
        .where(
            Establishment.latitude.is_not(None),
            Establishment.longitude.is_not(None),
            *_where(scope),
        )
        .group_by(Establishment.commune_code)
    ).all()
    return {int(code): (float(lat), float(lon)) for code, lat, lon in rows}


def places(session: DbSession, scope: Scope) -> list[Place]:
    """The approved establishments in ``scope``, by name."""
    rows = session.execute(
        select(Establishment.id, Establishment.name, Establishment.commune_code)
        .where(*_where(scope))
        .order_by(Establishment.name)
    ).all()
    return [Place(row[0], row[1], row[2]) for row in rows]


def place_names(session: DbSession, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Establishment.id, Establishment.name).where(Establishment.id.in_(ids))
    ).all()
    return {row[0]: row[1] for row in rows}


def communes_in_use(session: DbSession, scope: Scope) -> list[int]:
    """The communes that have an establishment in ``scope`` (the commune filter's choices)."""
    rows = session.scalars(
        select(Establishment.commune_code).where(*_where(scope)).distinct()
    ).all()
    return sorted(int(code) for code in rows)
