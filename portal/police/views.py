"""The police workspace's pages: the area, its guests, a search, one declaration.

A stay outside the officer's area answers 404, as one that does not exist. Document
numbers are only ever sent in a POST body; guest pages are found by id.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import local_now, utcnow
from core.crypto import cipher
from core.dates import parse_day
from core.extensions import db
from core.form_errors import show_errors
from lodging.feeds import police_units
from lodging.registration import police_answers
from lodging.registration.delivery_state import FIELD_LABELS
from lodging.registration.desk import overview as desk
from lodging.registration.display import DISPLAY
from lodging.registration.models import Stay
from portal.police import jurisdiction, services
from portal.police.forms import (
    ReceiptForm,
    RejectionForm,
    SearchForm,
    UnitEmailForm,
    rejection_form,
)

bp = Blueprint("police", __name__, template_folder="templates", url_prefix="/<locale:lang>/police")
REASON_KEY = "police_search_reason"
_GUEST_PATH = re.compile(r"guests\[(\d+)\]\.(.+)")
NAV = (
    ("police.home", _l("Today")),
    ("police.guests", _l("Guests")),
    ("police.search", _l("Search")),
    ("police.establishments", _l("Establishments")),
    ("police.unit_email", _l("Our e-mail")),
)


@bp.context_processor
def _display() -> dict[str, Any]:
    return {**DISPLAY, "police_nav": NAV, "answer_field": _answer_field}


def _answer_field(path: str) -> str:
    """``guests[1].birth_date`` as "Guest 2: Date of birth"."""
    match = _GUEST_PATH.fullmatch(path)
    if match is None:
        return str(FIELD_LABELS.get(path, path))
    label = FIELD_LABELS.get(match[2], match[2])
    return str(_("Guest %(number)s", number=int(match[1]) + 1)) + f": {label}"


def _address() -> str:
    return request.remote_addr or ""


def _stay(stay_id: int) -> Stay:
    try:
        return services.stay_in_area(db.session, signed_in_user(), stay_id)
    except services.NotInAreaError:
        abort(404)


@bp.route("/")
@roles_required(Role.POLICE)
def home() -> ResponseReturnValue:
    officer = signed_in_user()
    now = utcnow()
    places = services.establishments(db.session, officer, now=now)
    return render_template(
        "police/home.html",
        officer=officer,
        places=places,
        attention=[p for p in places if p.overdue or p.late or p.silent],
        present=services.present_count(db.session, officer),
        arrivals=services.arrival_count(db.session, officer, local_now().date()),
    )


@bp.route("/establishments")
@roles_required(Role.POLICE)
def establishments() -> ResponseReturnValue:
    places = services.establishments(db.session, signed_in_user(), now=utcnow())
    return render_template("police/establishments.html", places=places)


@bp.route("/guests")
@roles_required(Role.POLICE)
def guests() -> ResponseReturnValue:
    officer = signed_in_user()
    day = _day(request.args.get("date", ""), today=request.args.get("view") == "today")
    rows = (
        services.arrivals_on(db.session, officer, day, cipher())
        if day
        else services.present_guests(db.session, officer, cipher())
    )
    services.record_read(
        db.session,
        officer,
        action="police.guest_list",
        reason=services.ROUTINE_REASON,
        guest_ids=[row.guest_id for row in rows],
        now=utcnow(),
        address=_address(),
    )
    db.session.commit()
    return render_template(
        "police/guests.html",
        citizens=[r for r in rows if r.foreigner is None],
        foreigners=[r for r in rows if r.foreigner is not None],
        day=day,
    )


def _day(raw: str, *, today: bool) -> Any:
    """The day asked for (a bad one is said, and the present guests shown instead)."""
    if raw:
        try:
            return parse_day(raw)
        except ValueError as exc:
            flash(str(exc), "error")
            return None
    return local_now().date() if today else None


@bp.route("/search", methods=["GET", "POST"])
@roles_required(Role.POLICE)
def search() -> ResponseReturnValue:
    form = SearchForm()
    results = None
    if form.validate_on_submit():
        officer = signed_in_user()
        query = services.SearchQuery(
            reason=form.reason.data or "",
            document_number=form.document_number.data or "",
            full_name=form.full_name.data or "",
            birth_date=form.birth_date.data,
        )
        results = services.search(db.session, officer, query, cipher())
        services.record_read(
            db.session,
            officer,
            action="police.search",
            reason=query.reason,
            guest_ids=[row.guest_id for row in results],
            now=utcnow(),
            address=_address(),
            criteria="document_number" if query.document_number else "name_and_birth_date",
        )
        db.session.commit()
        session[REASON_KEY] = query.reason[:500]
    return render_template("police/search.html", form=form, results=results)


def _stay_page(stay: Stay, rejection: RejectionForm | None = None) -> str:
    officer = signed_in_user()
    from_search = request.args.get("from") == "search"
    reason = (
        session.get(REASON_KEY, services.ROUTINE_REASON) if from_search else services.ROUTINE_REASON
    )
    services.record_read(
        db.session,
        officer,
        action="police.stay_view",
        reason=str(reason),
        guest_ids=[guest.id for guest in stay.guests],
        now=utcnow(),
        address=_address(),
        target=("lodging_stay", stay.id),
    )
    db.session.commit()
    return render_template(
        "police/stay.html",
        stay=desk.stay_details(stay, cipher(), utcnow()),
        answers=police_answers.stay_answers(db.session, stay.id),
        receipt=ReceiptForm(),
        rejection=rejection or rejection_form(stay.guests),
    )


@bp.route("/stays/<int:stay_id>")
@roles_required(Role.POLICE)
def stay(stay_id: int) -> ResponseReturnValue:
    return _stay_page(_stay(stay_id))


@bp.route("/stays/<int:stay_id>/receipt", methods=["POST"])
@roles_required(Role.POLICE)
def receipt(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    if not ReceiptForm().validate_on_submit():
        flash(_("This form expired. Please send it again."), "error")
        return redirect(url_for(".stay", stay_id=stay.id))
    services.acknowledge(db.session, signed_in_user(), stay, now=utcnow(), address=_address())
    db.session.commit()
    flash(_("Received: the establishment sees it on its desk."), "success")
    return redirect(url_for(".stay", stay_id=stay.id))


@bp.route("/stays/<int:stay_id>/rejection", methods=["POST"])
@roles_required(Role.POLICE)
def rejection(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    form = rejection_form(stay.guests)
    if not form.validate_on_submit():
        return _stay_page(stay, form), 422
    try:
        services.reject(
            db.session, signed_in_user(), stay, form.reasons(), now=utcnow(), address=_address()
        )
    except police_answers.AnswerError:
        form.rows.errors.append(_("These fields are not in this declaration."))  # type: ignore[attr-defined]
        return _stay_page(stay, form), 422
    db.session.commit()
    flash(_("Refused: the establishment sees each reason on the field to correct."), "success")
    return redirect(url_for(".stay", stay_id=stay.id))


@bp.route("/unit", methods=["GET", "POST"])
@roles_required(Role.POLICE)
def unit_email() -> ResponseReturnValue:
    """The officer's own unit's address for stay notices (admins set any unit's)."""
    officer = signed_in_user()
    province, commune = officer.police_province_code, officer.police_commune_code
    if province is None:
        abort(404)
    form = UnitEmailForm()
    if request.method == "GET":
        form.email.data = police_units.unit_email(db.session, province, commune) or ""
    elif form.validate_on_submit():
        now = utcnow()
        try:
            unit = police_units.set_unit_email(
                db.session,
                province_code=province,
                commune_code=commune,
                email=form.email.data,
                actor_label=officer.email,
                now=now,
            )
        except police_units.PoliceUnitError as exc:
            show_errors(form, {"email": exc.message}, "email")
        else:
            police_units.record_change(
                db.session,
                unit,
                actor_id=officer.id,
                actor_label=officer.email,
                address=_address(),
                now=now,
            )
            db.session.commit()
            flash(_("Saved. Notices by e-mail go to this address from now on."), "success")
            return redirect(url_for("police.unit_email"))
    unit_name = jurisdiction.name(province, commune)
    return render_template("police/unit.html", form=form, unit_name=unit_name)
