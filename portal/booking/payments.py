"""Stripe, behind ``PaymentProvider``: PaymentIntents, refunds and signed webhooks.

The only module that imports ``stripe``. Amounts go to Stripe as they are stored:
VND is zero-decimal (1 250 000 ₫ is ``amount=1250000``), never multiplied by 100;
currencies are sent in lower case. With ``api_base`` set (localstripe in the demo and
the tests) every request goes there instead of api.stripe.com.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import stripe

from portal.booking.providers import (
    InvalidEventError,
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
        try:
            event = stripe.Webhook.construct_event(body, signature, self._webhook_secret)
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise InvalidEventError(str(error)) from error
        if event.type not in HANDLED_EVENTS:
            return None
        intent = json.loads(body)["data"]["object"]  # verified above; as plain data
        metadata = intent.get("metadata") or {}
        return PaymentEvent(
            event.id, event.type, str(intent["id"]), str(metadata.get("booking", ""))
        )

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
