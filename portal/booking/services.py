"""Booking: hold a room while the guest pays, confirm, cancel, sweep lapsed holds.

Services take plain arguments (a session, dates, ids, the time) and never touch the
request; the caller commits. A hold takes every night in one guarded update or none
(``inventory.take_nights``) and lasts ``HOLD_MINUTES``; ``release_lapsed_holds`` gives
lapsed holds' rooms back. ``confirm_booking`` is idempotent: the payment webhook and the
guest's return page may both call it.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.database import DbSession as Session
from portal.booking import inventory, pricing
from portal.booking.models import Booking, BookingEvent, BookingStatus, RatePlan

HOLD_MINUTES = 30
MAX_NIGHTS = 30
MAX_GUESTS = 20


class BookingError(ValueError):
    """A request that cannot be booked: messages by field."""

    def __init__(self, errors: dict[str, LazyString]) -> None:
        super().__init__(errors)
        self.errors = errors


class RoomGoneError(LookupError):
    """Someone else took the last room for at least one of the nights."""


class IdempotencyConflictError(ValueError):
    """The Idempotency-Key was used before for another booking request."""


class Outcome(StrEnum):
    CONFIRMED = "confirmed"  # the rooms are sold to this booking
    ALREADY = "already"  # it was confirmed before (a second call)
    REFUND = "refund"  # paid after the hold lapsed and the room is gone: refund it all


@dataclass(frozen=True)
class StayRequest:
    arrival: dt.date
    departure: dt.date
    adults: int
    children_ages: Sequence[int] = field(default_factory=tuple)

    @property
    def guests(self) -> int:
        return pricing.counted_guests(self.adults, self.children_ages)


@dataclass(frozen=True)
class Actor:
    label: str  # who: an e-mail, "guest", "system"
    channel: str  # web, api, webhook, desk, sweeper


def check_request(request: StayRequest, today: dt.date) -> None:
    """Dates and guests that can be booked at all, or a BookingError naming the field."""
    errors: dict[str, LazyString] = {}
    if request.arrival < today:
        errors["from"] = _l("The arrival date has passed.")
    elif (request.arrival - today).days > pricing.MAX_NIGHTS_AHEAD:
        errors["from"] = _l(
            "Rooms can be booked up to %(days)s days ahead.", days=pricing.MAX_NIGHTS_AHEAD
        )
    if request.departure <= request.arrival:
        errors["to"] = _l("The departure must be after the arrival.")
    elif (request.departure - request.arrival).days > MAX_NIGHTS:
        errors["to"] = _l("A booking is for at most %(nights)s nights.", nights=MAX_NIGHTS)
    if not 1 <= request.adults <= MAX_GUESTS:
        errors["guests"] = _l("Between 1 and %(count)s adults.", count=MAX_GUESTS)
    if any(not 0 <= age <= 17 for age in request.children_ages):
        errors["children"] = _l("A child's age is between 0 and 17.")
    if errors:
        raise BookingError(errors)


def plan_of(rate_plan: RatePlan) -> pricing.Plan:
    return pricing.Plan(
        nightly_price=rate_plan.nightly_price,
        guests_included=rate_plan.guests_included,
        max_guests=rate_plan.max_guests,
        extra_guest_price=rate_plan.extra_guest_price,
        min_nights=rate_plan.min_nights,
        max_nights=rate_plan.max_nights,
        rules=tuple(
            pricing.Rule(r.starts_on, r.ends_on, r.weekdays, r.nightly_price)
            for r in rate_plan.rules
        ),
    )


@dataclass(frozen=True)
class Quote:
    """What a stay on a rate plan costs, and the terms it would be booked on."""

    plan: RatePlan
    nights: int
    total: int
    policy: pricing.Policy


def quote_stay(session: Session, rate_plan_id: int, request: StayRequest) -> Quote:
    """The price of ``request`` on the plan, or a BookingError (no such offer, does not fit)."""
    plan = session.get(RatePlan, rate_plan_id)
    if plan is None or not plan.active:
        raise BookingError({"rate_plan_id": _l("This offer does not exist (any more).")})
    terms = plan_of(plan)
    if not pricing.fits(terms, request.arrival, request.departure, request.guests):
        raise BookingError({"guests": _l("This room does not take this stay.")})
    return Quote(
        plan=plan,
        nights=(request.departure - request.arrival).days,
        total=pricing.stay_total(terms, request.arrival, request.departure, request.guests),
        policy=pricing.Policy(plan.free_cancellation_days, plan.late_cancellation_percent),
    )


@dataclass(frozen=True)
class GuestContact:
    name: str
    email: str
    language: str


def hold_room(
    session: Session,
    rate_plan_id: int,
    request: StayRequest,
    guest: GuestContact,
    *,
    now: dt.datetime,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Booking:
    """Hold one room for every night of the stay while the guest pays, or RoomGoneError.

    On RoomGoneError nothing was changed; the caller should still roll back. With an
    ``idempotency_key`` used before for the same request, that booking is returned
    (``booking.created_at < now``); for another request, IdempotencyConflictError.
    """
    if idempotency_key:
        earlier = session.scalar(select(Booking).where(Booking.idempotency_key == idempotency_key))
        if earlier is not None:
            return _same_request(earlier, rate_plan_id, request, guest)
    quote = quote_stay(session, rate_plan_id, request)
    plan = quote.plan
    inventory.refresh_inventory(session, [plan.room_type_id], request.arrival, request.departure)
    if not inventory.take_nights(session, plan.room_type_id, request.arrival, request.departure):
        raise RoomGoneError(plan.room_type_id)
    booking = Booking(
        reference=secrets.token_urlsafe(18),
        voucher=new_voucher(),
        establishment_id=plan.room_type.establishment_id,
        room_type_id=plan.room_type_id,
        rate_plan_id=plan.id,
        arrival=request.arrival,
        departure=request.departure,
        adults=request.adults,
        children_ages=list(request.children_ages),
        total_amount=quote.total,
        currency=plan.currency,
        policy=quote.policy.as_dict(),
        status=BookingStatus.HELD,
        hold_expires_at=now + dt.timedelta(minutes=HOLD_MINUTES),
        guest_name=guest.name,
        guest_email=guest.email,
        language=guest.language,
        created_at=now,
        idempotency_key=idempotency_key or None,
    )
    session.add(booking)
    _record(session, booking, "hold", actor, now, before="")
    return booking


def _same_request(
    booking: Booking, rate_plan_id: int, request: StayRequest, guest: GuestContact
) -> Booking:
    asked = (rate_plan_id, request.arrival, request.departure, request.adults, guest.email)
    held = (booking.rate_plan_id, booking.arrival, booking.departure, booking.adults)
    if (
        asked != (*held, booking.guest_email)
        or list(request.children_ages) != booking.children_ages
    ):
        raise IdempotencyConflictError(booking.idempotency_key)
    return booking


def new_voucher() -> str:
    """16 letters and digits (base32: no 0/O or 1/I to confuse), easy to type at a desk."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def confirm_booking(
    session: Session, booking: Booking, *, now: dt.datetime, actor: Actor
) -> Outcome:
    """The guest has paid: sell the held rooms (idempotent).

    A payment for a lapsed hold still gets its rooms if they are free; if they are
    not, the outcome is REFUND and the booking is cancelled: never an oversale.
    """
    if booking.status is BookingStatus.CONFIRMED:
        return Outcome.ALREADY
    before = booking.status
    # A lapsed hold's rooms went back: take them again if they are still free.
    still_held = booking.status is BookingStatus.HELD or (
        booking.status is BookingStatus.EXPIRED
        and inventory.take_nights(session, booking.room_type_id, booking.arrival, booking.departure)
    )
    if still_held:
        inventory.move_nights(
            session, booking.room_type_id, booking.arrival, booking.departure, sold=1, held=-1
        )
    else:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        _record(session, booking, "refund_room_gone", actor, now, before=before)
        return Outcome.REFUND
    booking.status = BookingStatus.CONFIRMED
    booking.confirmed_at = now
    _record(session, booking, "confirm", actor, now, before=before)
    return Outcome.CONFIRMED


def cancel_booking(
    session: Session, booking: Booking, *, now: dt.datetime, today: dt.date, actor: Actor
) -> int:
    """Cancel and give the rooms back at once; returns the refund the policy grants.

    A held (unpaid) booking refunds nothing; cancelling twice changes nothing the second time.
    """
    if booking.status in {BookingStatus.CANCELLED, BookingStatus.EXPIRED}:
        return 0
    before = booking.status
    paid = booking.status is BookingStatus.CONFIRMED
    inventory.move_nights(
        session,
        booking.room_type_id,
        booking.arrival,
        booking.departure,
        sold=-1 if paid else 0,
        held=0 if paid else -1,
    )
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    _record(session, booking, "cancel", actor, now, before=before)
    return refund_if_cancelled(booking, today) if paid else 0


def cancellable(booking: Booking, today: dt.date) -> bool:
    """Whether the guest may still cancel: held or paid, not checked in, not over."""
    return (
        booking.status in {BookingStatus.HELD, BookingStatus.CONFIRMED}
        and booking.checked_in_at is None
        and booking.departure > today
    )


def refund_if_cancelled(booking: Booking, today: dt.date) -> int:
    """What the policy on a paid booking gives back if it is cancelled ``today``."""
    policy = pricing.Policy.from_dict(booking.policy)
    return pricing.refund_amount(policy, booking.total_amount, booking.arrival, today)


def release_lapsed_holds(session: Session, now: dt.datetime) -> int:
    """Give back the rooms of every hold that lapsed unpaid; returns how many."""
    lapsed = session.scalars(
        select(Booking)
        .where(Booking.status == BookingStatus.HELD, Booking.hold_expires_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for booking in lapsed:
        inventory.move_nights(
            session, booking.room_type_id, booking.arrival, booking.departure, sold=0, held=-1
        )
        booking.status = BookingStatus.EXPIRED
        _record(
            session, booking, "expire", Actor("system", "sweeper"), now, before=BookingStatus.HELD
        )
    return len(lapsed)


def upcoming_bookings(session: Session, establishment_id: int, today: dt.date) -> list[Booking]:
    """Held and paid bookings that have not left yet, soonest first."""
    query = (
        select(Booking)
        .where(
            Booking.establishment_id == establishment_id,
            Booking.status.in_((BookingStatus.HELD, BookingStatus.CONFIRMED)),
            Booking.departure > today,
        )
        .order_by(Booking.arrival, Booking.id)
    )
    return list(session.scalars(query))


def booking_by_reference(session: Session, reference: str) -> Booking | None:
    return session.scalar(select(Booking).where(Booking.reference == reference))


def _record(
    session: Session, booking: Booking, action: str, actor: Actor, now: dt.datetime, *, before: str
) -> None:
    session.add(
        BookingEvent(
            booking=booking,
            at=now,
            action=action,
            actor=actor.label,
            channel=actor.channel,
            before=str(before),
            after=str(booking.status),
        )
    )
