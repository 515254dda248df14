"""``/<lang>/lodging``: rooms free for some dates across the province, with the stay's price.

Availability and prices come from the database (the inventory and rate plans), never
from the search index; the page works without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue

from core.clock import local_now
from core.extensions import db
from core.i18n import format_money
from lodging.properties.models import EstablishmentKind
from portal.booking.forms import AREAS, AvailabilityForm
from portal.booking.offers import Offer, find_offers
from portal.booking.services import BookingError, StayRequest, check_request

bp = Blueprint("rooms", __name__, template_folder="templates", url_prefix="/<locale:lang>")
FORM_FIELDS = {"from": "date_from", "to": "date_to", "guests": "guests", "children": "children"}


@bp.route("/lodging")
def find_rooms() -> ResponseReturnValue:
    form = AvailabilityForm(formdata=request.args)
    offers: list[Offer] | None = None
    if "from" in request.args and form.validate():
        offers = _offers(form)
    # The stay as the booking page takes it: from, to, guests, children.
    stay_query = {key: request.args[key] for key in FORM_FIELDS if request.args.get(key)}
    return render_template(
        "booking/lodging.html",
        form=form,
        offers=offers,
        stay_query=stay_query,
        markers=_markers(offers or []),
        map_tiles=current_app.config["PORTAL_SETTINGS"].map_tile_url,
    )


def _markers(offers: list[Offer]) -> list[dict[str, object]]:
    """One pin per establishment, at its cheapest offer (offers come cheapest first)."""
    pins: dict[int, dict[str, object]] = {}
    for offer in offers:
        if offer.establishment_id in pins or offer.latitude is None or offer.longitude is None:
            continue
        pins[offer.establishment_id] = {
            "lat": offer.latitude,
            "lon": offer.longitude,
            "title": f"{offer.establishment} · {format_money(offer.total, offer.currency)}",
            "url": f"#offer-{offer.establishment_id}",
        }
    return list(pins.values())


def _offers(form: AvailabilityForm) -> list[Offer] | None:
    """The offers for a valid form, or None with each impossible value's message on it."""
    arrival, departure = form.date_from.data, form.date_to.data
    if arrival is None or departure is None:
        return None
    stay = StayRequest(arrival, departure, form.guests.data or 2, form.children_ages())
    try:
        check_request(stay, local_now().date())
    except BookingError as error:
        for name, message in error.errors.items():
            getattr(form, FORM_FIELDS[name]).errors = [str(message)]
        return None
    area = form.box() or (AREAS[form.area.data][1] if form.area.data in AREAS else None)
    known = {kind.value for kind in EstablishmentKind}
    kinds = [EstablishmentKind(form.kind.data)] if form.kind.data in known else []
    return find_offers(
        db.session,
        stay,
        area=area,
        kinds=kinds,
        min_stars=form.min_stars(),
        amenities=form.known_amenities(),
        max_total=form.max_price.data,
    )
