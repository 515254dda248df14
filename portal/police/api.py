"""``/api/v1/police``: the police workspace for software, with a police account's token.

The same area rules as the pages: a stay outside the token's area answers 404, as one
that does not exist, and it does so before the body is validated. Searches need a
reason (422 without one) and, like every list of guests, are on the audit log.
Document numbers travel only in bodies, never in a path or a query string.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from flask_openapi3.types import ResponseDict
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from core.api import API_PREFIX, BEARER_SECURITY, api_user, token_required
from core.api_problems import problem_response
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.crypto import cipher
from core.dates import parse_day
from core.extensions import db
from core.ids import RowId
from core.problems import problem
from lodging.registration.police_answers import MAX_REASON_LENGTH, AnswerError
from portal.police import services

api = APIBlueprint("police_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="police")])
_STRICT = ConfigDict(extra="forbid")
_NOT_FOUND = problem_response("No such stay in the token's police area.")
_INVALID = problem_response("Invalid input: `errors` has one message per field path.")
_EMPTY = {"type": "string", "maxLength": 0}
_Date = Annotated[
    str | None, WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, _EMPTY]})
]
_Flag = Annotated[str | None, WithJsonSchema({"enum": ["true", "false", ""]})]


class PoliceStayPath(BaseModel):
    id: RowId


class PoliceGuestsArgs(BaseModel):
    model_config = _STRICT

    present: _Flag = Field(None, description="`true`: the guests in the house now (default).")
    date: _Date = Field(None, description="The guests who arrived on this day (YYYY-MM-DD).")


class PoliceSearchBody(BaseModel):
    model_config = _STRICT

    reason: str = Field(
        min_length=1, max_length=500, description="Why: kept in the audit log (required)."
    )
    document_number: str | None = Field(None, max_length=64, description="Exact match.")
    full_name: str | None = Field(None, max_length=200)
    birth_date: dt.date | None = None

    @model_validator(mode="after")
    def _criteria(self) -> PoliceSearchBody:
        if not self.reason.strip():
            raise ValueError("reason must not be blank")
        if not (self.document_number or "").strip() and not (
            (self.full_name or "").strip() and self.birth_date
        ):
            raise ValueError("give document_number, or full_name and birth_date")
        return self


class PoliceRejectionBody(BaseModel):
    model_config = _STRICT

    errors: dict[
        Annotated[str, Field(min_length=1, max_length=64)],
        Annotated[str, Field(min_length=1, max_length=MAX_REASON_LENGTH)],
    ] = Field(
        min_length=1,
        max_length=20,
        description="Field path (`room`, `guests[0].document_number`…) → what is wrong.",
    )


class PoliceEstablishment(BaseModel):
    id: int
    name: str
    commune: str
    street_address: str
    late: int = Field(description="Guests of the last 30 days notified after their deadline.")
    overdue: int = Field(description="Guests past their deadline and not notified.")
    silent: bool = Field(description="No declaration for a week.")
    last_declared_at: dt.datetime | None
    fine_min: int | None = Field(description="The fine band's lower bound, VND.")
    fine_max: int | None


class PoliceEstablishments(BaseModel):
    establishments: list[PoliceEstablishment]


class PoliceGuest(BaseModel):
    id: int
    stay_id: int
    full_name: str
    birth_date: dt.date | None
    nationality: str
    document_type: str
    document_number: str
    establishment_id: int
    room: str
    arrival: dt.datetime
    expected_departure: dt.date
    report_status: str | None
    foreigner: dict[str, Any] | None = Field(description="The NA17 fields, for foreigners.")


class PoliceGuests(BaseModel):
    guests: list[PoliceGuest]


class PoliceAnswerOut(BaseModel):
    stay_id: int
    guest_ids: list[int]
    report_status: str


def _officer() -> User:
    return cast(User, api_user())


def _not_found() -> Response:
    return problem(404, _("Not found"), detail=_("No such stay in your area."))


@api.before_request
def _refuse_others_stays() -> Response | None:
    """404 to a stay outside the area before the body is validated: the same unknown."""
    stay_id = (request.view_args or {}).get("id")
    if api_user() is None or not isinstance(stay_id, int):
        return None
    try:
        services.stay_in_area(db.session, _officer(), stay_id)
    except services.NotInAreaError:
        return _not_found()
    return None


@api.get("/police/establishments", security=BEARER_SECURITY, responses={200: PoliceEstablishments})
@token_required(Role.POLICE)
def establishments() -> Response:
    """The establishments reporting to the token's police unit, with their compliance."""
    rows = services.establishments(db.session, _officer(), now=utcnow())
    return jsonify(establishments=[_establishment_out(row) for row in rows])


def _establishment_out(row: services.EstablishmentRow) -> dict[str, Any]:
    band = row.fine_band
    return PoliceEstablishment(
        id=row.establishment_id,
        name=row.name,
        commune=row.commune,
        street_address=row.street_address,
        late=row.late,
        overdue=row.overdue,
        silent=row.silent,
        last_declared_at=row.last_declared_at,
        fine_min=band.minimum_fine if band else None,
        fine_max=band.maximum_fine if band else None,
    ).model_dump(mode="json")


@api.get("/police/guests", security=BEARER_SECURITY, responses={200: PoliceGuests, 400: _INVALID})
@token_required(Role.POLICE)
def guests(query: PoliceGuestsArgs) -> Response:
    """Guests present now (`present=true`, the default) or arrived on `date`."""
    officer = _officer()
    raw = request.args.get("date", "")
    if raw:
        try:
            day = parse_day(raw)
        except ValueError as exc:
            return problem(400, _("Invalid parameters"), errors={"date": str(exc)})
        rows = services.arrivals_on(db.session, officer, day, cipher())
    else:
        rows = services.present_guests(db.session, officer, cipher())
    _record(officer, "police.guest_list", services.ROUTINE_REASON, rows)
    return jsonify(guests=[_guest_out(row) for row in rows])


def _guest_out(row: services.GuestRow) -> dict[str, Any]:
    foreigner = None
    if row.foreigner is not None:
        foreigner = {
            name: (value.isoformat() if isinstance(value, dt.date) else value)
            for name, value in vars(row.foreigner).items()
        }
    return PoliceGuest(
        id=row.guest_id,
        stay_id=row.stay_id,
        full_name=row.full_name,
        birth_date=row.birth_date,
        nationality=row.nationality,
        document_type=row.document_type.value,
        document_number=row.document_number,
        establishment_id=row.establishment_id,
        room=row.room,
        arrival=row.arrival,
        expected_departure=row.expected_departure,
        report_status=row.report_status,
        foreigner=foreigner,
    ).model_dump(mode="json")


def _record(
    officer: User, action: str, reason: str, rows: list[services.GuestRow], **extra: Any
) -> None:
    services.record_read(
        db.session,
        officer,
        action=action,
        reason=reason,
        guest_ids=[row.guest_id for row in rows],
        now=utcnow(),
        address=request.remote_addr or "",
        **extra,
    )
    db.session.commit()


@api.post(
    "/police/searches", security=BEARER_SECURITY, responses={200: PoliceGuests, 422: _INVALID}
)
@token_required(Role.POLICE)
def search(body: PoliceSearchBody) -> Response:
    """Guests of the area by exact document number, or by full name and date of birth."""
    officer = _officer()
    query = services.SearchQuery(
        reason=body.reason,
        document_number=body.document_number or "",
        full_name=body.full_name or "",
        birth_date=body.birth_date,
    )
    rows = services.search(db.session, officer, query, cipher())
    criteria = "document_number" if query.document_number.strip() else "name_and_birth_date"
    _record(officer, "police.search", body.reason, rows, criteria=criteria)
    return jsonify(guests=[_guest_out(row) for row in rows])


_ANSWER_RESPONSES: ResponseDict = {200: PoliceAnswerOut, 404: _NOT_FOUND, 422: _INVALID}


@api.post("/police/stays/<int:id>/receipt", security=BEARER_SECURITY, responses=_ANSWER_RESPONSES)
@token_required(Role.POLICE)
def receipt(path: PoliceStayPath) -> Response:
    """Acknowledge the declaration: the guests show "received by the police" on the desk."""
    officer = _officer()
    stay = services.stay_in_area(db.session, officer, path.id)
    address = request.remote_addr or ""
    answers = services.acknowledge(db.session, officer, stay, now=utcnow(), address=address)
    out = PoliceAnswerOut(
        stay_id=stay.id, guest_ids=[a.guest_id for a in answers], report_status="delivered"
    )
    db.session.commit()
    return jsonify(out.model_dump(mode="json"))


@api.post("/police/stays/<int:id>/rejection", security=BEARER_SECURITY, responses=_ANSWER_RESPONSES)
@token_required(Role.POLICE)
def rejection(path: PoliceStayPath, body: PoliceRejectionBody) -> Response:
    """Refuse the declaration with a reason per field; the owner sees each on its field."""
    officer = _officer()
    stay = services.stay_in_area(db.session, officer, path.id)
    address = request.remote_addr or ""
    try:
        answers = services.reject(
            db.session, officer, stay, dict(body.errors), now=utcnow(), address=address
        )
    except AnswerError as exc:
        db.session.rollback()
        return problem(
            422,
            _("Invalid input"),
            detail=_("Some of what you sent is not valid."),
            errors=exc.errors,
        )
    out = PoliceAnswerOut(
        stay_id=stay.id, guest_ids=[a.guest_id for a in answers], report_status="rejected"
    )
    db.session.commit()
    return jsonify(out.model_dump(mode="json"))
