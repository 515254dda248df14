"""The owner's desk: declare guests, see what is due, check out, correct, cancel.

Every establishment and stay is looked up through the user's memberships, so an id
from another establishment answers 404 like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import LODGING_ROLES
from core.clock import VIETNAM, utcnow
from core.crypto import cipher
from core.extensions import db
from core.ids import row_id
from core.links import public_url_for
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.properties.services import NotFoundError
from lodging.registration import bookings, police_answers, sealed, services
from lodging.registration.declarations import DeclarationError, StayInput
from lodging.registration.delivery_state import deliveries
from lodging.registration.desk import declaration_form
from lodging.registration.desk import overview as desk
from lodging.registration.desk.declaration_form import Feedback
from lodging.registration.desk.forms import (
    CancelForm,
    CheckOutForm,
    DepartureForm,
    HistoryForm,
    MoveRoomForm,
    StayForm,
)
from lodging.registration.display import DISPLAY
from lodging.registration.models import Actor, Channel, Stay
from lodging.registration.services import IdempotencyConflictError, StayStateError

bp = Blueprint("registration", __name__, template_folder="templates", url_prefix="/<locale:lang>")
T = TypeVar("T")


@bp.context_processor
def _display() -> dict[str, Any]:
    return DISPLAY


def _establishment(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except NotFoundError:
        abort(404)


def _stay(stay_id: int) -> Stay:
    try:
        return services.stay_for_member(db.session, signed_in_user().id, stay_id)
    except NotFoundError:
        abort(404)


def _actor() -> Actor:
    user = signed_in_user()
    return Actor(user.id, user.email, Channel.DESK)


def _audit_view(stay: Stay, page: str) -> None:
    """Staff saw these guests' documents: the law wants it on record."""
    sealed.record_guest_view(
        db.session,
        stay,
        stay.guests,
        actor=_actor(),
        address=request.remote_addr or "",
        now=utcnow(),
        purpose=page,
    )
    db.session.commit()


def _room_choices(
    establishment: Establishment, empty: str, *, besides: Stay | None = None
) -> list[SelectChoice]:
    taken = besides.room_id if besides else None
    rooms = [SelectChoice(r.number, r.number) for r in establishment.rooms if r.id != taken]
    return [SelectChoice("", empty if rooms else _("No rooms registered")), *rooms]


@bp.route("/desk/", endpoint="desk")
@roles_required(*LODGING_ROLES)
def desk_home() -> ResponseReturnValue:
    places = properties.establishments_of(db.session, signed_in_user())
    chosen = request.args.get("establishment", type=row_id)
    if chosen is None and len(places) != 1:
        return render_template("registration/choose.html", establishments=places)
    establishment = _establishment(chosen) if chosen is not None else places[0]
    today = utcnow().astimezone(VIETNAM).date()
    return render_template(
        "registration/desk.html",
        establishment=establishment,
        overview=desk.overview(db.session, establishment.id, utcnow()),
        booked=bookings.booking_desks(current_app).booked_arrivals(
            db.session, establishment.id, today
        ),
        bookings_pages=bookings.booking_desks(current_app).bookings_pages(establishment.id),
        search=HistoryForm(),
        dates=HistoryForm(request.args),  # the register's dates, as typed if refused
        several=len(places) > 1,
    )


# --- Declaring and correcting --------------------------------------------------------


def _stay_form(establishment: Establishment, **data: Any) -> StayForm:
    form = StayForm(**data)
    form.room.choices = _room_choices(establishment, _("Choose the room"))
    return form


def _declaration_page(
    form: StayForm, establishment: Establishment, feedback: Feedback | None = None, **extra: Any
) -> str:
    return render_template(
        "registration/declare.html",
        form=form,
        establishment=establishment,
        feedback=feedback or Feedback(),
        errors=declaration_form.error_links(form),
        **extra,
    )


def _flash_deadlines(stay: Stay) -> None:
    flash(_("The guests are declared."), "success")
    now = utcnow()
    for guest in stay.guests:
        if guest.deadline is None:
            continue
        due = format_datetime(guest.deadline, "short")
        if guest.deadline < now:
            message = _(
                "%(name)s was due by %(deadline)s: late.", name=guest.full_name, deadline=due
            )
        else:
            message = _("%(name)s is due by %(deadline)s.", name=guest.full_name, deadline=due)
        flash(message, "success")


def _saved_or_page(
    form: StayForm,
    establishment: Establishment,
    save: Callable[[StayInput], ResponseReturnValue],
    **extra: Any,
) -> ResponseReturnValue:
    """A posted declaration form: a button that only changes the form, or ``save``."""
    action = declaration_form.pressed(form)
    if action.kind != "submit":
        feedback = declaration_form.apply(form, action)
        return _declaration_page(form, establishment, feedback, **extra)
    if form.validate():
        try:
            response = save(declaration_form.read_stay(form))
        except (DeclarationError, StayStateError) as exc:
            db.session.rollback()  # a check after the stay was written (a used voucher)
            declaration_form.place_errors(form, exc.errors)
        except IdempotencyConflictError:
            form.form_errors.append(
                _("This form was sent before. Open a new declaration for other guests.")
            )
        else:
            db.session.commit()
            return response
    return _declaration_page(form, establishment, **extra)


@bp.route("/desk/<int:establishment_id>/stays/new", methods=["GET", "POST"])
@roles_required(*LODGING_ROLES)
def declare(establishment_id: int) -> ResponseReturnValue:
    establishment = _establishment(establishment_id)
    form = _stay_form(establishment)
    if not form.is_submitted():
        now = utcnow().astimezone(VIETNAM)
        form.arrival_date.data = now.date()
        form.arrival_time.data = now.time().replace(second=0, microsecond=0, tzinfo=None)
        form.expected_departure.data = now.date() + dt.timedelta(days=1)
        form.idempotency_key.data = secrets.token_urlsafe(16)
        booked = bookings.booking_desks(current_app).find_booking(
            db.session, establishment.id, request.args.get("voucher", "")
        )
        if booked is not None:
            declaration_form.fill_from_booking(form, booked)
        return _declaration_page(form, establishment, booked=booked)

    def save(data: StayInput) -> ResponseReturnValue:
        stay, _created = services.declare_stay(
            db.session,
            establishment,
            data,
            actor=_actor(),
            cipher=cipher(),
            now=utcnow(),
            idempotency_key=form.idempotency_key.data or None,
        )
        if form.voucher.data:
            _check_in_booking(establishment, form.voucher.data, stay)
        _flash_deadlines(stay)
        return redirect(url_for(".stay", stay_id=stay.id))

    booked = bookings.booking_desks(current_app).find_booking(
        db.session, establishment.id, form.voucher.data or ""
    )
    return _saved_or_page(form, establishment, save, booked=booked)


def _check_in_booking(establishment: Establishment, voucher: str, stay: Stay) -> None:
    """The booking is checked in by this declaration, in its transaction: never twice."""
    try:
        bookings.booking_desks(current_app).check_in_booking(
            db.session, establishment.id, voucher, stay.id, utcnow()
        )
    except bookings.AlreadyCheckedInError:
        raise StayStateError("voucher", _("This booking is already checked in.")) from None
    except LookupError:
        raise StayStateError("voucher", _("This booking can no longer be checked in.")) from None


@bp.route("/desk/stays/<int:stay_id>/edit", methods=["GET", "POST"])
@roles_required(*LODGING_ROLES)
def correct(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    fixed = len(stay.guests)  # a correction cannot remove a declared guest
    if request.method == "GET":
        data = declaration_form.form_data(sealed.stay_input(stay, cipher()))
        form = _stay_form(stay.establishment, data=data)
        declaration_form.place_errors(form, _police_reasons(stay))
        _audit_view(stay, "correct")
        return _declaration_page(form, stay.establishment, stay=stay, fixed_guests=fixed)

    def save(data: StayInput) -> ResponseReturnValue:
        event = services.correct_stay(
            db.session, stay, data, actor=_actor(), cipher=cipher(), now=utcnow()
        )
        flash(_("The correction is saved.") if event else _("Nothing changed."), "success")
        return redirect(url_for(".stay", stay_id=stay.id))

    form = _stay_form(stay.establishment)
    return _saved_or_page(form, stay.establishment, save, stay=stay, fixed_guests=fixed)


def _police_reasons(stay: Stay) -> dict[str, str]:
    """What the police refused and is not corrected yet, by field path: shown on the field."""
    answers = police_answers.latest_answers(db.session, stay.guests)
    reasons: dict[str, str] = {}
    for guest in stay.guests:
        reasons.update(police_answers.open_rejection(guest, answers.get(guest.id)))
    return {
        path: _("Refused by the police: %(reason)s", reason=text) for path, text in reasons.items()
    }


# --- One stay, and what can happen to it ---------------------------------------------


def _stay_page(stay: Stay, **forms: Any) -> str:
    details = desk.stay_details(stay, cipher(), utcnow())
    _audit_view(stay, "stay")
    now = utcnow().astimezone(VIETNAM)
    checkout = forms.get("checkout") or CheckOutForm(
        formdata=None,
        prefix="checkout",
        departure_date=now.date(),
        departure_time=now.time().replace(second=0, microsecond=0, tzinfo=None),
    )
    departure = forms.get("departure") or DepartureForm(
        formdata=None, prefix="departure", expected_departure=stay.expected_departure
    )
    move = forms.get("move") or MoveRoomForm(formdata=None, prefix="move")
    move.room.choices = _room_choices(stay.establishment, _("Choose the new room"), besides=stay)
    token = stay.checkin_token
    return render_template(
        "registration/stay.html",
        stay=details,
        checkout=checkout,
        departure=departure,
        move=move,
        checkin_link=public_url_for("self_checkin.stay_form", token=token) if token else "",
        deliveries=deliveries(db.session, stay.guests),
    )


@bp.route("/desk/stays/<int:stay_id>")
@roles_required(*LODGING_ROLES)
def stay(stay_id: int) -> ResponseReturnValue:
    return _stay_page(_stay(stay_id))


def _given(value: T | None) -> T:
    """A value the form's validation required."""
    if value is None:
        raise ValueError("validate the form first")
    return value


def _change(
    stay: Stay,
    form: Any,
    run: Callable[[], object],
    done: str,
    fields: Mapping[str, str],
) -> ResponseReturnValue | None:
    """Run one change to a stay from a valid form; on a refusal, its message on the field."""
    if not form.validate():
        return None
    try:
        run()
    except StayStateError as exc:
        for key, message in exc.errors.items():
            if key in fields:
                form[fields[key]].errors.append(str(message))
            else:
                form.form_errors.append(str(message))
        return None
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(".stay", stay_id=stay.id))


@bp.route("/desk/stays/<int:stay_id>/check-out", methods=["POST"])
@roles_required(*LODGING_ROLES)
def check_out(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    form = CheckOutForm(prefix="checkout")

    def run() -> object:
        day, time = _given(form.departure_date.data), _given(form.departure_time.data)
        left = dt.datetime.combine(day, time, tzinfo=VIETNAM)
        return services.check_out(db.session, stay, departed_at=left, actor=_actor(), now=utcnow())

    done = _("The guests are checked out.")
    fields = {"departure": "departure_date"}
    return _change(stay, form, run, done, fields) or _stay_page(stay, checkout=form)


@bp.route("/desk/stays/<int:stay_id>/departure", methods=["POST"])
@roles_required(*LODGING_ROLES)
def change_departure(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    form = DepartureForm(prefix="departure")

    def run() -> object:
        return services.change_departure(
            db.session,
            stay,
            expected_departure=_given(form.expected_departure.data),
            actor=_actor(),
            now=utcnow(),
        )

    done = _("The expected departure is changed.")
    fields = {"expected_departure": "expected_departure"}
    return _change(stay, form, run, done, fields) or _stay_page(stay, departure=form)


@bp.route("/desk/stays/<int:stay_id>/room", methods=["POST"])
@roles_required(*LODGING_ROLES)
def move_room(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    form = MoveRoomForm(prefix="move")
    form.room.choices = _room_choices(stay.establishment, _("Choose the new room"), besides=stay)

    def run() -> object:
        return services.move_room(
            db.session, stay, room_number=form.room.data or "", actor=_actor(), now=utcnow()
        )

    done = _("The guests are moved to room %(room)s.", room=form.room.data)
    return _change(stay, form, run, done, {"room": "room"}) or _stay_page(stay, move=form)


@bp.route("/desk/stays/<int:stay_id>/cancel", methods=["GET", "POST"])
@roles_required(*LODGING_ROLES)
def cancel(stay_id: int) -> ResponseReturnValue:
    stay = _stay(stay_id)
    form = CancelForm()

    def run() -> object:
        reason = form.reason.data or ""
        return services.cancel_stay(db.session, stay, reason=reason, actor=_actor(), now=utcnow())

    done = _("The declaration is cancelled.")
    if form.is_submitted() and (response := _change(stay, form, run, done, {"reason": "reason"})):
        return response
    return render_template("registration/cancel.html", form=form, stay=desk.stay_line(stay))


# --- History -------------------------------------------------------------------------


@bp.route("/desk/<int:establishment_id>/history", methods=["GET", "POST"])
@roles_required(*LODGING_ROLES)
def history(establishment_id: int) -> ResponseReturnValue:
    """Past guests; a name or document number is posted, never put in a URL (access logs)."""
    establishment = _establishment(establishment_id)
    posted = request.form if request.method == "POST" else None
    form = HistoryForm(posted)
    found = None
    if form.validate():
        found = desk.search_history(
            db.session,
            establishment.id,
            cipher=cipher(),
            text=form.q.data or "",
            arrived_from=form.date_from.data,
            arrived_to=form.date_to.data,
            page=posted.get("page", 1, type=int) if posted else 1,
        )
    # What the pager posts again: the search as typed.
    query = {name: posted.get(name, "") if posted else "" for name in ("q", "from", "to")}
    return render_template(
        "registration/history.html",
        establishment=establishment,
        form=form,
        found=found,
        query=query,
    )
