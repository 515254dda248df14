"""``/api/v1/availability``: rooms free for some dates, with the stay's total price.

Public (no token). Availability and prices come from the inventory and rate plans in
the database, never from the search index. Impossible dates or guests are 400
problem+json naming each parameter, in the caller's Accept-Language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from flask import Response, jsonify, request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, WithJsonSchema

from core.api import API_PREFIX
from core.clock import local_now
from core.extensions import db
from core.problems import problem
from lodging.properties.models import EstablishmentKind
from portal.booking import services
from portal.booking.offers import Area, Offer, find_offers
from portal.booking.services import BookingError, StayRequest

api = APIBlueprint("booking_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="booking")])
MAX_LIMIT = 100
T = TypeVar("T")
_Date = Annotated[str | None, WithJsonSchema({"type": "string", "format": "date"})]
_Int = Annotated[str | None, WithJsonSchema({"type": "integer", "minimum": 1})]


class AvailabilityArgs(BaseModel):
    date_from: _Date = Field(None, alias="from", description="Arrival day (YYYY-MM-DD).")
    date_to: _Date = Field(None, alias="to", description="Departure day (YYYY-MM-DD).")
    guests: _Int = Field(None, description="Adults (default 2).")
    children: str | None = Field(None, description="Children's ages, comma-separated: 4,9.")
    bbox: str | None = Field(None, description="SOUTH,WEST,NORTH,EAST: only inside this area.")
    kind: str | None = Field(None, description="hotel, homestay, guesthouse, …")
    limit: _Int = Field(
        None, description=f"At most this many offers (default 50, max {MAX_LIMIT})."
    )


class Money(BaseModel):
    amount: int = Field(description="In the currency's minor unit (VND has none).")
    currency: str


class OfferOut(BaseModel):
    establishment_id: int
    establishment: str
    kind: str
    room_type_id: int
    room_type: str
    rate_plan_id: int = Field(description="What POST /api/v1/bookings takes to book it.")
    nights: int
    total: Money
    available: int = Field(description="Rooms of this type free on every night.")


class AvailabilityOut(BaseModel):
    offers: list[OfferOut]


class _ArgsError(ValueError):
    pass


@api.get("/availability", responses={200: AvailabilityOut})
def availability(query: AvailabilityArgs) -> Response | tuple[Response, int]:
    """Room types free on every night from ``from`` to ``to``, cheapest first."""
    errors: dict[str, str] = {}
    request_, area, kinds, limit = _parse(errors)
    if request_ is not None:
        try:
            services.check_request(request_, local_now().date())
        except BookingError as error:
            for name, message in error.errors.items():
                errors.setdefault(name, str(message))  # a parameter's first problem
    if errors or request_ is None:
        return problem(
            400,
            _("Invalid parameters"),
            detail=_("Some parameters are not valid."),
            errors=errors,
        )
    offers = find_offers(db.session, request_, area=area, kinds=kinds, limit=limit)
    return jsonify(offers=[_offer_out(offer) for offer in offers])


def _parse(
    errors: dict[str, str],
) -> tuple[StayRequest | None, Area | None, list[EstablishmentKind], int]:
    args = request.args
    arrival = _read(
        errors, "from", args.get("from"), dt.date.fromisoformat, _l("A date like 2026-05-01.")
    )
    departure = _read(
        errors, "to", args.get("to"), dt.date.fromisoformat, _l("A date like 2026-05-01.")
    )
    adults = _read(errors, "guests", args.get("guests") or "2", int, _l("A whole number."))
    children = _read(
        errors, "children", args.get("children") or "", _ages, _l("Ages, comma-separated: 4,9.")
    )
    area = _read(
        errors,
        "bbox",
        args.get("bbox") or None,
        Area.parse,
        _l("Four numbers: south,west,north,east."),
        required=False,
    )
    limit = _read(errors, "limit", args.get("limit") or "50", int, _l("A whole number."))
    kinds = _read(errors, "kind", args.get("kind") or "", _kinds, _l("Not a kind of lodging."))
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = str(_l("Between 1 and %(count)s.", count=MAX_LIMIT))
    if arrival is None or departure is None or adults is None:
        return None, area, kinds or [], limit or 50
    stay = StayRequest(arrival, departure, adults, tuple(children or ()))
    return stay, area, kinds or [], limit or 50


def _read(
    errors: dict[str, str],
    name: str,
    raw: str | None,
    convert: Callable[[str], T],
    message: LazyString,
    *,
    required: bool = True,
) -> T | None:
    if raw is None:
        if required:
            errors[name] = _("This parameter is required.")
        return None
    try:
        return convert(raw.strip())
    except ValueError:
        errors[name] = str(message)
        return None


def _ages(raw: str) -> list[int]:
    return [int(part) for part in raw.split(",") if part.strip()]


def _kinds(raw: str) -> list[EstablishmentKind]:
    return [EstablishmentKind(part.strip()) for part in raw.split(",") if part.strip()]


def _offer_out(offer: Offer) -> dict[str, object]:
    out = OfferOut(
        establishment_id=offer.establishment_id,
        establishment=offer.establishment,
        kind=offer.kind.value,
        room_type_id=offer.room_type_id,
        room_type=offer.room_type,
        rate_plan_id=offer.rate_plan_id,
        nights=offer.nights,
        total=Money(amount=offer.total, currency=offer.currency),
        available=offer.available,
    )
    return out.model_dump(mode="json")
