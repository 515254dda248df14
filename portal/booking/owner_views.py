"""An establishment's bookings for its owner and staff, and cancelling one.

Looked up through the caller's membership: another establishment's id answers 404.
An establishment that cancels refunds the whole amount, whatever the policy says, and
the guest is told in their language.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import local_now, utcnow
from core.extensions import db
from core.i18n import format_money
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from portal.booking import checkout, services
from portal.booking.services import Actor

bp = Blueprint(
    "establishment_bookings", __name__, template_folder="templates", url_prefix="/<locale:lang>"
)
MEMBERS = (Role.LODGING_OWNER, Role.LODGING_STAFF)


def _establishment(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except properties.NotFoundError:
        abort(404)


@bp.route("/desk/<int:establishment_id>/bookings")
@roles_required(*MEMBERS)
def list_bookings(establishment_id: int) -> ResponseReturnValue:
    establishment = _establishment(establishment_id)
    found = services.upcoming_bookings(db.session, establishment.id, local_now().date())
    return render_template("booking/bookings.html", establishment=establishment, bookings=found)


@bp.route("/desk/<int:establishment_id>/bookings/<reference>/cancel", methods=["POST"])
@roles_required(*MEMBERS)
def cancel_booking(establishment_id: int, reference: str) -> ResponseReturnValue:
    establishment = _establishment(establishment_id)
    booking = services.booking_by_reference(db.session, reference)
    if booking is None or booking.establishment_id != establishment.id:
        abort(404)
    refund = checkout.cancel_by_establishment(
        db.session,
        booking,
        now=utcnow(),
        actor=Actor(signed_in_user().email, "desk"),
        compose=current_app.extensions["booking_notices"],
    )
    db.session.commit()
    flash(
        _(
            "The booking is cancelled; %(amount)s goes back to the guest.",
            amount=format_money(refund, booking.currency),
        )
        if refund
        else _("The booking is cancelled."),
        "success",
    )
    return redirect(url_for(".list_bookings", establishment_id=establishment.id))
