"""Demo rate plans: every demo room type gets a price, a weekend price and a policy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.database import DbSession
from lodging.properties.models import Establishment, EstablishmentKind, RoomType
from portal.booking.models import PriceRule, RatePlan

# A night's price for two guests (VND), before the room's size is counted.
BASE_PRICE = {
    EstablishmentKind.HOMESTAY: 450_000,
    EstablishmentKind.GUESTHOUSE: 350_000,
    EstablishmentKind.HOSTEL: 250_000,
}
HOTEL_PRICE_PER_STAR = 300_000
FRIDAY_AND_SATURDAY = "56"


def demo_nightly_price(place: Establishment, room_type: RoomType) -> int:
    base = BASE_PRICE.get(place.kind, (place.stars or 2) * HOTEL_PRICE_PER_STAR)
    return base + max(0, room_type.bed_places - 2) * 150_000


def load_demo_rates(session: DbSession, now: dt.datetime) -> list[str]:
    """A standard plan for each demo room type that has none (safe to run again)."""
    priced = select(RatePlan.room_type_id)
    room_types = session.scalars(select(RoomType).where(RoomType.id.not_in(priced))).all()
    year_start = dt.date(now.year, 1, 1)
    for room_type in room_types:
        price = demo_nightly_price(room_type.establishment, room_type)
        plan = RatePlan(
            room_type=room_type,
            name="Standard",
            nightly_price=price,
            guests_included=min(2, room_type.bed_places),
            max_guests=room_type.bed_places + room_type.extra_beds,
            extra_guest_price=150_000,
            free_cancellation_days=3,
            late_cancellation_percent=50,
        )
        plan.rules.append(
            PriceRule(
                starts_on=year_start,
                ends_on=dt.date(now.year + 2, 12, 31),
                weekdays=FRIDAY_AND_SATURDAY,
                nightly_price=price * 6 // 5,
            )
        )
        session.add(plan)
    session.flush()
    return [f"Demo rate plans: {len(room_types)} room types priced"] if room_types else []
