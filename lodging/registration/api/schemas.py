"""The JSON shapes of the stays API, and how they become declarations.

Field names follow ``GuestInput`` and ``StayInput``, so a pydantic error's location
is already the path ``check_stay`` uses for its own errors (``guests[0].birth_date``)
and a client sees one naming for both kinds of problem.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.api import field_path, translate_error
from core.dates import CalendarDate, CalendarDatetime
from core.ids import RowId
from lodging.registration.declarations import MAX_GUESTS, ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import (
    DocumentType,
    GuestRole,
    PassportType,
    Purpose,
    StayStatus,
    VisaType,
)

_STRICT = ConfigDict(extra="forbid")


class PatchError(ValueError):
    """A guest added by a correction lacks what a declaration needs: messages by path."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class EstablishmentPath(BaseModel):
    id: RowId


class StayPath(BaseModel):
    id: RowId


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


class IdempotencyHeader(BaseModel):
    idempotency_key: str | None = Field(
        default=None,
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="Any unique string per declaration (a UUID): a retry with the same key "
        "and body returns the stay the first attempt stored.",
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The schema, computed once: flask-openapi3 asks for it on every request."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return _SCHEMAS[key]


class ForeignerBody(BaseModel):
    """What the NA17 form asks of a foreigner beyond the passport itself."""

    model_config = _STRICT

    passport_type: PassportType | None = None
    visa_type: VisaType | None = None
    visa_number: str = Field(default="", max_length=50)
    visa_valid_until: CalendarDate | None = None
    visa_issued_on: CalendarDate | None = None
    visa_issuer: str = Field(default="", max_length=200)
    entry_date: CalendarDate | None = None
    entry_port: str = Field(default="", max_length=200)
    entry_purpose: str = Field(default="", max_length=200)

    def foreigner_input(self) -> ForeignerInput:
        return ForeignerInput(**self.model_dump())


class GuestBody(BaseModel):
    model_config = _STRICT

    full_name: str = Field(max_length=300, description="As written on the document.")
    birth_date: CalendarDate
    sex: Sex
    nationality: str = Field(max_length=60, description="ISO 3166-1 alpha-2 or alpha-3.")
    residence_country: str = Field(max_length=60, description="ISO 3166-1 alpha-2 or alpha-3.")
    residence_province: str = Field(
        default="",
        max_length=100,
        description="Vietnamese residents: the province's name (with or without "
        "diacritics, old names too) or its code.",
    )
    document_type: DocumentType = Field(
        description="`none` only for a child travelling with the head of family."
    )
    document_number: str = Field(default="", max_length=30)
    document_expiry: CalendarDate | None = None
    role: GuestRole = GuestRole.SINGLE
    relationship: str = Field(default="", max_length=64, description="A member's, to the head.")
    arrival: CalendarDatetime | None = Field(
        default=None, description="A group member who arrives later; default: the stay's."
    )
    foreigner: ForeignerBody | None = Field(default=None, description="Required of foreigners.")

    def guest_input(self) -> GuestInput:
        values = self.model_dump(exclude={"foreigner"})
        foreigner = self.foreigner.foreigner_input() if self.foreigner else None
        return GuestInput(**values, foreigner=foreigner)


class StayBody(BaseModel):
    model_config = _STRICT

    room: str = Field(default="", max_length=20, description="The room's number.")
    arrival: CalendarDatetime = Field(description="With its UTC offset: 2026-05-01T14:30:00+07:00.")
    expected_departure: CalendarDate
    purpose: Purpose = Purpose.TOURISM
    guests: list[GuestBody] = Field(max_length=MAX_GUESTS)

    def stay_input(self) -> StayInput:
        return StayInput(
            room=self.room,
            arrival=self.arrival,
            expected_departure=self.expected_departure,
            purpose=self.purpose,
            guests=tuple(guest.guest_input() for guest in self.guests),
        )


def _given(model: BaseModel) -> dict[str, Any]:
    """The fields a patch sets: sent, and not null."""
    return {k: v for k, v in model.model_dump(exclude_unset=True).items() if v is not None}


class GuestPatch(BaseModel):
    """A guest's corrections: a field left out, or null, keeps its value."""

    model_config = _STRICT

    full_name: str | None = Field(default=None, max_length=300)
    birth_date: CalendarDate | None = None
    sex: Sex | None = None
    nationality: str | None = Field(default=None, max_length=60)
    residence_country: str | None = Field(default=None, max_length=60)
    residence_province: str | None = Field(default=None, max_length=100)
    document_type: DocumentType | None = None
    document_number: str | None = Field(default=None, max_length=30)
    document_expiry: CalendarDate | None = None
    role: GuestRole | None = None
    relationship: str | None = Field(default=None, max_length=64)
    arrival: CalendarDatetime | None = None
    foreigner: ForeignerBody | None = None

    def merged(self, current: GuestInput) -> GuestInput:
        changes = _given(self)
        if self.foreigner is not None:
            foreigner = current.foreigner or ForeignerInput()
            changes["foreigner"] = dataclasses.replace(foreigner, **_given(self.foreigner))
        return dataclasses.replace(current, **changes)

    def new_guest(self, index: int) -> GuestInput:
        """A guest who joined the stay later: everything a declaration needs."""
        try:
            return GuestBody.model_validate(_given(self)).guest_input()
        except ValidationError as exc:
            raise PatchError(
                {
                    field_path(("guests", index, *error["loc"])): translate_error(error)
                    for error in exc.errors()
                }
            ) from exc


class StayPatch(BaseModel):
    """Corrections: top-level fields left out keep their value; guests match by position.

    A guest beyond the ones declared is a late arrival and needs every field.
    """

    model_config = _STRICT

    room: str | None = Field(default=None, max_length=20)
    arrival: CalendarDatetime | None = None
    expected_departure: CalendarDate | None = None
    purpose: Purpose | None = None
    guests: list[GuestPatch] | None = Field(default=None, max_length=MAX_GUESTS)

    def merged(self, current: StayInput) -> StayInput:
        guests = list(current.guests)
        for index, patch in enumerate(self.guests or []):
            if index < len(guests):
                guests[index] = patch.merged(guests[index])
            else:
                guests.append(patch.new_guest(index))
        changes = {k: v for k, v in _given(self).items() if k != "guests"}
        return dataclasses.replace(current, **changes, guests=tuple(guests))


class CheckoutBody(BaseModel):
    model_config = _STRICT

    departure: CalendarDatetime = Field(description="When the guests left, with its UTC offset.")


class CancelBody(BaseModel):
    model_config = _STRICT

    reason: str = Field(max_length=200, description="Why the declaration was a mistake.")


class GuestStatus(BaseModel):
    id: int
    deadline: dt.datetime | None = Field(
        description="The last instant the report is on time (Asia/Ho_Chi_Minh, +07:00)."
    )
    report_status: str | None = Field(
        description="queued, sending, delivered, rejected, unverified or dead; filed when "
        "the report was only archived (no channel reaches the police: hand it over); null "
        "while a self-checked-in guest waits for staff to confirm them."
    )
    overdue: bool = Field(description="Reported after the deadline, or not yet and it has passed.")


class _StayFields(BaseModel):
    id: int
    status: StayStatus
    room: str
    arrival: dt.datetime
    expected_departure: dt.date
    departed_at: dt.datetime | None
    long_stay: bool = Field(description="Over 30 days: a temporary residence, not a stay.")


class StaySummary(_StayFields):
    guests: list[GuestStatus]


class GuestRecord(GuestStatus):
    role: GuestRole
    relationship: str
    full_name: str
    birth_date: dt.date | None
    sex: Sex
    nationality: str = Field(description="ISO 3166-1 alpha-2.")
    residence_country: str = Field(description="ISO 3166-1 alpha-2.")
    residence_province: str | None = Field(description="The province's name.")
    document_type: DocumentType
    document_number: str
    document_expiry: dt.date | None
    arrival: dt.datetime
    foreigner: ForeignerBody | None
    confirmed: bool = Field(description="Staff have seen the guest's papers.")


class StayRecord(_StayFields):
    establishment_id: int
    purpose: Purpose
    guests: list[GuestRecord]
