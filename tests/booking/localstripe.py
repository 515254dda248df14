"""A real localstripe server for the payment tests, and a guest's browser paying.

localstripe speaks Stripe's HTTP API (PaymentIntents, refunds) and posts signed
webhooks to the URLs it is given, about a second after each event.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import stripe

from tests.smtp_server import free_port

CARD: Any = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"}


@contextmanager
def localstripe() -> Iterator[str]:
    """Run localstripe (empty) on a free loopback port; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("localstripe did not start") from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def pay(base_url: str, client_secret: str) -> Any:
    """What the Payment Element does in the guest's browser: a card, then confirm."""
    client = stripe.StripeClient("sk_test_localstripe", base_addresses={"api": base_url})
    intent_id = client_secret.partition("_secret_")[0]
    method = client.v1.payment_methods.create(params={"type": "card", "card": CARD})
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    return client.v1.payment_intents.confirm(intent_id)


def refunds_of(base_url: str, intent_id: str) -> list[int]:
    client = stripe.StripeClient("sk_test_localstripe", base_addresses={"api": base_url})
    return [
        refund.amount for refund in client.v1.refunds.list(params={"payment_intent": intent_id})
    ]
