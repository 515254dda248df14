"""The nightly inventory: one row per room type per night, derived from rooms and closures.

Rows are made when first needed (a search or a hold over those nights) and their
``rooms`` follow the room type's rooms net of closures whenever they are refreshed.
Holds and sales only ever move through one guarded ``UPDATE`` per booking that takes
every night or none (``take_nights``), so two guests racing for the last room can
never both get it: on PostgreSQL the second update waits for the first's row locks
and re-reads the rows; on SQLite every transaction begins ``IMMEDIATE`` (one writer).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.database import DbSession as Session
from lodging.properties.models import Closure, Room, RoomType
from portal.booking.models import InventoryNight
from portal.booking.pricing import nights


def rooms_by_night(
    session: Session, room_type_ids: Iterable[int], first: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], int]:
    """Rooms of each type open each night from ``first`` until ``end`` (exclusive)."""
    ids = list(room_type_ids)
    counted = session.execute(
        select(Room.room_type_id, func.count(Room.id))
        .where(Room.room_type_id.in_(ids))
        .group_by(Room.room_type_id)
    )
    counts: dict[int, int] = {row[0]: row[1] for row in counted}
    rooms: dict[tuple[int, dt.date], int] = {
        (type_id, night): counts.get(type_id, 0) for type_id in ids for night in nights(first, end)
    }
    closed: Counter[tuple[int, dt.date]] = Counter()
    for type_id, night in _closed_rooms(session, ids, first, end):
        closed[(type_id, night)] += 1
    return {key: max(0, open_ - closed[key]) for key, open_ in rooms.items()}


def _closed_rooms(
    session: Session, ids: list[int], first: dt.date, end: dt.date
) -> Iterable[tuple[int, dt.date]]:
    """(room type, night) once per closed room and night (a whole-place closure closes all)."""
    room_rows = session.execute(
        select(Room.id, Room.room_type_id, Room.establishment_id).where(Room.room_type_id.in_(ids))
    ).all()
    by_place: dict[int, list[tuple[int, int]]] = {}
    for room_id, type_id, place_id in room_rows:
        by_place.setdefault(place_id, []).append((room_id, type_id))
    closures = session.execute(
        select(Closure.establishment_id, Closure.room_id, Closure.starts_on, Closure.ends_on).where(
            Closure.establishment_id.in_(list(by_place)),
            Closure.starts_on < end,
            Closure.ends_on > first,
        )
    ).all()
    for place_id, closed_room, starts_on, ends_on in closures:
        affected = [t for r, t in by_place[place_id] if closed_room is None or r == closed_room]
        for night in nights(max(first, starts_on), min(end, ends_on)):
            yield from ((type_id, night) for type_id in affected)


def refresh_inventory(
    session: Session, room_type_ids: Iterable[int], first: dt.date, end: dt.date
) -> None:
    """Make every row of these room types and nights exist with today's room count.

    A closure over nights already sold cannot take those rooms back: ``rooms`` never
    drops below what is sold and held (the owner moves or cancels those bookings).
    """
    wanted = rooms_by_night(session, room_type_ids, first, end)
    existing = {
        (row.room_type_id, row.night): row
        for row in session.scalars(
            select(InventoryNight).where(
                InventoryNight.room_type_id.in_({type_id for type_id, _ in wanted}),
                InventoryNight.night >= first,
                InventoryNight.night < end,
            )
        )
    }
    missing = [
        {"room_type_id": type_id, "night": night, "rooms": rooms, "sold": 0, "held": 0}
        for (type_id, night), rooms in wanted.items()
        if (type_id, night) not in existing
    ]
    if missing:
        # Another request may be making the same rows: the first one's stand.
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(InventoryNight).values(missing).on_conflict_do_nothing())
    for key, row in existing.items():
        if row.rooms != wanted[key]:
            row.rooms = max(wanted[key], row.sold + row.held)
    session.flush()


def free_rooms(
    session: Session, room_type_ids: Iterable[int], first: dt.date, end: dt.date
) -> dict[int, int]:
    """Rooms of each type free on every night of the range (the fewest), read-only.

    A night without its row yet has nothing sold or held: its open rooms are free.
    """
    ids = list(room_type_ids)
    if not ids:
        return {}
    open_rooms = rooms_by_night(session, ids, first, end)
    rows = session.execute(
        select(
            InventoryNight.room_type_id,
            InventoryNight.night,
            InventoryNight.rooms - InventoryNight.sold - InventoryNight.held,
        ).where(
            InventoryNight.room_type_id.in_(ids),
            InventoryNight.night >= first,
            InventoryNight.night < end,
        )
    )
    left = dict(open_rooms)
    left.update({(type_id, night): free for type_id, night, free in rows})
    fewest: dict[int, int] = {}
    for (type_id, _night), free in left.items():
        fewest[type_id] = min(fewest.get(type_id, free), free)
    return {type_id: max(0, free) for type_id, free in fewest.items()}


def take_nights(session: Session, room_type_id: int, first: dt.date, end: dt.date) -> bool:
    """Hold one room of the type on every night, in one guarded update: all or nothing.

    False (and nothing changed) when any night has no room left; the caller rolls back.
    """
    length = (end - first).days
    savepoint = session.begin_nested()
    result = session.execute(
        update(InventoryNight)
        .where(
            InventoryNight.room_type_id == room_type_id,
            InventoryNight.night >= first,
            InventoryNight.night < end,
            InventoryNight.sold + InventoryNight.held < InventoryNight.rooms,
        )
        .values(held=InventoryNight.held + 1)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", result).rowcount != length:
        savepoint.rollback()  # the nights that did have a room are given back
        return False
    savepoint.commit()
    return True


def move_nights(
    session: Session, room_type_id: int, first: dt.date, end: dt.date, *, sold: int, held: int
) -> None:
    """Shift one booking's nights between held, sold and free (e.g. sold=+1, held=-1)."""
    session.execute(
        update(InventoryNight)
        .where(
            and_(
                InventoryNight.room_type_id == room_type_id,
                InventoryNight.night >= first,
                InventoryNight.night < end,
            )
        )
        .values(sold=InventoryNight.sold + sold, held=InventoryNight.held + held)
        .execution_options(synchronize_session=False)
    )


def room_type_ids_of(session: Session, establishment_ids: Iterable[int]) -> list[int]:
    return list(
        session.scalars(
            select(RoomType.id).where(RoomType.establishment_id.in_(list(establishment_ids)))
        )
    )
