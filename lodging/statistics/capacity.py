"""Rooms and bed places available, computed on demand from rooms and closures.

Capacity is per establishment, small and rarely changed, so it is not materialised:
Σ rooms available over a period = rooms * days - room-days closed. Bed places are the
room types' permanent places (a double bed counts 2, extra beds excluded). The
portal keeps no history of rooms: today's rooms stand for every past day, and an
establishment counts from the first day asked, whenever it registered.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, select

from core.database import DbSession
from lodging.properties.models import Closure, Establishment, Room, RoomType


@dataclass(frozen=True)
class Place:
    """An establishment's grouping attributes and its full capacity on one day."""

    id: int
    commune_code: int
    kind: str
    stars: int | None
    rooms: int
    bed_places: int


@dataclass
class Available:
    rooms: int = 0
    bed_places: int = 0
    bed_places_gross: int = 0


def places(session: DbSession, conditions: Sequence[ColumnElement[bool]]) -> list[Place]:
    """Every establishment matching ``conditions`` with its room and bed-place count."""
    per_room = (
        select(
            Room.establishment_id.label("establishment_id"),
            func.count(Room.id).label("rooms"),
            func.sum(RoomType.bed_places).label("bed_places"),
        )
        .join(RoomType, RoomType.id == Room.room_type_id)
        .group_by(Room.establishment_id)
        .subquery()
    )
    stmt: Select[tuple[int, int, str, int | None, int | None, int | None]] = (
        select(
            Establishment.id,
            Establishment.commune_code,
            Establishment.kind,
            Establishment.stars,
            per_room.c.rooms,
            per_room.c.bed_places,
        )
        .outerjoin(per_room, per_room.c.establishment_id == Establishment.id)
        .where(*conditions)
    )
    return [
        Place(id_, commune, str(kind), stars, rooms or 0, int(beds or 0))
        for id_, commune, kind, stars, rooms, beds in session.execute(stmt)
    ]


def closed(
    session: DbSession, place_ids: Iterable[int], first: dt.date, last: dt.date
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """(establishment, day) → (rooms, bed places) closed that day, overlaps counted once."""
    by_id = set(place_ids)
    rows = session.execute(
        select(Closure.establishment_id, Closure.room_id, Closure.starts_on, Closure.ends_on)
        .where(Closure.starts_on <= last, Closure.ends_on > first)
        .order_by(Closure.id)
    ).all()
    rows = [row for row in rows if row[0] in by_id]
    if not rows:
        return {}
    beds: dict[int, int] = {}
    owned: defaultdict[int, list[int]] = defaultdict(list)
    for room_id, establishment_id, places in session.execute(
        select(Room.id, Room.establishment_id, RoomType.bed_places)
        .join(RoomType, RoomType.id == Room.room_type_id)
        .where(Room.establishment_id.in_({row[0] for row in rows}))
    ):
        beds[room_id] = places
        owned[establishment_id].append(room_id)
    shut: defaultdict[tuple[int, dt.date], set[int | None]] = defaultdict(set)
    for establishment_id, room_id, starts_on, ends_on in rows:
        day = max(starts_on, first)
        while day < ends_on and day <= last:
            shut[(establishment_id, day)].add(room_id)
            day += dt.timedelta(days=1)
    result = {}
    for (establishment_id, day), rooms in shut.items():
        ids = owned[establishment_id] if None in rooms else [r for r in rooms if r is not None]
        result[(establishment_id, day)] = (len(ids), sum(beds.get(r, 0) for r in ids))
    return result


def available(
    session: DbSession,
    chosen: Sequence[Place],
    spans: Sequence[tuple[dt.date, dt.date]],
    group_of: Callable[[Place], Hashable],
) -> dict[tuple[dt.date, Hashable], Available]:
    """Capacity per (span's first day, group) over inclusive day ``spans`` in order."""
    result: defaultdict[tuple[dt.date, Hashable], Available] = defaultdict(Available)
    if not spans:
        return result
    # Places added up by group first: a province's thousands of places are a few groups.
    per_group: defaultdict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
    for place in chosen:
        sums = per_group[group_of(place)]
        sums[0] += place.rooms
        sums[1] += place.bed_places
    for group, (rooms, bed_places) in per_group.items():
        for first, last in spans:
            days = (last - first).days + 1
            cell = result[(first, group)]
            cell.rooms += rooms * days
            cell.bed_places += bed_places * days
            cell.bed_places_gross += bed_places * days
    starts = [first for first, _ in spans]
    by_id = {place.id: place for place in chosen}
    for (establishment_id, day), (rooms, beds) in closed(
        session, by_id, spans[0][0], spans[-1][1]
    ).items():
        first = _span_of(starts, day)
        cell = result[(first, group_of(by_id[establishment_id]))]
        cell.rooms -= rooms
        cell.bed_places -= beds
    return result


def _span_of(starts: Sequence[dt.date], day: dt.date) -> dt.date:
    return starts[bisect_right(starts, day) - 1]
