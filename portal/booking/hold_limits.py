"""How many rooms one address and one e-mail may hold: one rule for the pages and the API.

A hold keeps a room from everyone else for ``services.HOLD_MINUTES`` without paying, so
holds are counted, through the booking page and ``POST /api/v1/bookings`` together: per
address (a hotel's Wi-Fi may carry many guests, hence 30 an hour) and per guest e-mail (a
family or a small group books its rooms one by one; a tour operator books with the hotel).
Only a new hold counts: the page's redirect to the booking (303), the API's 201 (not the
200 that answers a retry with the same Idempotency-Key), never a refused request.

One booking holds one room by construction (``services.hold_room`` takes one room a
night, and no request says more): the cap on rooms per booking is 1, so a guest's rooms
are holds, each counted here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import Response, request

from core.crypto import cipher
from core.extensions import limiter

HOLDS_PER_ADDRESS = "30 per hour"
HOLDS_PER_EMAIL = "10 per hour"

F = TypeVar("F", bound=Callable[..., object])


def limit_holds(view: F) -> F:
    """The limits the booking page and the bookings API both wear (POST only)."""
    per_email = limiter.shared_limit(
        HOLDS_PER_EMAIL,
        scope="booking-holds-per-email",
        key_func=_email_key,
        methods=["POST"],
        deduct_when=_held,
    )
    per_address = limiter.shared_limit(
        HOLDS_PER_ADDRESS, scope="booking-holds-per-address", methods=["POST"], deduct_when=_held
    )
    return cast(F, per_address(per_email(view)))


def _held(response: Response) -> bool:
    return response.status_code in {201, 303}


def _email_key() -> str:
    """The guest's e-mail, as typed on the page or sent to the API, as a keyed hash.

    Not the address itself: the limits' storage (Redis) holds no personal data. A body
    that names no e-mail holds nothing, so its (empty) key is never counted.
    """
    email = request.form.get("email", "") if request.form else _json_email()
    normalised = email.strip().casefold()
    return cipher().lookup_hash(normalised, context="booking-hold-email") if normalised else ""


def _json_email() -> str:
    body = request.get_json(silent=True)  # too deep a body is the JSON reader's 400
    email = body.get("email") if isinstance(body, dict) else None
    return email if isinstance(email, str) else ""
