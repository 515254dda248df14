"""Self check-in: guests enter (or scan) their own details on their phone.

Nothing reaches the police until staff have seen the guest's papers and confirmed
the guest (who, when, how).

The guests' pages are public, small and work without JavaScript; they are reached
through a random token (the establishment's poster, or a stay's own link), and a
token that leads nowhere, or no longer, is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import utcnow
from core.crypto import cipher
from core.extensions import db, limiter
from core.i18n import best_locale, saved_locale
from core.links import public_url_for
from lodging.properties import services as properties
from lodging.properties.models import Establishment, EstablishmentStatus
from lodging.properties.services import NotFoundError
from lodging.registration import bookings, sealed, services
from lodging.registration.declarations import DeclarationError
from lodging.registration.display import DISPLAY
from lodging.registration.documents import DocumentError, parse_cccd_qr
from lodging.registration.models import Actor, Channel, ConfirmationMethod, Guest
from lodging.registration.mrz import parse_mrz
from lodging.registration.self_checkin import services as self_service
from lodging.registration.self_checkin.forms import (
    METHOD_LABELS,
    ConfirmGuestForm,
    EstablishmentCheckinForm,
    GuestForm,
    StayCheckinForm,
    add_error,
)
from lodging.registration.self_checkin.qr import qr_svg

bp = Blueprint("self_checkin", __name__, template_folder="templates", url_prefix="/<locale:lang>")
# The poster's QR code leads here, with no language in it: a tourist from Seoul scanning
# a poster printed in Hạ Long lands on the form in Korean (their browser's language).
short_bp = Blueprint("self_checkin_link", __name__)

# The poster hangs in public: its link must not let anyone flood an establishment with
# declarations. Every guest of a hotel may share its Wi-Fi's one address, hence a limit
# on accepted declarations, and a looser one on everything sent.
ACCEPTED_PER_ADDRESS = "30 per hour"
SENT_PER_ADDRESS = "120 per hour"
POSTER_LANGUAGES = ("vi", "en")  # the poster speaks both, whatever the page's language


def _accepted(response: Response) -> bool:
    return response.status_code == 302


@bp.context_processor
def _display() -> dict[str, Any]:
    return {**DISPLAY, "method_labels": METHOD_LABELS}


@bp.errorhandler(NotFoundError)
def _link_gone(_error: NotFoundError) -> ResponseReturnValue:
    return render_template("self_checkin/link_gone.html"), 404


@bp.route("/desk/<int:establishment_id>/poster")
@roles_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def poster(establishment_id: int) -> ResponseReturnValue:
    establishment = _member_establishment(establishment_id)
    link = public_url_for("self_checkin_link.start", token=establishment.checkin_token)
    instructions = [_poster_instructions(code) for code in POSTER_LANGUAGES]
    return render_template(
        "self_checkin/poster.html",
        establishment=establishment,
        link=link,
        qr=qr_svg(link, label=_("QR code of the check-in form")),
        instructions=instructions,
        published=establishment.status is EstablishmentStatus.APPROVED,
    )


@short_bp.route("/checkin/<token>")
def start(token: str) -> ResponseReturnValue:
    """The poster's link: the form in the visitor's language (the answer varies by it)."""
    lang = best_locale(saved_locale(), "vi")
    response = redirect(url_for("self_checkin.establishment_form", lang=lang, token=token))
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def _poster_instructions(code: str) -> Markup:
    with force_locale(code):
        html = render_template("self_checkin/_poster_instructions.html", code=code)
    return Markup(html)  # noqa: S704 - the output of an autoescaped template


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit(SENT_PER_ADDRESS, methods=["POST"])
@limiter.limit(ACCEPTED_PER_ADDRESS, methods=["POST"], deduct_when=_accepted)
def establishment_form(token: str) -> ResponseReturnValue:
    establishment = properties.establishment_for_checkin(db.session, token)
    form = EstablishmentCheckinForm()
    if not establishment.rooms:
        del form.room  # a place without rooms declares none
    # From a booking's page: its voucher, so the desk finds this check-in by it.
    booked = bookings.booking_desks(current_app).find_booking(
        db.session, establishment.id, request.args.get("voucher", "")
    )
    if booked is not None and request.method == "GET":
        form.full_name.data = booked.guest_name
        form.expected_departure.data = booked.departure
    problems, filled = [], False
    if request.method == "POST":
        filled = _fill(form)
        if not filled and form.validate():
            try:
                now = utcnow()
                stay = self_service.self_check_in(
                    db.session, establishment, form.stay_input(now), cipher=cipher(), now=now
                )
            except DeclarationError as exc:
                problems = form.place_errors(exc.errors)
            else:
                if booked is not None:
                    bookings.booking_desks(current_app).attach_self_checkin(
                        db.session, establishment.id, booked.voucher, stay.id
                    )
                db.session.commit()
                return redirect(url_for("self_checkin.thanks", token=stay.checkin_token))
    return render_template(
        "self_checkin/establishment_form.html",
        form=form,
        establishment=establishment,
        problems=problems,
        filled=filled,
        booked=booked,
    )


@bp.route("/checkin/stay/<token>", methods=["GET", "POST"])
@limiter.limit(SENT_PER_ADDRESS, methods=["POST"])
@limiter.limit(ACCEPTED_PER_ADDRESS, methods=["POST"], deduct_when=_accepted)
def stay_form(token: str) -> ResponseReturnValue:
    stay = self_service.stay_for_checkin(db.session, token)
    form = StayCheckinForm()
    problems, filled = [], False
    if request.method == "POST":
        filled = _fill(form)
        if not filled and form.validate():
            try:
                self_service.add_self_checked_in_guest(
                    db.session,
                    stay,
                    form.joining_guest(stay.purpose),
                    cipher=cipher(),
                    now=utcnow(),
                )
            except DeclarationError as exc:
                problems = form.place_errors(exc.errors)
            else:
                db.session.commit()
                return redirect(url_for("self_checkin.thanks", token=token))
    return render_template(
        "self_checkin/stay_form.html", form=form, stay=stay, problems=problems, filled=filled
    )


def _fill(form: GuestForm) -> bool:
    """Fill the form from a pasted CCCD QR code or MRZ, if that is what was asked."""
    action = request.form.get("action", "")
    try:
        if action == "fill_cccd":
            form.fill_from_cccd(parse_cccd_qr(form.cccd_qr.data or ""))
        elif action == "fill_mrz":
            form.fill_from_mrz(parse_mrz(form.mrz.data or ""))
        else:
            return False
    except DocumentError as exc:
        add_error(form.cccd_qr if action == "fill_cccd" else form.mrz, exc.message)
    return True


@bp.route("/checkin/stay/<token>/thanks")
def thanks(token: str) -> ResponseReturnValue:
    stay = self_service.stay_for_checkin(db.session, token)
    return render_template("self_checkin/thanks.html", stay=stay, token=token)


@bp.route("/desk/guests/<int:guest_id>/confirm", methods=["GET", "POST"])
@roles_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def confirm_guest(guest_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    guest = _member_guest(guest_id)
    form = ConfirmGuestForm()
    problems = []
    if form.validate_on_submit():
        actor = Actor(user.id, user.email, Channel.DESK)
        method = ConfirmationMethod(form.method.data)
        try:
            services.confirm_guest(db.session, guest, method=method, actor=actor, now=utcnow())
        except services.StayStateError as exc:
            problems = list(exc.errors.values())
        else:
            db.session.commit()
            flash(_("%(name)s is confirmed and will be reported.", name=guest.full_name), "success")
            return redirect(url_for("registration.stay", stay_id=guest.stay_id))
    return _guest_details(guest, form, problems)


def _guest_details(
    guest: Guest, form: ConfirmGuestForm, problems: list[str]
) -> ResponseReturnValue:
    """The guest's details, for staff to compare with the papers; every view is audited."""
    user = signed_in_user()
    sealed.record_guest_view(
        db.session,
        guest.stay,
        [guest],
        actor=Actor(user.id, user.email, Channel.DESK),
        address=request.remote_addr or "",
        now=utcnow(),
        purpose="confirm",
    )
    db.session.commit()
    return render_template(
        "self_checkin/confirm_guest.html",
        guest=guest,
        stay=guest.stay,
        form=form,
        problems=problems,
        document_number=sealed.document_number(guest, cipher()),
        foreigner=sealed.foreign_details(guest, cipher()),
    )


def _member_establishment(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except NotFoundError:
        raise NotFound from None


def _member_guest(guest_id: int) -> Guest:
    try:
        return self_service.guest_for_member(db.session, signed_in_user().id, guest_id)
    except NotFoundError:
        raise NotFound from None
