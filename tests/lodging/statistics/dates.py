"""Dates and guests shared by the ledger's tests."""

from __future__ import annotations

import datetime as dt

from core.clock import VIETNAM, local_now
from lodging.registration.declarations import ForeignerInput, GuestInput
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, GuestRole, PassportType, VisaType
from tests.factories import citizen, foreigner

DESK = Actor(None, "test", Channel.DESK)


def day0() -> dt.date:
    """A Monday three weeks ago: every stay in these tests is in the past."""
    today = local_now().date()
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(days=21)


def at(day: dt.date, hour: int = 14) -> dt.datetime:
    """``hour`` o'clock in Vietnam on ``day``, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VIETNAM)


def couple() -> tuple[GuestInput, GuestInput]:
    """Two Hanoians: a head of family and her husband."""
    return (
        citizen(role=GuestRole.HEAD),
        citizen(
            full_name="Trần Văn Bình",
            sex=Sex.M,
            document_number="001090054321",
            role=GuestRole.MEMBER,
            relationship="husband",
        ),
    )


def korean(arrival_day: dt.date, **overrides: object) -> GuestInput:
    """A Korean resident who entered Vietnam the day before ``arrival_day``."""
    entry = ForeignerInput(
        passport_type=PassportType.ORDINARY,
        visa_type=VisaType.EXEMPT,
        entry_date=arrival_day - dt.timedelta(days=1),
        entry_port="Nội Bài",
        entry_purpose="tourism",
    )
    return foreigner(foreigner=entry, **overrides)
