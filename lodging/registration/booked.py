"""The desk's voucher box: a booking's QR code (scanned) or code (typed) opens check-in.

The voucher only finds a paid booking of this establishment; it opens the declaration
form pre-filled from the booking, and the guests' documents are still checked there.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from lodging.properties import services as properties
from lodging.properties.services import NotFoundError
from lodging.registration import bookings
from portal.core.auth.access import roles_required, signed_in_user
from portal.core.auth.roles import Role
from portal.core.clock import utcnow
from portal.core.extensions import db

bp = Blueprint("booked", __name__, url_prefix="/<locale:lang>")


@bp.route("/desk/<int:establishment_id>/voucher")
@roles_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def find_voucher(establishment_id: int) -> ResponseReturnValue:
    try:
        properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except NotFoundError:
        abort(404)
    typed = request.args.get("code", "")
    booking = bookings.find_booking(db.session, establishment_id, typed)
    desk = url_for("registration.desk", establishment=establishment_id)
    if booking is None:
        flash(
            _("No paid booking at this establishment has the voucher %(code)s.", code=typed),
            "error",
        )
        return redirect(desk)
    if booking.checked_in:
        flash(_("This booking is already checked in."), "error")
        return redirect(desk)
    if booking.self_checkin_stay_id is not None:
        # The guest checked in online: the desk confirms each guest against their papers.
        stay_id = booking.self_checkin_stay_id
        try:
            bookings.check_in_booking(
                db.session, establishment_id, booking.voucher, stay_id, utcnow()
            )
        except bookings.AlreadyCheckedInError:
            db.session.rollback()  # another receptionist, a moment earlier
            flash(_("This booking is already checked in."), "error")
            return redirect(desk)
        db.session.commit()
        flash(
            _(
                "%(name)s checked in online before arriving. Compare each guest with their"
                " papers and confirm them: nothing is reported before that.",
                name=booking.guest_name,
            ),
            "success",
        )
        return redirect(url_for("registration.stay", stay_id=stay_id))
    return redirect(
        url_for("registration.declare", establishment_id=establishment_id, voucher=booking.voucher)
    )
