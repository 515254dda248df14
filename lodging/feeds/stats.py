"""What the statistics office receives: one establishment's day, in aggregates only.

The same stays the police are told about, counted the way the GSO forms and Eurostat
count them (reference §1.6): arrivals (*lượt khách*), nights spent (*ngày khách*),
room-nights and bed-nights used (*ngày buồng / ngày giường sử dụng*), international
against domestic by country of residence, Vietnamese residents by province, and
same-day guests apart, as Vietnamese statistics count them separately.

A guest is counted from the day they arrived to the day they left (or are expected
to leave, while still in the house). For a day D:

- ``arrivals``: arrived on D and stay the night; ``departures``: arrived before D and
  left on D; ``present``: stay the night of D (each is one night spent and one bed
  place used); ``day_use``: arrived and left on D, no night;
- so ``present(D) = present(D-1) + arrivals(D) - departures(D)`` (ISTAT's identity).

Cancelled declarations count for nothing; guests of a self check-in count once staff
have confirmed them, as they are reported. No name, document number or guest id ever
appears in the payload.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from core.clock import VIETNAM
from core.database import DbSession
from lodging.feeds.channels import SCHEMA_VERSIONS
from lodging.properties.models import Establishment
from lodging.registration.models import Guest, Stay, StayStatus
from lodging.registration.reports import FeedChannel

UNKNOWN_PROVINCE = "unknown"


@dataclass(frozen=True)
class _Visit:
    """One guest's days at the establishment, and what statistics may know of them."""

    arrived: dt.date
    leaves: dt.date
    international: bool
    country: str
    province: str | None  # Vietnamese residents only
    room: tuple[str, int]  # a stay without a room counts as a room of its own

    def sleeps_on(self, day: dt.date) -> bool:
        return self.arrived <= day < self.leaves


def _visit(stay: Stay, guest: Guest) -> _Visit:
    arrived = guest.arrival.astimezone(VIETNAM).date()
    leaves = (
        stay.departed_at.astimezone(VIETNAM).date() if stay.departed_at else stay.expected_departure
    )
    domestic = guest.residence_country == "VN"
    province = None
    if domestic:
        code = guest.residence_province_code
        province = str(code) if code is not None else UNKNOWN_PROVINCE
    return _Visit(
        arrived=arrived,
        leaves=max(leaves, arrived),
        international=not domestic,
        country=guest.residence_country,
        province=province,
        room=("room", stay.room_id) if stay.room_id is not None else ("stay", stay.id),
    )


def _visits(stays: Iterable[Stay]) -> list[_Visit]:
    return [
        _visit(stay, guest)
        for stay in stays
        if stay.status is not StayStatus.CANCELLED
        for guest in stay.guests
        if guest.confirmed_at is not None
    ]


def _split(visits: Sequence[_Visit]) -> dict[str, int]:
    international = sum(1 for v in visits if v.international)
    return {
        "total": len(visits),
        "international": international,
        "domestic": len(visits) - international,
    }


def capacity(establishment: Establishment, day: dt.date) -> dict[str, int]:
    """Rooms and permanent bed places open on ``day`` (closures taken off)."""
    closing = [c for c in establishment.closures if c.starts_on <= day < c.ends_on]
    if any(c.room_id is None for c in closing):
        return {"rooms": 0, "bed_places": 0}
    closed = {c.room_id for c in closing}
    open_rooms = [r for r in establishment.rooms if r.id not in closed]
    return {
        "rooms": len(open_rooms),
        "bed_places": sum(r.room_type.bed_places for r in open_rooms),
    }


def daily_report(
    establishment: Establishment, day: dt.date, stays: Iterable[Stay]
) -> dict[str, Any]:
    """The ``stats`` payload for one establishment and one (local) day."""
    visits = _visits(stays)
    present = [v for v in visits if v.sleeps_on(day)]
    by_province = Counter(v.province for v in present if v.province is not None)
    return {
        "channel": FeedChannel.STATISTICS.value,
        "schema_version": SCHEMA_VERSIONS[FeedChannel.STATISTICS],
        "establishment": {
            "id": establishment.id,
            "licence_number": establishment.licence_number,
            "kind": establishment.kind.value,
            "stars": establishment.stars,
            "province_code": establishment.province_code,
            "commune_code": establishment.commune_code,
        },
        "day": day.isoformat(),
        "capacity": capacity(establishment, day),
        "arrivals": _split([v for v in visits if v.arrived == day < v.leaves]),
        "departures": _split([v for v in visits if v.arrived < day == v.leaves]),
        "present": _split(present),
        "day_use": _split([v for v in visits if v.arrived == day == v.leaves]),
        "room_nights": len({v.room for v in present}),
        "bed_nights": len(present),
        "nights_by_country": dict(sorted(Counter(v.country for v in present).items())),
        "nights_by_province": dict(sorted(by_province.items())),
    }


def stays_around(session: DbSession, establishment: Establishment, day: dt.date) -> list[Stay]:
    """The stays that may touch ``day``: arrived by its end and not gone before it."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)
    end = start + dt.timedelta(days=1)
    query = (
        select(Stay)
        .where(
            Stay.establishment_id == establishment.id,
            Stay.status != StayStatus.CANCELLED,
            Stay.arrival < end,
            or_(Stay.departed_at >= start, Stay.departed_at.is_(None)),
            or_(Stay.expected_departure >= day, Stay.departed_at.is_not(None)),
        )
        .options(selectinload(Stay.guests))
        .order_by(Stay.id)
    )
    return list(session.scalars(query))


def daily_stats(session: DbSession, establishment: Establishment, day: dt.date) -> dict[str, Any]:
    """The ``stats`` payload for ``establishment`` on ``day``, from the stays stored."""
    return daily_report(establishment, day, stays_around(session, establishment, day))
