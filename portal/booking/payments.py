"""Stripe, behind ``PaymentProvider``: PaymentIntents, refunds and signed webhooks.

The only module that imports ``stripe``. Amounts go to Stripe as they are stored:
VND is zero-decimal (1 250 000 ₫ is ``amount=1250000``), never multiplied by 100;
currencies are sent in lower case. With ``api_base`` set (localstripe in the demo and
the tests) every request goes there instead of api.stripe.com.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Annotated, Any

import stripe
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from portal.booking.providers import (
    InvalidEventError,
    MalformedEventError,
    PaymentEvent,
    PaymentIntent,
    ProviderError,
    ProviderUnavailableError,
)

# localstripe, the demo's and the tests' Stripe, when no Stripe key is set (make run starts it).
LOCALSTRIPE_URL = "http://127.0.0.1:8420"
LOCALSTRIPE_KEY = "sk_test_localstripe"
LOCALSTRIPE_WEBHOOK_SECRET = "whsec_localstripe"  # noqa: S105 - localstripe's, not a secret
# Stripe.js, loaded from Stripe as its terms require (it cannot be vendored), and what it
# needs the payment page's Content-Security-Policy to allow.
STRIPE_JS = "https://js.stripe.com/v3/"
STRIPE_PAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "script-src": ("https://js.stripe.com", "https://*.js.stripe.com"),
    "connect-src": ("https://api.stripe.com",),
    "frame-src": ("https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"),
}
# The events booking acts on; others are acknowledged and ignored.
HANDLED_EVENTS = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})
# Stripe's own tolerance: a signature more than 5 minutes old may be a replay. As far
# ahead is refused too: no honest sender signs for later (past that, fix the clock).
SIGNATURE_TOLERANCE_S = 300
# The longest event id kept (``PaymentEventSeen.event_id``); Stripe's are ~30 characters.
EVENT_ID_LENGTH = 128

_Text = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class _Envelope(BaseModel):
    """What every event carries; ``data`` is read only for the events booking handles."""

    model_config = ConfigDict(strict=True)
    id: Annotated[str, StringConstraints(min_length=1, max_length=EVENT_ID_LENGTH)]
    type: _Text
    data: Any = None


class _Intent(BaseModel):
    model_config = ConfigDict(strict=True)
    id: _Text
    metadata: dict[str, str] | None = None


class _IntentData(BaseModel):
    model_config = ConfigDict(strict=True)
    object: _Intent


class StripeProvider:
    name = "stripe"

    def __init__(
        self, *, secret_key: str, publishable_key: str, webhook_secret: str, api_base: str = ""
    ) -> None:
        self.publishable_key = publishable_key
        self._webhook_secret = webhook_secret
        if api_base:  # localstripe: its own Stripe.js mock, and its card fields
            self.script_url = f"{api_base.rstrip('/')}/js.stripe.com/v3/"
            self.page_sources: Mapping[str, tuple[str, ...]] = {
                "script-src": (api_base,),
                "connect-src": (api_base,),
            }
        else:
            self.script_url = STRIPE_JS
            self.page_sources = STRIPE_PAGE_SOURCES
        # localstripe's mock cannot confirm in the browser: the portal confirms its card.
        self.confirms_on_server = bool(api_base)
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else {},
            max_network_retries=0,  # the caller's retry keeps the same idempotency key
        )

    def create_payment(
        self, *, amount: int, currency: str, reference: str, language: str, idempotency_key: str
    ) -> PaymentIntent:
        params: Any = {
            "amount": amount,
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "metadata": {"booking": reference, "lang": language},
        }
        intent = self._call(
            self._client.v1.payment_intents.create,
            params,
            {"idempotency_key": idempotency_key},
        )
        return PaymentIntent(intent.id, intent.status, intent.client_secret or "")

    def fetch_payment(self, payment_id: str) -> PaymentIntent:
        intent = self._call(self._client.v1.payment_intents.retrieve, payment_id)
        return PaymentIntent(intent.id, intent.status, intent.client_secret or "")

    def confirm_with_card(self, payment_id: str, card_id: str) -> PaymentIntent:
        """Only for localstripe: attach the card its mock tokenised, and confirm.

        Stripe.js confirms in the browser (the Payment Element); this path exists for
        the demo's and the tests' localstripe, whose Elements mock cannot.
        """
        if not self.confirms_on_server:
            raise ProviderError("Stripe.js confirms payments in the browser")
        params: Any = {"payment_method": card_id}
        self._call(self._client.v1.payment_intents.update, payment_id, params)
        intent = self._call(self._client.v1.payment_intents.confirm, payment_id)
        return PaymentIntent(intent.id, intent.status, intent.client_secret or "")

    def refund(self, *, payment_id: str, amount: int, idempotency_key: str) -> str:
        params: Any = {"payment_intent": payment_id, "amount": amount}
        refund = self._call(
            self._client.v1.refunds.create, params, {"idempotency_key": idempotency_key}
        )
        return str(refund.id)

    def parse_event(self, body: bytes, signature: str) -> PaymentEvent | None:
        verify_signature(body, signature, self._webhook_secret, now=time.time())
        return read_event(body)

    @staticmethod
    def _call(method: Any, *args: Any) -> Any:
        try:
            return method(*args)
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise ProviderUnavailableError(str(error)) from error
        except stripe.StripeError as error:
            if (error.http_status or 500) >= 500:
                raise ProviderUnavailableError(str(error)) from error
            raise ProviderError(str(error)) from error


def verify_signature(body: bytes, header: str, secret: str, *, now: float) -> None:
    """Stripe's signature over ``body``, made within ``SIGNATURE_TOLERANCE_S`` of ``now``.

    Stripe's library refuses old signatures only; one dated in the future is refused here.
    """
    try:
        stripe.WebhookSignature.verify_header(body, header, secret, SIGNATURE_TOLERANCE_S)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidEventError(str(error)) from error
    # The first "t=" item, read as verify_header reads it: there, and a number.
    items = [item.split("=", 2) for item in header.split(",")]
    signed_at = int(next(item[1] for item in items if item[0] == "t"))
    if signed_at > now + SIGNATURE_TOLERANCE_S:
        raise InvalidEventError(f"signed {signed_at - now:.0f} s in the future")


def read_event(body: bytes) -> PaymentEvent | None:
    """The event a verified ``body`` holds, None for kinds booking ignores.

    Signed is not well-formed: anything that is not an object with an id, a type and, for
    the events booking handles, a payment with an id, is a ``MalformedEventError``.
    """
    try:
        envelope = _Envelope.model_validate_json(body)
        if envelope.type not in HANDLED_EVENTS:
            return None
        intent = _IntentData.model_validate(envelope.data).object
    except ValidationError as error:
        raise MalformedEventError(str(error)) from error
    booking = (intent.metadata or {}).get("booking", "")
    return PaymentEvent(envelope.id, envelope.type, intent.id, booking)
