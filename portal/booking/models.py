"""Booking's tables: rate plans, the nightly inventory, bookings and their history.

Money is an integer amount in the currency's minor unit (VND has none: 1 250 000 ₫
is ``1250000``). Nights are Vietnam local dates: a booking from ``arrival`` to
``departure`` takes the nights ``arrival <= night < departure``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, enum_type
from lodging.properties.models import Establishment, RoomType

VND = "VND"


class RatePlan(Base):
    """What one room type costs a night, for how many guests, and how it is cancelled.

    The cancellation policy: a full refund up to ``free_cancellation_days`` before the
    arrival day; later, ``late_cancellation_percent`` of the total is kept.
    """

    __tablename__ = "booking_rate_plan"
    __table_args__ = (
        CheckConstraint("nightly_price >= 0", name="nightly_price"),
        CheckConstraint("extra_guest_price >= 0", name="extra_guest_price"),
        CheckConstraint("guests_included >= 1", name="guests_included"),
        CheckConstraint("max_guests >= guests_included", name="max_guests"),
        CheckConstraint("min_nights >= 1", name="min_nights"),
        CheckConstraint("max_nights >= min_nights", name="max_nights"),
        CheckConstraint("late_cancellation_percent BETWEEN 0 AND 100", name="late_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_type_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_room_type.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3), default=VND)
    nightly_price: Mapped[int]
    guests_included: Mapped[int] = mapped_column(default=2)
    max_guests: Mapped[int] = mapped_column(default=2)
    extra_guest_price: Mapped[int] = mapped_column(default=0)
    min_nights: Mapped[int] = mapped_column(default=1)
    max_nights: Mapped[int] = mapped_column(default=30)
    free_cancellation_days: Mapped[int] = mapped_column(default=1)
    late_cancellation_percent: Mapped[int] = mapped_column(default=100)
    active: Mapped[bool] = mapped_column(default=True)

    room_type: Mapped[RoomType] = relationship()
    rules: Mapped[list[PriceRule]] = relationship(
        back_populates="rate_plan", order_by="PriceRule.id", cascade="all, delete-orphan"
    )


class PriceRule(Base):
    """Another price for the nights of a date range (a season), or of some weekdays in it.

    ``weekdays`` lists ISO weekday numbers as digits ("56" is Friday and Saturday
    nights); empty means every night. When several rules cover a night, the last
    one added wins.
    """

    __tablename__ = "booking_price_rule"
    __table_args__ = (
        CheckConstraint("nightly_price >= 0", name="nightly_price"),
        CheckConstraint("starts_on <= ends_on", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rate_plan_id: Mapped[int] = mapped_column(
        ForeignKey("booking_rate_plan.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]  # the last night the rule covers
    weekdays: Mapped[str] = mapped_column(String(7), default="")
    nightly_price: Mapped[int]

    rate_plan: Mapped[RatePlan] = relationship(back_populates="rules")


class InventoryNight(Base):
    """One room type on one night: how many rooms exist, are sold, are held.

    ``rooms`` is the room type's rooms net of closures; the check constraint is the
    last line of defence: no update can leave more sold and held than there are.
    """

    __tablename__ = "booking_inventory"
    __table_args__ = (
        UniqueConstraint("room_type_id", "night"),
        CheckConstraint("sold >= 0 AND held >= 0", name="not_negative"),
        CheckConstraint("sold + held <= rooms", name="never_oversold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_type_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_room_type.id", ondelete="CASCADE")
    )
    night: Mapped[dt.date] = mapped_column(index=True)
    rooms: Mapped[int]
    sold: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)


class BookingStatus(StrEnum):
    HELD = "held"  # the rooms are kept while the guest pays
    CONFIRMED = "confirmed"  # paid: the rooms are sold
    EXPIRED = "expired"  # the hold lapsed before payment: the rooms went back
    CANCELLED = "cancelled"


class Booking(Base):
    """A tourist's booking of one room type for some nights, from hold to stay."""

    __tablename__ = "booking_booking"
    __table_args__ = (
        Index("ix_booking_booking_status_hold", "status", "hold_expires_at"),
        CheckConstraint("arrival < departure", name="dates"),
        CheckConstraint("total_amount >= 0", name="total_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Opaque and random: it names the booking in links and the QR voucher, grants nothing.
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    # What the QR voucher holds: finds the booking at the desk, and nothing else.
    voucher: Mapped[str] = mapped_column(String(16), unique=True)
    # The client's Idempotency-Key: a retried request gets this booking, not a second one.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id"), index=True
    )
    room_type_id: Mapped[int] = mapped_column(ForeignKey("lodging_room_type.id"))
    rate_plan_id: Mapped[int] = mapped_column(ForeignKey("booking_rate_plan.id"))
    arrival: Mapped[dt.date]
    departure: Mapped[dt.date]
    adults: Mapped[int]
    children_ages: Mapped[list[int]] = mapped_column(JSON, default=list)
    total_amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3), default=VND)
    # The rate plan's cancellation terms when the booking was made: they decide refunds.
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[BookingStatus] = mapped_column(enum_type(BookingStatus))
    hold_expires_at: Mapped[dt.datetime]
    guest_name: Mapped[str] = mapped_column(String(200))
    guest_email: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime]
    confirmed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    # The stay declared at the desk from this booking's voucher (once).
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("lodging_stay.id"))
    checked_in_at: Mapped[dt.datetime | None]

    establishment: Mapped[Establishment] = relationship()
    room_type: Mapped[RoomType] = relationship()
    history: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", order_by="BookingEvent.id"
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="booking", order_by="Payment.id")


class BookingEvent(Base):
    """Append-only: who changed a booking, when, through which channel, before → after."""

    __tablename__ = "booking_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking_booking.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(16))
    before: Mapped[str] = mapped_column(String(16), default="")
    after: Mapped[str] = mapped_column(String(16), default="")

    booking: Mapped[Booking] = relationship(back_populates="history")


class Payment(Base):
    """A booking's payment at the provider (a Stripe PaymentIntent)."""

    __tablename__ = "booking_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking_booking.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(String(16))
    provider_payment_id: Mapped[str] = mapped_column(String(128), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(32))  # the provider's word
    created_at: Mapped[dt.datetime]
    paid_at: Mapped[dt.datetime | None]

    booking: Mapped[Booking] = relationship(back_populates="payments")


class Refund(Base):
    """Money going back; sent to the provider through the outbox under ``key``."""

    __tablename__ = "booking_refund"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("booking_booking.id", ondelete="CASCADE"), index=True
    )
    payment_id: Mapped[int] = mapped_column(ForeignKey("booking_payment.id"))
    amount: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))  # cancelled, room_gone
    key: Mapped[str] = mapped_column(String(128), unique=True)  # also the idempotency key
    status: Mapped[str] = mapped_column(String(16), default="queued")  # the outbox state
    provider_refund_id: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[dt.datetime]

    payment: Mapped[Payment] = relationship()


class PaymentEventSeen(Base):
    """Each provider event applied once: providers resend, and in any order."""

    __tablename__ = "booking_payment_event"

    provider: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime]
