"""Paying for a held booking, and the money going back: the provider's side of booking.

``start_payment`` opens a payment at the provider for a held booking (one per
booking: the idempotency key makes a retry return the same one). ``apply_event``
takes the provider's webhook: each event once, and the payment's state re-read from
the provider (events arrive out of order) before ``fulfil`` sells the rooms. A
refund is an outbox message (``booking.refund``) sent by the workers after the
commit, with its key as the provider's idempotency key: never sent twice, never
sent for a transaction that rolled back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update

from core.database import DbSession
from core.outbox import messages as outbox
from core.outbox.mail import enqueue_mail
from core.outbox.messages import OutboxMessage, OutboxState
from portal.booking import services
from portal.booking.models import Booking, BookingStatus, Payment, PaymentEventSeen, Refund
from portal.booking.notices import Compose
from portal.booking.providers import (
    SUCCEEDED,
    PaymentEvent,
    PaymentIntent,
    PaymentProvider,
    ProviderError,
    ProviderUnavailableError,
)
from portal.booking.services import Actor, Outcome

REFUND_KIND = "booking.refund"
PAYMENTS_CHANNEL = "payments"
WEBHOOK = Actor("provider", "webhook")


def start_payment(
    session: DbSession, provider: PaymentProvider, booking: Booking, *, now: dt.datetime
) -> PaymentIntent:
    """The provider's payment for this booking (made once; the same one on a retry)."""
    session.flush()  # the booking's id names the payment
    if booking.payments:  # a retried request: its payment, not a second one
        return provider.fetch_payment(booking.payments[0].provider_payment_id)
    intent = provider.create_payment(
        amount=booking.total_amount,
        currency=booking.currency,
        reference=booking.reference,
        language=booking.language,
        idempotency_key=f"booking:{booking.id}:payment:1",
    )
    known = session.scalar(select(Payment).where(Payment.provider_payment_id == intent.id))
    if known is None:
        session.add(
            Payment(
                booking_id=booking.id,
                provider=provider.name,
                provider_payment_id=intent.id,
                amount=booking.total_amount,
                currency=booking.currency,
                status=intent.status,
                created_at=now,
            )
        )
    return intent


def apply_event(
    session: DbSession,
    provider: PaymentProvider,
    event: PaymentEvent,
    *,
    now: dt.datetime,
    compose: Compose,
) -> Outcome | None:
    """Apply a verified provider event once; None when it was seen before or is not ours."""
    seen = session.get(PaymentEventSeen, (provider.name, event.id))
    if seen is not None:
        return None
    session.add(
        PaymentEventSeen(
            provider=provider.name, event_id=event.id, type=event.type, received_at=now
        )
    )
    payment = session.scalar(select(Payment).where(Payment.provider_payment_id == event.payment_id))
    if payment is None:
        return None
    return fulfil(session, provider, payment, now=now, actor=WEBHOOK, compose=compose)


def fulfil(
    session: DbSession,
    provider: PaymentProvider,
    payment: Payment,
    *,
    now: dt.datetime,
    actor: Actor,
    compose: Compose,
) -> Outcome | None:
    """Sell the rooms if the provider says the payment succeeded (idempotent).

    Called from the webhook and from the guest's return page alike. The guest gets the
    confirmation with the QR voucher; a payment that arrives after its hold lapsed and
    the room went is refunded in full at once, and the guest is told why.
    """
    current = provider.fetch_payment(payment.provider_payment_id)
    payment.status = current.status
    if current.status != SUCCEEDED:
        return None
    # Claim the payment in one guarded update: the webhook and the return page may
    # arrive together, and a payment is applied (rooms sold, or refunded) only once.
    claimed = session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.paid_at.is_(None))
        .values(paid_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast("CursorResult[Any]", claimed).rowcount != 1:
        return Outcome.ALREADY
    session.refresh(payment)
    session.refresh(payment.booking)
    outcome = services.confirm_booking(session, payment.booking, now=now, actor=actor)
    if outcome is Outcome.REFUND:
        queue_refund(session, payment, payment.amount, reason="room_gone", now=now)
        _tell(session, payment.booking, "room_gone", now, compose)
    elif outcome is Outcome.CONFIRMED:
        _tell(session, payment.booking, "confirmed", now, compose)
    return outcome


def _tell(
    session: DbSession, booking: Booking, kind: str, now: dt.datetime, compose: Compose
) -> None:
    notice = compose(booking, kind, now)
    enqueue_mail(
        session,
        to=[booking.guest_email],
        subject=notice.subject,
        text=notice.text,
        key=f"booking:{booking.id}:{kind}",
        now=now,
        lang=booking.language,
        attachments=notice.attachments,
    )


def cancel_and_refund(
    session: DbSession, booking: Booking, *, now: dt.datetime, today: dt.date, actor: Actor
) -> int:
    """Cancel (the rooms go back at once) and queue the refund the policy grants."""
    amount = services.cancel_booking(session, booking, now=now, today=today, actor=actor)
    payment = session.scalar(
        select(Payment).where(Payment.booking_id == booking.id, Payment.paid_at.is_not(None))
    )
    if amount and payment is not None:
        queue_refund(session, payment, amount, reason="cancelled", now=now)
    return amount if payment is not None else 0


def refunds_of(session: DbSession, booking: Booking) -> list[Refund]:
    return list(
        session.scalars(select(Refund).where(Refund.booking_id == booking.id).order_by(Refund.id))
    )


def cancel_by_establishment(
    session: DbSession, booking: Booking, *, now: dt.datetime, actor: Actor, compose: Compose
) -> int:
    """The establishment cancels: the rooms go back, the whole amount paid is refunded.

    The guest is told in their language. Returns the refund (0 for an unpaid hold).
    """
    if booking.status not in {BookingStatus.HELD, BookingStatus.CONFIRMED}:
        return 0
    services.cancel_booking(session, booking, now=now, today=booking.arrival, actor=actor)
    payment = session.scalar(
        select(Payment).where(Payment.booking_id == booking.id, Payment.paid_at.is_not(None))
    )
    _tell(session, booking, "cancelled_by_establishment", now, compose)
    if payment is None:
        return 0
    queue_refund(session, payment, payment.amount, reason="cancelled_by_establishment", now=now)
    return payment.amount


def queue_refund(
    session: DbSession, payment: Payment, amount: int, *, reason: str, now: dt.datetime
) -> Refund:
    count = session.scalar(
        select(func.count(Refund.id)).where(Refund.booking_id == payment.booking_id)
    )
    key = f"booking:{payment.booking_id}:refund:{(count or 0) + 1}"
    refund = Refund(
        booking_id=payment.booking_id,
        payment=payment,
        amount=amount,
        reason=reason,
        key=key,
        created_at=now,
    )
    session.add(refund)
    session.flush()
    outbox.enqueue(session, kind=REFUND_KIND, key=key, payload={"refund_id": refund.id}, now=now)
    return refund


def refund_handler(provider: PaymentProvider) -> outbox.Handler:
    """The outbox handler that sends refunds to ``provider``."""

    def deliver(session: DbSession, message: OutboxMessage, now: dt.datetime) -> outbox.Outcome:
        refund = session.get(Refund, message.payload["refund_id"])
        if refund is None:
            return outbox.Outcome("rejected", errors={"refund_id": "no such refund"})
        try:
            receipt = provider.refund(
                payment_id=refund.payment.provider_payment_id,
                amount=refund.amount,
                idempotency_key=message.key,
            )
        except ProviderUnavailableError as error:
            return outbox.Outcome("retry", detail=str(error))
        except ProviderError as error:
            return outbox.Outcome("rejected", errors={"refund": str(error)}, detail=str(error))
        return outbox.Outcome("delivered", receipt_id=receipt)

    return deliver


def follow_refund(
    session: DbSession, message: OutboxMessage, state: OutboxState, now: dt.datetime
) -> None:
    """Keep a refund's state (and the provider's refund id) on the refund."""
    if message.kind != REFUND_KIND:
        return
    refund = session.get(Refund, message.payload["refund_id"])
    if refund is not None:
        refund.status = state.value
        refund.provider_refund_id = message.receipt_id or refund.provider_refund_id
