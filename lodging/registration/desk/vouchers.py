"""The desk's voucher box: a booking's QR code (scanned) or code (typed) opens check-in.

The voucher only finds a paid booking of this establishment; it opens the declaration
form pre-filled from the booking, and the guests' documents are still checked there. A
booking the guest checked in online is marked checked in by the desk's POST; the GET
only shows what the button will do.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from lodging.properties import services as properties
from lodging.properties.services import NotFoundError
from lodging.registration import bookings
from lodging.registration.display import local_date

bp = Blueprint("booked", __name__, url_prefix="/<locale:lang>")


def _member(establishment_id: int) -> None:
    try:
        properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except NotFoundError:
        abort(404)


def _not_found(establishment_id: int, typed: str) -> ResponseReturnValue:
    flash(
        _("No paid booking at this establishment has the voucher %(code)s.", code=typed),
        "error",
    )
    return redirect(url_for("registration.desk", establishment=establishment_id))


@bp.get("/desk/<int:establishment_id>/voucher")
@roles_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def show_voucher(establishment_id: int) -> ResponseReturnValue:
    """What checking in this voucher will do; the button posts it (a GET changes nothing)."""
    _member(establishment_id)
    typed = request.args.get("code", "")
    booking = bookings.booking_desks(current_app).find_booking(db.session, establishment_id, typed)
    if booking is None:
        return _not_found(establishment_id, typed)
    return render_template(
        "registration/voucher.html",
        establishment_id=establishment_id,
        booking=booking,
        local_date=local_date,
    )


@bp.post("/desk/<int:establishment_id>/voucher")
@roles_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def check_in_voucher(establishment_id: int) -> ResponseReturnValue:
    _member(establishment_id)
    typed = request.form.get("code", "")
    booking = bookings.booking_desks(current_app).find_booking(db.session, establishment_id, typed)
    desk = url_for("registration.desk", establishment=establishment_id)
    if booking is None:
        return _not_found(establishment_id, typed)
    if booking.checked_in:
        flash(_("This booking is already checked in."), "error")
        return redirect(desk)
    if booking.self_checkin_stay_id is None:
        return redirect(
            url_for(
                "registration.declare", establishment_id=establishment_id, voucher=booking.voucher
            )
        )
    # The guest checked in online: the desk confirms each guest against their papers.
    stay_id = booking.self_checkin_stay_id
    try:
        bookings.booking_desks(current_app).check_in_booking(
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
