"""A hotel with a priced room type, for the booking tests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from core.clock import local_now
from lodging.properties.models import Establishment
from portal.booking.models import RatePlan
from tests.factories import make_establishment

NIGHTLY = 1_250_000


@pytest.fixture
def hotel(db_session: Session) -> Establishment:
    """An approved hotel with three double rooms (101, 102, 201) at 1 250 000 ₫ a night."""
    establishment = make_establishment(db_session)
    add_plan(db_session, establishment)
    db_session.commit()
    return establishment


def add_plan(session: Session, establishment: Establishment, **overrides: object) -> RatePlan:
    values: dict[str, object] = {
        "room_type": establishment.room_types[0],
        "name": "Standard",
        "nightly_price": NIGHTLY,
        "guests_included": 2,
        "max_guests": 3,
        "extra_guest_price": 200_000,
        "free_cancellation_days": 3,
        "late_cancellation_percent": 50,
    }
    values.update(overrides)
    plan = RatePlan(**values)
    session.add(plan)
    session.flush()
    return plan


def in_days(days: int) -> dt.date:
    return local_now().date() + dt.timedelta(days=days)
