"""Declarations from hotel software, with the same checks as the desk.

``/api/v1/establishments/{id}/stays`` and ``/api/v1/stays/{id}``. Only owners and
staff use these, and only for their own establishments: anyone else's ids answer
404, as if they did not exist. Reading a stay shows guests' identity data, so each
read is written to the audit log in the same transaction.

A ``before_request`` hook answers 404 to another establishment's id before the body
is validated, so it is 404 whatever was sent; each view then looks its own record up
(``_member_establishment``, ``_member_stay``) from its path, which finds the hook's
answer kept for the request instead of asking the database again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar, cast

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from flask_openapi3.types import ResponseDict
from sqlalchemy.exc import IntegrityError

from core.api import API_PREFIX, BEARER_SECURITY, api_user, token_required
from core.api_problems import problem_response
from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from core.crypto import cipher
from core.extensions import db
from core.problems import problem
from lodging.properties import geography
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.properties.services import NotFoundError
from lodging.registration import sealed, services
from lodging.registration.api.schemas import (
    CancelBody,
    CheckoutBody,
    EstablishmentPath,
    ForeignerBody,
    GuestRecord,
    GuestStatus,
    IdempotencyHeader,
    PatchError,
    StayBody,
    StayPatch,
    StayPath,
    StayRecord,
    StaySummary,
)
from lodging.registration.deadlines import is_overdue
from lodging.registration.declarations import LONG_STAY_DAYS, DeclarationError, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, Guest, Stay
from lodging.registration.services import IdempotencyConflictError, StayStateError

api = APIBlueprint(
    "registration_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="stays")]
)

_NOT_FOUND = problem_response("No such establishment or stay among the caller's own.")
_INVALID = problem_response("Invalid input: `errors` has one message per field path.")
_CONFLICT = problem_response("The stay's state does not allow this (cancelled, checked out).")
_CHANGE_RESPONSES: ResponseDict = {200: StaySummary, 404: _NOT_FOUND, 409: _CONFLICT, 422: _INVALID}


def _user() -> User:
    return cast(User, api_user())


def _actor(user: User) -> Actor:
    return Actor(user.id, f"api:{user.email}", Channel.API)


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VIETNAM)


def _not_found() -> Response:
    return problem(404, _("Not found"), detail=_("There is no such record among yours."))


def _invalid(errors: dict[str, str]) -> Response:
    return problem(
        422, _("Invalid input"), detail=_("Some of what you sent is not valid."), errors=errors
    )


def _state_problem(exc: StayStateError) -> Response:
    """A stay's state forbids the change (409); a bad departure date is bad input (422)."""
    errors = {path: str(message) for path, message in exc.errors.items()}
    if "status" not in errors:
        return _invalid(errors)
    return problem(
        409, _("Conflict"), detail=_("The stay's state does not allow this."), errors=errors
    )


def _guest_status(guest: Guest, now: dt.datetime) -> GuestStatus:
    return GuestStatus(
        id=guest.id,
        deadline=_local(guest.deadline) if guest.deadline else None,
        report_status=guest.report_status,
        overdue=_overdue(guest, now),
    )


def _overdue(guest: Guest, now: dt.datetime) -> bool:
    return guest.deadline is not None and is_overdue(guest.deadline, guest.reported_at or now)


def _stay_fields(stay: Stay) -> dict[str, object]:
    nights = (stay.expected_departure - _local(stay.arrival).date()).days
    return {
        "id": stay.id,
        "status": stay.status,
        "room": stay.room.number if stay.room else "",
        "arrival": _local(stay.arrival),
        "expected_departure": stay.expected_departure,
        "departed_at": _local(stay.departed_at) if stay.departed_at else None,
        "long_stay": nights > LONG_STAY_DAYS,
    }


def stay_summary(stay: Stay, now: dt.datetime) -> StaySummary:
    """What a change answers: the stay's dates and each guest's reporting, no identity."""
    guests = [_guest_status(guest, now) for guest in stay.guests]
    return StaySummary.model_validate({**_stay_fields(stay), "guests": guests})


def _guest_record(guest: Guest, now: dt.datetime) -> GuestRecord:
    details = sealed.foreign_details(guest, cipher())
    province = guest.residence_province_code
    return GuestRecord(
        **dict(_guest_status(guest, now)),
        role=guest.role,
        relationship=guest.relationship_to_head,
        full_name=guest.full_name,
        birth_date=guest.birth_date,
        sex=Sex(guest.sex),
        nationality=guest.nationality,
        residence_country=guest.residence_country,
        residence_province=geography.province(province).name if province else None,
        document_type=guest.document_type,
        document_number=sealed.document_number(guest, cipher()),
        document_expiry=guest.document_expiry,
        arrival=_local(guest.arrival),
        foreigner=ForeignerBody(**dataclasses.asdict(details)) if details else None,
        confirmed=guest.confirmed_at is not None,
    )


def _json(model: StaySummary | StayRecord, status: int = 200) -> Response:
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


_RECORDS_FOUND = "registration_api.records_found"
R = TypeVar("R", Establishment, Stay)


def _once_a_request(kind: str, record_id: int, look_up: Callable[[], R]) -> R:
    """``look_up()``'s record, looked up once a request for the caller and this id.

    The hook and then the view ask for the same record; the second asks the first's
    answer (a query saved) from the request's own WSGI environ, which no other request
    or app context shares. A refusal is not kept: it answers 404 at once.
    """
    found: dict[tuple[str, int, int], object] = request.environ.setdefault(_RECORDS_FOUND, {})
    key = (kind, _user().id, record_id)
    if key not in found:
        found[key] = look_up()
    return cast(R, found[key])


def _member_establishment(establishment_id: int) -> Establishment:
    return _once_a_request(
        "establishment",
        establishment_id,
        lambda: properties.member_establishment(db.session, _user(), establishment_id),
    )


def _member_stay(stay_id: int) -> Stay:
    return _once_a_request(
        "stay", stay_id, lambda: services.stay_for_member(db.session, _user().id, stay_id)
    )


@api.before_request
def _refuse_others_records() -> Response | None:
    """Answer 404 to an establishment or stay not the caller's, before the body is validated.

    Runs after authentication (the app's hook), so the caller is an owner or staff
    member here. Anyone else's id answers 404 whatever was sent: input rules and
    existence are the same unknown.
    """
    record_id = (request.view_args or {}).get("id")
    if api_user() is None or not isinstance(record_id, int):
        return None
    # Two kinds of record, told apart by the path: /establishments/{id}/… and /stays/{id}/….
    under_establishments = request.path.startswith(f"{API_PREFIX}/establishments/")
    try:
        (_member_establishment if under_establishments else _member_stay)(record_id)
    except NotFoundError:
        return _not_found()
    return None


def _declare(
    establishment: Establishment, data: StayInput, user: User, key: str | None
) -> tuple[StaySummary, bool]:
    """Store the stay, or find the one this key stored.

    The answer is read before the commit, which expires what the session holds: it
    would otherwise be loaded again.
    """
    now = utcnow()
    declare = functools.partial(
        services.declare_stay,
        db.session,
        establishment,
        data,
        actor=_actor(user),
        cipher=cipher(),
        now=now,
        idempotency_key=key,
    )
    try:
        stay, created = declare()
        summary = stay_summary(stay, now)
        db.session.commit()
    except IntegrityError:
        if key is None:
            raise
        # Another request with this key stored its stay between our look-up and our
        # insert: the unique constraint stopped the second copy; answer with the first.
        db.session.rollback()
        stay, created = declare()
        summary = stay_summary(stay, now)
        db.session.commit()
    return summary, created


@api.post(
    "/establishments/<int:id>/stays",
    security=BEARER_SECURITY,
    responses={201: StaySummary, 200: StaySummary, 404: _NOT_FOUND, 422: _INVALID},
)
@token_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def declare_stay(path: EstablishmentPath, header: IdempotencyHeader, body: StayBody) -> Response:
    """Declare guests: 201 with each guest's reporting deadline, and a Location header.

    An arrival in the past is accepted (late declarations happen) and its guests are
    `overdue` once their deadline has passed. With an `Idempotency-Key` header a retry
    is safe: the same key with the same body answers **200** with the stay the first
    attempt stored (never a second stay); the same key with a different body is a 422
    problem. Invalid input is a 422 problem whose `errors` map field paths
    (`guests[0].document_number`) to messages in the Accept-Language's language.
    """
    establishment = _member_establishment(path.id)
    try:
        summary, created = _declare(
            establishment, body.stay_input(), _user(), header.idempotency_key
        )
    except DeclarationError as exc:
        return _invalid({field: str(message) for field, message in exc.errors.items()})
    except IdempotencyConflictError:
        message = _("This key was already used for a different declaration: use a new key.")
        return _invalid({"Idempotency-Key": message})
    response = _json(summary, 201 if created else 200)
    response.headers["Location"] = url_for(".get_stay", id=summary.id)
    return response


@api.get("/stays/<int:id>", security=BEARER_SECURITY, responses={200: StayRecord, 404: _NOT_FOUND})
@token_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def get_stay(path: StayPath) -> Response:
    """The stay and its guests' identity data; every read is written to the audit log."""
    user, stay = _user(), _member_stay(path.id)
    now = utcnow()
    guests = [_guest_record(guest, now) for guest in stay.guests]
    record = StayRecord.model_validate(
        {**_stay_fields(stay), "establishment_id": stay.establishment_id, "purpose": stay.purpose}
        | {"guests": guests}
    )
    sealed.record_guest_view(
        db.session,
        stay,
        stay.guests,
        actor=_actor(user),
        address=request.remote_addr or "",
        now=now,
        purpose="api",
    )
    db.session.commit()
    return _json(record)


def _change_stay(stay_id: int, change: Callable[[Stay, Actor, dt.datetime], object]) -> Response:
    """Apply one change to the caller's stay, commit, answer with the summary."""
    stay = _member_stay(stay_id)
    now = utcnow()
    try:
        change(stay, _actor(_user()), now)
    except StayStateError as exc:
        db.session.rollback()
        return _state_problem(exc)
    except DeclarationError as exc:
        db.session.rollback()
        return _invalid({field: str(message) for field, message in exc.errors.items()})
    except PatchError as exc:
        return _invalid(exc.errors)
    summary = stay_summary(stay, now)
    db.session.commit()
    return _json(summary)


@api.post("/stays/<int:id>/checkout", security=BEARER_SECURITY, responses=_CHANGE_RESPONSES)
@token_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def check_out_stay(path: StayPath, body: CheckoutBody) -> Response:
    """The guests left: before the expected day it is reported as an early departure."""

    def check_out(stay: Stay, actor: Actor, now: dt.datetime) -> None:
        services.check_out(db.session, stay, departed_at=body.departure, actor=actor, now=now)

    return _change_stay(path.id, check_out)


@api.patch("/stays/<int:id>", security=BEARER_SECURITY, responses=_CHANGE_RESPONSES)
@token_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def correct_stay(path: StayPath, body: StayPatch) -> Response:
    """Correct a declaration; changed guests are reported again.

    Send only what changes. `guests[i]` corrects the i-th declared guest (fields left
    out, or null, keep their value); a guest beyond those declared joined later and
    needs every field. Guests cannot be removed: cancel the declaration instead.
    """

    def correct(stay: Stay, actor: Actor, now: dt.datetime) -> None:
        data = body.merged(sealed.stay_input(stay, cipher()))
        services.correct_stay(db.session, stay, data, actor=actor, cipher=cipher(), now=now)

    return _change_stay(path.id, correct)


@api.post("/stays/<int:id>/cancel", security=BEARER_SECURITY, responses=_CHANGE_RESPONSES)
@token_required(Role.LODGING_OWNER, Role.LODGING_STAFF)
def cancel_stay(path: StayPath, body: CancelBody) -> Response:
    """Withdraw a declaration made by mistake; reported guests get a cancellation."""

    def cancel(stay: Stay, actor: Actor, now: dt.datetime) -> None:
        services.cancel_stay(db.session, stay, reason=body.reason, actor=actor, now=now)

    return _change_stay(path.id, cancel)
