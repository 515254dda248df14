"""The payment-provider interface: what booking needs from Stripe, VNPay or MoMo.

Booking speaks only to this interface; ``portal.booking.payments`` is the Stripe
implementation (the one module that imports ``stripe``), picked in ``create_app``.
Every call that creates something takes an idempotency key, so a retry after a lost
answer never charges or refunds twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class ProviderError(Exception):
    """The provider refused the request (a bad parameter, a refund above the charge…)."""


class ProviderUnavailableError(ProviderError):
    """The provider could not be reached or failed: the same call may be tried again."""


class InvalidEventError(ProviderError):
    """A webhook whose signature or content does not check out."""


class MalformedEventError(InvalidEventError):
    """A correctly signed webhook whose content is not an event booking can read."""


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str  # the provider's word; SUCCEEDED means paid
    client_secret: str = ""


@dataclass(frozen=True)
class PaymentEvent:
    """A provider's notification that a payment succeeded (or failed)."""

    id: str  # the provider's event id: each is applied once
    type: str
    payment_id: str
    booking_reference: str


SUCCEEDED = "succeeded"


class PaymentProvider(Protocol):
    name: str
    publishable_key: str
    script_url: str  # the provider's script, which takes the card in the guest's browser
    # Where the payment page may load from and talk to, beside the portal (CSP directives).
    page_sources: Mapping[str, tuple[str, ...]]
    # A test provider whose browser script cannot confirm a payment itself (localstripe's
    # Elements mock): the page sends the card it tokenised to ``confirm_with_card``.
    confirms_on_server: bool

    def create_payment(
        self, *, amount: int, currency: str, reference: str, language: str, idempotency_key: str
    ) -> PaymentIntent: ...

    def fetch_payment(self, payment_id: str) -> PaymentIntent: ...

    def confirm_with_card(self, payment_id: str, card_id: str) -> PaymentIntent:
        """Only when ``confirms_on_server``: pay with the card the browser tokenised."""
        ...

    def refund(self, *, payment_id: str, amount: int, idempotency_key: str) -> str:
        """Refund ``amount`` of the payment; returns the provider's refund id."""
        ...

    def parse_event(self, body: bytes, signature: str) -> PaymentEvent | None:
        """The verified event in ``body``, None for kinds booking ignores, or InvalidEventError."""
        ...
