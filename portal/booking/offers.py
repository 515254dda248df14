"""Finding rooms for some dates: read-only, from the inventory and the rate plans.

One query reads the candidates (plans, room types, places in the area) with each room
type's fewest free rooms over the nights; the prices are computed from the plans and
their rules, loaded in one more query. Nothing is written: a night with no inventory
row yet has nothing sold or held, so its free rooms are the type's open rooms.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, and_, func, or_, select

from core.database import DbSession
from lodging.properties.models import (
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    RoomType,
)
from portal.booking import inventory, pricing
from portal.booking.models import InventoryNight, PriceRule, RatePlan
from portal.booking.services import StayRequest

_PLAN_COLUMNS = (
    RatePlan.id,
    RatePlan.room_type_id,
    RatePlan.nightly_price,
    RatePlan.guests_included,
    RatePlan.max_guests,
    RatePlan.extra_guest_price,
    RatePlan.min_nights,
    RatePlan.max_nights,
)


@dataclass(frozen=True)
class Area:
    """A map area: south, west, north, east."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def parse(cls, raw: str) -> Area:
        """``SOUTH,WEST,NORTH,EAST`` as in links and the API, or ValueError."""
        parts = [float(part) for part in raw.split(",")]
        if len(parts) != 4 or parts[0] > parts[2] or parts[1] > parts[3]:
            raise ValueError(raw)
        return cls(*parts)


@dataclass(frozen=True)
class Offer:
    establishment_id: int
    establishment: str
    kind: EstablishmentKind
    room_type_id: int
    room_type: str
    rate_plan_id: int
    nights: int
    total: int
    currency: str
    available: int
    latitude: float | None = None
    longitude: float | None = None


def find_offers(
    session: DbSession,
    request: StayRequest,
    *,
    area: Area | None = None,
    kinds: Sequence[EstablishmentKind] = (),
    establishment_ids: Sequence[int] | None = None,
    min_stars: int | None = None,
    amenities: Sequence[str] = (),
    max_total: int | None = None,
    limit: int = 50,
) -> list[Offer]:
    """Room types with a room free every night and a plan that sells this stay.

    Cheapest first; the price is the stay's total, every fee included. ``amenities``
    are all required; ``max_total`` is the most the whole stay may cost.
    """
    nights = (request.departure - request.arrival).days
    free = InventoryNight.rooms - InventoryNight.sold - InventoryNight.held
    nights_in_stay = and_(
        InventoryNight.room_type_id == RoomType.id,
        InventoryNight.night >= request.arrival,
        InventoryNight.night < request.departure,
    )
    query = (
        # Columns, not entities: building thousands of ORM objects was most of the time.
        select(*_PLAN_COLUMNS, RoomType.name, Establishment.id, Establishment.name)
        .add_columns(
            Establishment.kind,
            RatePlan.currency,
            func.min(free).label("free"),
            func.count(InventoryNight.id).label("nights"),
            Establishment.latitude,
            Establishment.longitude,
        )
        .join(RoomType, RatePlan.room_type_id == RoomType.id)
        .join(Establishment, RoomType.establishment_id == Establishment.id)
        .outerjoin(InventoryNight, nights_in_stay)
        .where(
            RatePlan.active,
            Establishment.status == EstablishmentStatus.APPROVED,
            RatePlan.min_nights <= nights,
            RatePlan.max_nights >= nights,
            RatePlan.max_guests >= request.guests,
        )
        .group_by(RatePlan.id, RoomType.id, Establishment.id)
        .having(or_(func.count(InventoryNight.id) < nights, func.min(free) > 0))
    )
    if area is not None:
        query = query.where(
            Establishment.latitude.between(area.south, area.north),
            Establishment.longitude.between(area.west, area.east),
        )
    if kinds:
        query = query.where(Establishment.kind.in_(kinds))
    if min_stars:
        query = query.where(Establishment.stars >= min_stars)
    if establishment_ids is not None:
        query = query.where(Establishment.id.in_(establishment_ids))
    wanted = set(amenities)
    if wanted:  # a JSON list: read (and decoded) only when asked for
        query = query.add_columns(Establishment.amenities)
    rows = [row for row in session.execute(query) if not wanted or wanted <= set(row.amenities)]
    # Types with nights that have no inventory row yet: counted from rooms and closures.
    short = [row.room_type_id for row in rows if (row.nights or 0) < nights]
    counted = inventory.free_rooms(session, short, request.arrival, request.departure)
    rules = _rules_of(session, [row.id for row in rows], request)
    priced = []
    for index, row in enumerate(rows):
        available = counted.get(row.room_type_id, 0) if (row.nights or 0) < nights else row.free
        if available > 0:
            total = _stay_total(row, rules.get(row.id), request)
            if max_total is None or total <= max_total:
                priced.append((total, row[10], row[8], index, available))
    # Offers are built for the page shown only: there may be thousands of candidates.
    return [
        Offer(
            establishment_id=rows[index][9],
            establishment=place_name,
            kind=rows[index].kind,
            room_type_id=rows[index].room_type_id,
            room_type=type_name,
            rate_plan_id=rows[index].id,
            nights=nights,
            total=total,
            currency=rows[index].currency,
            available=available,
            latitude=rows[index].latitude,
            longitude=rows[index].longitude,
        )
        for total, place_name, type_name, index, available in heapq.nsmallest(limit, priced)
    ]


def _stay_total(row: Row[Any], rules: list[pricing.Rule] | None, request: StayRequest) -> int:
    plan = pricing.Plan(
        nightly_price=row.nightly_price,
        guests_included=row.guests_included,
        max_guests=row.max_guests,
        extra_guest_price=row.extra_guest_price,
        min_nights=row.min_nights,
        max_nights=row.max_nights,
        rules=tuple(rules or ()),
    )
    return pricing.stay_total(plan, request.arrival, request.departure, request.guests)


def _rules_of(
    session: DbSession, plan_ids: list[int], request: StayRequest
) -> dict[int, list[pricing.Rule]]:
    """The price rules of these plans that touch the stay's nights, oldest first."""
    found: dict[int, list[pricing.Rule]] = defaultdict(list)
    if not plan_ids:
        return found
    query = (
        select(PriceRule)
        .where(
            PriceRule.rate_plan_id.in_(plan_ids),
            PriceRule.starts_on < request.departure,
            PriceRule.ends_on >= request.arrival,
        )
        .order_by(PriceRule.id)
    )
    for rule in session.scalars(query):
        found[rule.rate_plan_id].append(
            pricing.Rule(rule.starts_on, rule.ends_on, rule.weekdays, rule.nightly_price)
        )
    return found
