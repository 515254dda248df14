"""Pages for establishments: owners' places, rooms and staff; officials' register.

Officials (admins, tourism officers) register and approve establishments and never
see guests here. Owners and staff reach only their own establishments: every page
under ``/my/establishments/<id>`` looks the place up through ``member_establishment``,
so another establishment's id answers 404 exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs

from core import audit
from core.auth import services as accounts
from core.auth.access import roles_required, signed_in_user
from core.auth.models import User
from core.auth.roles import DEPARTMENT_ROLES, Role
from core.clock import utcnow
from core.extensions import db
from core.form_errors import show_errors
from core.links import public_url_for
from lodging.properties import geography
from lodging.properties import services as properties
from lodging.properties.forms import (
    AMENITY_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    AmenitiesForm,
    ClosureForm,
    EstablishmentForm,
    InviteForm,
    RoomsForm,
    RoomTypeForm,
)
from lodging.properties.invitations import accept_invitation
from lodging.properties.models import (
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    MemberRole,
    Membership,
)

bp = Blueprint("properties", __name__, template_folder="templates", url_prefix="/<locale:lang>")
bp.add_url_rule("/invitations/<token>", view_func=accept_invitation, methods=["GET", "POST"])

MEMBERS = (Role.LODGING_OWNER, Role.LODGING_STAFF)
MINE = "/my/establishments/<int:establishment_id>"


@dataclass(frozen=True)
class Capacity:
    rooms: int
    bed_places: int  # permanent ones; what the statistics count
    extra_beds: int


def capacity(establishment: Establishment) -> Capacity:
    rooms = establishment.rooms
    return Capacity(
        rooms=len(rooms),
        bed_places=sum(room.room_type.bed_places for room in rooms),
        extra_beds=sum(room.room_type.extra_beds for room in rooms),
    )


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "kind_label": KIND_LABELS.get,
        "status_label": STATUS_LABELS.get,
        "commune_name": lambda code: geography.commune(code).name,
        "province_name": lambda code: geography.province(code).name,
    }


def record_change(action: str, establishment: Establishment, actor: User, **detail: Any) -> None:
    """Audit one change to an establishment, in the request's transaction."""
    audit.record(
        db.session,
        action=action,
        now=utcnow(),
        actor_id=actor.id,
        actor_label=actor.email,
        target_type="establishment",
        target_id=establishment.id,
        address=request.remote_addr or "",
        detail=detail,
    )


def _member(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except properties.NotFoundError:
        abort(404)


def _members(establishment: Establishment) -> list[tuple[User, MemberRole]]:
    rows = db.session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.establishment_id == establishment.id)
        .order_by(Membership.role, User.email)
    )
    return [(user, role) for user, role in rows]


# Officials --------------------------------------------------------------------------


@bp.route("/establishments/")
@roles_required(*DEPARTMENT_ROLES)
def list_establishments() -> ResponseReturnValue:
    wanted = request.args.get("status", "")
    status = EstablishmentStatus(wanted) if wanted in set(EstablishmentStatus) else None
    found = properties.all_establishments(db.session, status=status)
    return render_template("properties/official_list.html", establishments=found, status=status)


def _establishment_input(form: EstablishmentForm) -> properties.EstablishmentInput:
    latitude, longitude = form.coordinates()
    return properties.EstablishmentInput(
        name=form.name.data or "",
        kind=EstablishmentKind(form.kind.data),
        stars=int(form.stars.data) if form.stars.data else None,
        licence_number=form.licence_number.data or "",
        street_address=form.street_address.data or "",
        province=form.province.data or "",
        commune=form.commune.data or "",
        police_commune=form.police_commune.data or "",
        remote_commune=bool(form.remote_commune.data),
        latitude=latitude,
        longitude=longitude,
        phone=form.phone.data or "",
        email=form.email.data or "",
    )


def _owner_account(email: str) -> tuple[User | None, dict[str, LazyString]]:
    if not email.strip():
        return None, {}
    owner = accounts.find_user(db.session, email)
    if owner is None or owner.role is not Role.LODGING_OWNER:
        return None, {"owner_email": _("No lodging owner account has this e-mail address.")}
    return owner, {}


def _register(form: EstablishmentForm, official: User) -> Establishment | None:
    owner, errors = _owner_account(form.owner_email.data or "")
    try:
        establishment = properties.register_establishment(
            db.session, _establishment_input(form), now=utcnow(), owner=owner
        )
    except properties.PropertyError as exc:
        errors |= exc.errors
    if errors:
        db.session.rollback()  # an establishment registered without its owner would mislead
        show_errors(form, errors, fallback="name")
        return None
    record_change("establishment.register", establishment, official, owner=form.owner_email.data)
    return establishment


@bp.route("/establishments/new", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def register_establishment() -> ResponseReturnValue:
    form = EstablishmentForm()
    if form.validate_on_submit():
        establishment = _register(form, signed_in_user())
        if establishment is not None:
            db.session.commit()
            flash(
                _("%(name)s is registered, waiting for approval.", name=establishment.name),
                "success",
            )
            return redirect(url_for(".establishment", establishment_id=establishment.id))
    return render_template("properties/official_new.html", form=form)


def _any_establishment(establishment_id: int) -> Establishment:
    try:
        return properties.get_establishment(db.session, establishment_id)
    except properties.NotFoundError:
        abort(404)


@bp.route("/establishments/<int:establishment_id>")
@roles_required(*DEPARTMENT_ROLES)
def establishment(establishment_id: int) -> ResponseReturnValue:
    found = _any_establishment(establishment_id)
    return render_template(
        "properties/official_detail.html",
        establishment=found,
        capacity=capacity(found),
        members=_members(found),
    )


@bp.route("/establishments/<int:establishment_id>/approve", methods=["GET", "POST"])
@roles_required(*DEPARTMENT_ROLES)
def approve(establishment_id: int) -> ResponseReturnValue:
    found = _any_establishment(establishment_id)
    if request.method == "GET":  # a reload or a shared address: show the page instead
        return redirect(url_for(".establishment", establishment_id=found.id))
    if found.status is not EstablishmentStatus.APPROVED:
        official = signed_in_user()
        properties.approve_establishment(db.session, found, official, now=utcnow())
        record_change("establishment.approve", found, official)
        db.session.commit()
    flash(_("%(name)s is approved.", name=found.name), "success")
    return redirect(url_for(".establishment", establishment_id=found.id))


# Owners and staff -------------------------------------------------------------------


@bp.route("/my/establishments/")
@roles_required(*MEMBERS)
def my_establishments() -> ResponseReturnValue:
    found = properties.establishments_of(db.session, signed_in_user())
    return render_template("properties/my_list.html", establishments=found)


@bp.route(f"{MINE}/")
@roles_required(*MEMBERS)
def overview(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    return _overview_page(found, AmenitiesForm(amenities=found.amenities))


def _overview_page(establishment: Establishment, amenities: AmenitiesForm) -> str:
    return render_template(
        "properties/my_overview.html",
        establishment=establishment,
        capacity=capacity(establishment),
        is_owner=properties.is_owner(db.session, signed_in_user(), establishment),
        amenities_form=amenities,
        amenity_labels=AMENITY_LABELS,
    )


@bp.route(f"{MINE}/amenities", methods=["POST"])
@roles_required(*MEMBERS)
def set_amenities(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    form = AmenitiesForm()
    if not form.validate_on_submit():
        return _overview_page(found, form), 400
    before = properties.set_amenities(db.session, found, form.amenities.data or [], now=utcnow())
    record_change("establishment.amenities", found, signed_in_user(), before=before)
    db.session.commit()
    flash(_("The amenities are saved."), "success")
    return redirect(url_for(".overview", establishment_id=found.id))


def _rooms_page(
    establishment: Establishment, type_form: RoomTypeForm, rooms_form: RoomsForm
) -> str:
    return render_template(
        "properties/rooms.html",
        establishment=establishment,
        capacity=capacity(establishment),
        type_form=type_form,
        rooms_form=rooms_form,
    )


def _rooms_form(establishment: Establishment, **kwargs: Any) -> RoomsForm:
    form = RoomsForm(prefix="rooms", **kwargs)
    form.room_type.choices = [SelectChoice(t.id, t.name) for t in establishment.room_types]
    return form


@bp.route(f"{MINE}/rooms")
@roles_required(*MEMBERS)
def rooms(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    return _rooms_page(found, RoomTypeForm(prefix="type"), _rooms_form(found))


@bp.route(f"{MINE}/rooms/types", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def add_room_type(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    if request.method == "GET":  # a reload after an error: back to the rooms page
        return redirect(url_for(".rooms", establishment_id=found.id))
    form = RoomTypeForm(prefix="type")
    if form.validate_on_submit():
        try:
            room_type = properties.add_room_type(
                db.session,
                found,
                name=form.name.data or "",
                bed_places=form.bed_places.data or 0,
                extra_beds=form.extra_beds.data or 0,
            )
        except properties.PropertyError as exc:
            show_errors(form, exc.errors, fallback="name")
        else:
            record_change("room_type.add", found, signed_in_user(), room_type=room_type.name)
            db.session.commit()
            flash(_("Room type %(name)s added.", name=room_type.name), "success")
            return redirect(url_for(".rooms", establishment_id=found.id))
    return _rooms_page(found, form, _rooms_form(found, formdata=None))


@bp.route(f"{MINE}/rooms/new", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def add_rooms(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    if request.method == "GET":  # a reload after an error: back to the rooms page
        return redirect(url_for(".rooms", establishment_id=found.id))
    form = _rooms_form(found)
    if form.validate_on_submit():
        room_type = next(t for t in found.room_types if t.id == form.room_type.data)
        try:
            added = properties.add_rooms(db.session, found, room_type, form.room_numbers())
        except properties.PropertyError as exc:
            show_errors(form, exc.errors, fallback="numbers")
        else:
            numbers = [room.number for room in added]
            record_change("rooms.add", found, signed_in_user(), rooms=numbers)
            db.session.commit()
            flash(_("%(count)d rooms added.", count=len(numbers)), "success")
            return redirect(url_for(".rooms", establishment_id=found.id))
    return _rooms_page(found, RoomTypeForm(prefix="type", formdata=None), form)


def _closure_form(establishment: Establishment) -> ClosureForm:
    form = ClosureForm()
    form.room.choices = [SelectChoice("", _("The whole establishment"))] + [
        SelectChoice(str(room.id), _("Room %(number)s", number=room.number))
        for room in establishment.rooms
    ]
    return form


@bp.route(f"{MINE}/closures", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def closures(establishment_id: int) -> ResponseReturnValue:
    found = _member(establishment_id)
    form = _closure_form(found)
    if form.validate_on_submit():
        room = next((r for r in found.rooms if str(r.id) == form.room.data), None)
        starts_on, ends_on = form.dates()
        try:
            closure = properties.add_closure(
                db.session,
                found,
                starts_on=starts_on,
                ends_on=ends_on,
                room=room,
                reason=form.reason.data or "",
            )
        except properties.PropertyError as exc:
            show_errors(form, exc.errors, fallback="starts_on")
        else:
            record_change(
                "closure.add",
                found,
                signed_in_user(),
                room=room.number if room else None,
                starts_on=closure.starts_on.isoformat(),
                ends_on=closure.ends_on.isoformat(),
            )
            db.session.commit()
            flash(_("Closure saved."), "success")
            return redirect(url_for(".closures", establishment_id=found.id))
    return render_template("properties/closures.html", establishment=found, form=form)


def _invite(form: InviteForm, establishment: Establishment, owner: User) -> str | None:
    """The invitation link for the form's address, or None (with the reason on the form)."""
    email = (form.email.data or "").strip().lower()
    account = accounts.find_user(db.session, email)
    if account is not None and account.role is not Role.LODGING_STAFF:
        form.email.errors = [
            _("This address belongs to an account that cannot work as staff. Use another one.")
        ]
        return None
    token = properties.invitation_token(str(current_app.config["SECRET_KEY"]), establishment, email)
    record_change("staff.invite", establishment, owner, email=email)
    db.session.commit()
    return public_url_for(".accept_invitation", token=token)


@bp.route(f"{MINE}/staff", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def staff(establishment_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    found = _member(establishment_id)
    owner = properties.is_owner(db.session, user, found)
    if request.method == "POST" and not owner:
        abort(403)  # staff work at the place; only its owner decides who else does
    form = InviteForm()
    link = _invite(form, found, user) if form.validate_on_submit() else None
    return render_template(
        "properties/staff.html",
        establishment=found,
        members=_members(found),
        is_owner=owner,
        form=form,
        invitation_link=link,
    )
