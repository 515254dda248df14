"""The guest's side of a booking, on pages: book an offer, pay, see it, cancel it.

``/<lang>/lodging/book`` takes the stay from its query (the offer chosen on
``/<lang>/lodging``) and the guest's name and e-mail, holds the room and opens the
payment. ``/<lang>/bookings/<reference>`` is the booking's page from then on: the
payment while the room is held, the confirmation with its QR voucher once paid, the
refund once cancelled. The reference is random and only the guest has it (the page's
address, the e-mail): it shows and cancels this booking, nothing more.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from core.clock import local_now, utcnow
from core.extensions import db
from core.ids import row_id
from core.security import allow_sources
from portal.booking import checkout, notices, services
from portal.booking.forms import AvailabilityForm, GuestForm
from portal.booking.hold_limits import limit_holds
from portal.booking.models import Booking, BookingStatus
from portal.booking.pricing import Policy
from portal.booking.providers import SUCCEEDED, PaymentIntent, PaymentProvider, ProviderError
from portal.booking.services import (
    Actor,
    BookingError,
    GuestContact,
    IdempotencyConflictError,
    Quote,
    RoomGoneError,
    StayRequest,
)

bp = Blueprint("guest_booking", __name__, template_folder="templates", url_prefix="/<locale:lang>")
WEB = Actor("guest", "web")
# The booking's own pages: never cached on a shared computer, never indexed.
PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.route("/lodging/book", methods=["GET", "POST"])
@limit_holds
def book() -> ResponseReturnValue:
    """The chosen offer's price and terms, and the guest's name and e-mail to hold it."""
    stay_form = AvailabilityForm(formdata=request.args)
    plan_id = request.args.get("plan", type=row_id) or 0
    stay, quote, problems = _quote(stay_form, plan_id)
    form = GuestForm()
    if request.method == "GET":
        form.attempt.data = secrets.token_urlsafe(16)
        if current_user.is_authenticated:
            form.name.data, form.email.data = current_user.full_name, current_user.email
    elif stay is not None and quote is not None and form.validate():
        outcome = _hold(plan_id, stay, form)
        if isinstance(outcome, Booking):
            return redirect(url_for(".show_booking", reference=outcome.reference), 303)
        problems.append(outcome)
    page = render_template(
        "booking/book.html",
        form=form,
        quote=quote,
        stay=stay,
        problems=problems,
        policy=notices.policy_text(quote.policy, stay.arrival) if quote and stay else "",
    )
    return page, 200 if quote is not None else 400, PRIVATE


def _quote(
    stay_form: AvailabilityForm, plan_id: int
) -> tuple[StayRequest | None, Quote | None, list[str]]:
    """The stay in the query and its price, or the messages saying why it cannot be booked."""
    if not stay_form.validate() or not stay_form.date_from.data or not stay_form.date_to.data:
        return None, None, [str(e) for errors in stay_form.errors.values() for e in errors]
    stay = StayRequest(
        stay_form.date_from.data,
        stay_form.date_to.data,
        stay_form.guests.data or 2,
        stay_form.children_ages(),
    )
    try:
        services.check_request(stay, local_now().date())
        return stay, services.quote_stay(db.session, plan_id, stay), []
    except BookingError as error:
        return None, None, [str(message) for message in error.errors.values()]


def _hold(plan_id: int, stay: StayRequest, form: GuestForm) -> Booking | str:
    """Hold the room and open its payment; the booking, or why not (nothing kept)."""
    guest = GuestContact(str(form.name.data).strip(), str(form.email.data).strip(), g.lang)
    now = utcnow()
    try:
        booking = services.hold_room(
            db.session,
            plan_id,
            stay,
            guest,
            now=now,
            actor=WEB,
            idempotency_key=f"web:{form.attempt.data}" if form.attempt.data else None,
        )
        checkout.start_payment(db.session, _provider(), booking, now=now)
    except RoomGoneError:
        db.session.rollback()
        return str(_("Someone else has just taken the last room. Other rooms may still be free."))
    except BookingError as error:
        db.session.rollback()
        return " ".join(str(message) for message in error.errors.values())
    except IdempotencyConflictError:
        db.session.rollback()
        form.attempt.data = secrets.token_urlsafe(16)
        return str(_("This form was already used for another booking. Please send it again."))
    except ProviderError:
        db.session.rollback()
        return str(_("The payment service cannot be reached. Please try again in a few minutes."))
    db.session.commit()
    return booking


@bp.route("/bookings/<reference>")
def show_booking(reference: str) -> ResponseReturnValue:
    """The booking as it stands; also the page the guest comes back to after paying.

    A payment the provider says succeeded is fulfilled here too (once, whichever of
    this page and the webhook comes first).
    """
    booking = _booking(reference)
    intent: PaymentIntent | None = None
    unreachable = False
    if _awaiting_payment(booking):
        try:
            intent = _provider().fetch_payment(booking.payments[0].provider_payment_id)
            if intent.status == SUCCEEDED:
                _fulfil(booking)
                intent = None
        except ProviderError:
            db.session.rollback()
            unreachable = True
    if intent is not None:
        allow_sources(_provider().page_sources)
    page = render_template(
        "booking/booking.html",
        booking=booking,
        intent=intent,
        unreachable=unreachable,
        provider=_provider(),
        policy=notices.policy_text(Policy.from_dict(booking.policy), booking.arrival),
        refunds=checkout.refunds_of(db.session, booking),
        cancellable=_cancellable(booking),
        lapsed=booking.status is BookingStatus.HELD and booking.hold_expires_at <= utcnow(),
    )
    return page, 200, PRIVATE


@bp.route("/bookings/<reference>/card", methods=["POST"])
def pay_with_card(reference: str) -> ResponseReturnValue:
    """Only for localstripe: confirm with the card its Elements mock tokenised (JSON).

    Stripe.js confirms in the browser; this answers 404 with a real Stripe account.
    """
    provider = _provider()
    booking = _booking(reference)
    body: dict[str, Any] = request.get_json(silent=True) or {}
    card = body.get("card")
    if not provider.confirms_on_server or not _awaiting_payment(booking):
        abort(404)
    if not isinstance(card, str) or not card:
        return jsonify(error=_("Enter your card's details.")), 400
    try:
        intent = provider.confirm_with_card(booking.payments[0].provider_payment_id, card)
    except ProviderError:
        return jsonify(error=_("The card was declined. Try another card.")), 402
    if intent.status == SUCCEEDED:
        _fulfil(booking)
    return jsonify(status=intent.status)


@bp.route("/bookings/<reference>/voucher.png")
def voucher_image(reference: str) -> ResponseReturnValue:
    booking = _booking(reference)
    if booking.status is not BookingStatus.CONFIRMED:
        abort(404)
    return Response(notices.voucher_png(booking.voucher), mimetype="image/png", headers=PRIVATE)


@bp.route("/bookings/<reference>/booking.ics")
def calendar_file(reference: str) -> ResponseReturnValue:
    booking = _booking(reference)
    if booking.status is not BookingStatus.CONFIRMED:
        abort(404)
    headers = {**PRIVATE, "Content-Disposition": "attachment; filename=booking.ics"}
    body = notices.booking_calendar(booking, utcnow())
    return Response(body, mimetype="text/calendar", headers=headers)


@bp.route("/bookings/<reference>/cancel", methods=["GET", "POST"])
def cancel(reference: str) -> ResponseReturnValue:
    """What cancelling today gives back, then the cancellation itself."""
    booking = _booking(reference)
    if not _cancellable(booking):
        flash(_("This booking can no longer be cancelled here."), "error")
        return redirect(url_for(".show_booking", reference=reference), 303)
    today = local_now().date()
    if request.method == "POST":
        refund = checkout.cancel_and_refund(
            db.session, booking, now=utcnow(), today=today, actor=WEB
        )
        db.session.commit()
        if refund:
            flash(
                _(
                    "Your booking is cancelled. %(amount)s is being refunded to your card.",
                    amount=notices.money(refund, booking.currency),
                ),
                "success",
            )
        else:
            flash(_("Your booking is cancelled."), "success")
        return redirect(url_for(".show_booking", reference=reference), 303)
    paid = booking.status is BookingStatus.CONFIRMED
    refund = services.refund_if_cancelled(booking, today) if paid else 0
    page = render_template("booking/cancel.html", booking=booking, refund=refund, paid=paid)
    return page, 200, PRIVATE


def _booking(reference: str) -> Booking:
    booking = services.booking_by_reference(db.session, reference[:32])
    if booking is None:
        abort(404)
    return booking


def _awaiting_payment(booking: Booking) -> bool:
    return (
        booking.status is BookingStatus.HELD
        and bool(booking.payments)
        and booking.hold_expires_at > utcnow()
    )


def _cancellable(booking: Booking) -> bool:
    return services.cancellable(booking, local_now().date())


def _fulfil(booking: Booking) -> None:
    compose = current_app.extensions["booking_notices"]
    checkout.fulfil(
        db.session, _provider(), booking.payments[0], now=utcnow(), actor=WEB, compose=compose
    )
    db.session.commit()


def _provider() -> PaymentProvider:
    provider: PaymentProvider = current_app.extensions["payment_provider"]
    return provider
