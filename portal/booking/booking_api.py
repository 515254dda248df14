"""``/api/v1/bookings``: hold a room, pay for it, confirm, cancel; the payment webhook.

No token: a booking is named by its reference, an opaque random string that only the
guest is given. The guest pays in the browser with the provider's client secret; the
provider's webhook (``/api/v1/payments/stripe/webhook``, verified on the raw body) or
the guest's return (``POST …/confirm``) confirms it, whichever comes first.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, EmailStr, Field

from core.api import API_PREFIX
from core.api_problems import problem_response
from core.clock import local_now, utcnow
from core.dates import CalendarDate
from core.extensions import db
from core.i18n import LOCALE_CODES
from core.ids import RowId
from core.problems import problem
from core.text import PersonalText
from portal.booking import checkout, services
from portal.booking.hold_limits import HOLDS_PER_ADDRESS, HOLDS_PER_EMAIL, limit_holds
from portal.booking.models import Booking, BookingStatus
from portal.booking.providers import (
    InvalidEventError,
    MalformedEventError,
    PaymentProvider,
    ProviderError,
)
from portal.booking.services import (
    Actor,
    BookingError,
    GuestContact,
    IdempotencyConflictError,
    RoomGoneError,
    StayRequest,
)

api = APIBlueprint("bookings_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="booking")])
API = Actor("guest", "api")
_TOO_MANY_HOLDS = problem_response(
    f"Too many holds: {HOLDS_PER_ADDRESS} per address and {HOLDS_PER_EMAIL} per guest e-mail,"
    " the booking pages and this API together. `Retry-After` says when to try again."
)


class BookingBody(BaseModel):
    rate_plan_id: RowId = Field(description="From an availability offer's room type.")
    arrival: CalendarDate
    departure: CalendarDate
    adults: int = Field(2, ge=1, le=services.MAX_GUESTS)
    children_ages: list[int] = Field(default_factory=list)
    name: PersonalText = Field(min_length=1, max_length=200)
    email: EmailStr
    language: str = Field("vi", description=f"One of {', '.join(LOCALE_CODES)}.")


class IdempotencyHeader(BaseModel):
    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="A unique string per booking (a UUID): a retry with the same key and "
        "body answers 200 with the booking the first attempt made, never a second one.",
    )


class BookingPath(BaseModel):
    reference: str = Field(max_length=32)


class BookingOut(BaseModel):
    reference: str
    status: str
    establishment_id: int
    room_type_id: int
    arrival: dt.date
    departure: dt.date
    total: dict[str, int | str]
    hold_expires_at: dt.datetime
    payment: dict[str, str] | None = None
    refund: int | None = None


@api.post("/bookings", responses={201: BookingOut, 200: BookingOut, 429: _TOO_MANY_HOLDS})
@limit_holds
def create_booking(header: IdempotencyHeader, body: BookingBody) -> Response:
    """Hold one room for the stay while the guest pays (at least 30 minutes).

    201 with the payment's client secret; 409 when the room is gone; 422 for a stay
    that cannot be booked, naming each field. With an `Idempotency-Key` header a
    retry answers 200 with the same booking and payment.
    """
    stay = StayRequest(body.arrival, body.departure, body.adults, tuple(body.children_ages))
    language = body.language if body.language in LOCALE_CODES else "vi"
    now = utcnow()
    try:
        services.check_request(stay, local_now().date())
        booking = services.hold_room(
            db.session,
            body.rate_plan_id,
            stay,
            GuestContact(body.name.strip(), str(body.email), language),
            now=now,
            actor=API,
            idempotency_key=header.idempotency_key,
        )
        intent = checkout.start_payment(db.session, _provider(), booking, now=now)
        created = booking.created_at == now  # not a retry answered with an earlier booking
    except BookingError as error:
        db.session.rollback()
        field_names = {"from": "arrival", "to": "departure", "guests": "adults"}
        errors = {field_names.get(k, k): str(v) for k, v in error.errors.items()}
        return problem(422, _("Invalid input"), errors=errors)
    except RoomGoneError:
        db.session.rollback()
        return problem(409, _("Sold out"), detail=_("Someone else has just taken the last room."))
    except IdempotencyConflictError:
        db.session.rollback()
        message = _("This key was used for another booking. Send a new key for a new booking.")
        return problem(422, _("Invalid input"), errors={"Idempotency-Key": message})
    except ProviderError:
        db.session.rollback()
        return _payments_down()
    db.session.commit()
    payment = {"provider": _provider().name, "client_secret": intent.client_secret}
    payment["publishable_key"] = _provider().publishable_key
    response = jsonify(_booking_out(booking, payment=payment))
    response.status_code = 201 if created else 200
    return response


@api.get("/bookings/<reference>", responses={200: BookingOut})
def get_booking(path: BookingPath) -> Response:
    """The booking's state (held, confirmed, expired, cancelled)."""
    booking = services.booking_by_reference(db.session, path.reference)
    if booking is None:
        return _not_found()
    return jsonify(_booking_out(booking))


@api.post("/bookings/<reference>/confirm", responses={200: BookingOut})
def confirm_booking(path: BookingPath) -> Response:
    """The guest is back from paying: ask the provider, and confirm if it is paid."""
    booking = services.booking_by_reference(db.session, path.reference)
    if booking is None or not booking.payments:
        return _not_found()
    try:
        checkout.fulfil(
            db.session,
            _provider(),
            booking.payments[0],
            now=utcnow(),
            actor=API,
            compose=current_app.extensions["booking_notices"],
        )
    except ProviderError:
        db.session.rollback()
        return _payments_down()
    db.session.commit()
    return jsonify(_booking_out(booking))


@api.post("/bookings/<reference>/cancel", responses={200: BookingOut})
def cancel_booking(path: BookingPath) -> Response:
    """Cancel: the rooms go back at once, the refund the policy grants follows.

    409 once the guest has checked in or the stay is over.
    """
    booking = services.booking_by_reference(db.session, path.reference)
    if booking is None:
        return _not_found()
    active = booking.status in {BookingStatus.HELD, BookingStatus.CONFIRMED}
    if active and not services.cancellable(booking, local_now().date()):
        return problem(
            409, _("Cannot cancel"), detail=_("This booking can no longer be cancelled.")
        )
    refund = checkout.cancel_and_refund(
        db.session, booking, now=utcnow(), today=local_now().date(), actor=API
    )
    db.session.commit()
    return jsonify(_booking_out(booking, refund=refund))


@api.post("/payments/stripe/webhook", doc_ui=False)
def stripe_webhook() -> Response | tuple[str, int]:
    """Stripe's events, verified on the raw body; each applied once."""
    provider = _provider()
    try:
        event = provider.parse_event(
            request.get_data(), request.headers.get("Stripe-Signature", "")
        )
    except MalformedEventError:
        return problem(
            400, _("Invalid event"), detail=_("The event is not a payment event this portal reads.")
        )
    except InvalidEventError:
        return problem(400, _("Invalid signature"))
    if event is not None:
        try:
            compose = current_app.extensions["booking_notices"]
            checkout.apply_event(db.session, provider, event, now=utcnow(), compose=compose)
        except ProviderError:
            db.session.rollback()
            return _payments_down()  # the provider sends the event again later
        db.session.commit()
    return "", 204


def _provider() -> PaymentProvider:
    provider: PaymentProvider = current_app.extensions["payment_provider"]
    return provider


def _not_found() -> Response:
    return problem(404, _("Not found"), detail=_("There is no booking with this reference."))


def _payments_down() -> Response:
    return problem(
        503,
        _("Payments unavailable"),
        detail=_("The payment service cannot be reached. Please try again in a few minutes."),
    )


def _booking_out(
    booking: Booking, *, payment: dict[str, str] | None = None, refund: int | None = None
) -> dict[str, object]:
    out = BookingOut(
        reference=booking.reference,
        status=booking.status.value,
        establishment_id=booking.establishment_id,
        room_type_id=booking.room_type_id,
        arrival=booking.arrival,
        departure=booking.departure,
        total={"amount": booking.total_amount, "currency": booking.currency},
        hold_expires_at=booking.hold_expires_at,
        payment=payment,
        refund=refund,
    )
    return out.model_dump(mode="json")
