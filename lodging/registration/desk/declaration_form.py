"""The declaration form and a ``StayInput``, each made from the other.

Reading the form, filling a guest from a scanned CCCD QR code or passport MRZ, and
putting a ``DeclarationError``'s messages on the fields they belong to: whatever
happens, the page comes back with everything the receptionist typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from core.clock import VIETNAM
from lodging.properties import geography
from lodging.registration.bookings import BookedArrival
from lodging.registration.declarations import (
    ForeignerInput,
    GuestInput,
    StayInput,
    country_code,
)
from lodging.registration.desk.forms import GuestForm, StayForm
from lodging.registration.documents import DocumentError, Sex, parse_cccd_qr
from lodging.registration.models import DocumentType, GuestRole, PassportType, Purpose, VisaType
from lodging.registration.mrz import parse_mrz

# MRZ nationality codes that are not ISO alpha-3 (ICAO Doc 9303-3, 5).
_MRZ_ONLY_CODES = {"D": "DE"}
_FOREIGN_FIELDS = (
    "passport_type",
    "visa_type",
    "visa_number",
    "visa_valid_until",
    "visa_issued_on",
    "visa_issuer",
    "entry_date",
    "entry_port",
    "entry_purpose",
)
_STAY_FIELDS = {
    "room": "room",
    "arrival": "arrival_date",
    "expected_departure": "expected_departure",
    "purpose": "purpose",
}
_GUEST_PATH = re.compile(r"guests\[(\d+)\](?:\.foreigner)?(?:\.(\w+))?")


@dataclass(frozen=True)
class Action:
    """Which button sent the form: ``index`` is the guest it belongs to."""

    kind: str  # submit, add, remove, qr, mrz or pasted (Enter in a scan box)
    index: int = -1


@dataclass
class Feedback:
    """What a re-rendered form tells: a note per guest, and where to put the cursor."""

    notes: dict[int, str] = field(default_factory=dict)
    general: str = ""
    focus: str = ""


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary, linking to the field."""

    target: str
    label: str
    message: str


def guests(form: StayForm) -> list[GuestForm]:
    return [entry.form for entry in form.guests.entries]


def pressed(form: StayForm) -> Action:
    """The button pressed. Enter in any box presses the form's first button, "pasted"."""
    if form.submit.data:
        return Action("submit")
    if form.add_guest.data:
        return Action("add")
    for index, guest in enumerate(guests(form)):
        for kind, button in (
            ("qr", guest.fill_qr),
            ("mrz", guest.fill_mrz),
            ("remove", guest.remove),
        ):
            if button.data:
                return Action(kind, index)
    return Action("pasted")


def apply(form: StayForm, action: Action) -> Feedback:
    """Carry out a button that only changes the form (nothing is stored)."""
    feedback = Feedback()
    rows = guests(form)
    if action.kind == "add":
        _add_guest(form, feedback)
    elif action.kind == "remove":
        _remove_guest(form, action.index)
    elif action.kind == "qr":
        _fill_qr(rows, action.index, feedback)
    elif action.kind == "mrz":
        _fill_mrz(rows, action.index, feedback)
    else:
        scanned = [i for i, guest in enumerate(rows) if (guest.qr.data or "").strip()]
        pasted = [i for i, guest in enumerate(rows) if (guest.mrz.data or "").strip()]
        for index in scanned:
            _fill_qr(rows, index, feedback)
        for index in pasted:
            _fill_mrz(rows, index, feedback)
        if not scanned and not pasted:
            feedback.general = _(
                "Nothing was declared yet: press “Declare guests” when every guest is filled in."
            )
    return feedback


def _add_guest(form: StayForm, feedback: Feedback) -> None:
    rows = guests(form)
    if len(rows) >= (form.guests.max_entries or len(rows) + 1):
        feedback.general = _("One declaration holds at most %(count)s guests.", count=len(rows))
        return
    if rows and rows[0].role.data == GuestRole.SINGLE.value:
        _set(rows[0].role, GuestRole.HEAD.value)
    new = form.guests.append_entry().form
    _set(new.role, GuestRole.MEMBER.value)
    feedback.focus = new.qr.id


def _remove_guest(form: StayForm, index: int) -> None:
    if len(form.guests.entries) > 1:
        del form.guests.entries[index]
    rows = guests(form)
    if len(rows) == 1:
        _set(rows[0].role, GuestRole.SINGLE.value)


def _next_focus(rows: list[GuestForm], index: int) -> str:
    return rows[index + 1].qr.id if index + 1 < len(rows) else rows[index].full_name.id


def _fill_qr(rows: list[GuestForm], index: int, feedback: Feedback) -> None:
    guest = rows[index]
    text = (guest.qr.data or "").strip()
    if not text:
        guest.qr.errors = [_("Scan or paste the code from the back of the card first.")]
        return
    try:
        data = parse_cccd_qr(text)
    except DocumentError as exc:
        guest.qr.errors = [str(exc.message)]
        feedback.focus = guest.qr.id
        return
    _set(guest.full_name, data.full_name)
    _set(guest.birth_date, data.birth_date)
    _set(guest.sex, data.sex.value)
    for country in (guest.nationality, guest.residence_country):
        _set(country, "VN")
    _set(guest.document_type, DocumentType.CCCD.value)
    _set(guest.document_number, data.id_number)
    province = _province_of(data.address)
    if province is not None:
        _set(guest.residence_province, str(province.code))
    _set(guest.qr, "")
    feedback.notes[index] = _("Filled from the CCCD QR code: check the details against the card.")
    feedback.focus = _next_focus(rows, index)


def _province_of(address: str) -> geography.Province | None:
    """The province at the end of an address as printed ("…, Tỉnh Quảng Ninh")."""
    last = address.rsplit(",", 1)[-1].strip()
    try:
        return geography.find_province(last) if last else None
    except geography.UnknownPlaceError:
        return None


def _fill_mrz(rows: list[GuestForm], index: int, feedback: Feedback) -> None:
    guest = rows[index]
    try:
        data = parse_mrz(guest.mrz.data or "")
    except DocumentError as exc:
        guest.mrz.errors = [str(exc.message)]
        feedback.focus = guest.mrz.id
        return
    _set(guest.full_name, " ".join(part for part in (data.given_names, data.surname) if part))
    _set(guest.birth_date, data.birth_date)
    if data.sex is not None:
        _set(guest.sex, data.sex.value)
    nationality = _MRZ_ONLY_CODES.get(data.nationality) or country_code(data.nationality)
    if nationality is not None:
        _set(guest.nationality, nationality)
        _set(guest.residence_country, nationality)
    passport = data.layout == "TD3"
    _set(guest.document_type, (DocumentType.PASSPORT if passport else DocumentType.OTHER).value)
    _set(guest.document_number, data.document_number)
    _set(guest.document_expiry, data.expiry_date)
    _set(guest.mrz, "")
    feedback.notes[index] = _(
        "Filled from the MRZ: check the details, the country of residence and the visa."
    )
    feedback.focus = guest.full_name.id


def fill_from_booking(form: StayForm, booked: BookedArrival) -> None:
    """What a booking knows: its voucher, the departure and the booker, as head or single."""
    form.voucher.data = booked.voucher
    form.expected_departure.data = booked.departure
    _set(guests(form)[0].full_name, booked.guest_name)


def _set(target: Any, value: Any) -> None:
    """Replace a field's value as if it had been typed (dates render from data, not input)."""
    target.data = value
    target.raw_data = []


def read_stay(form: StayForm) -> StayInput:
    """The validated form as a declaration, for ``services.declare_stay``."""
    day, time, departure = (
        form.arrival_date.data,
        form.arrival_time.data,
        form.expected_departure.data,
    )
    if day is None or time is None or departure is None:
        raise ValueError("read_stay needs a validated form")
    return StayInput(
        room=form.room.data or "",
        arrival=dt.datetime.combine(day, time, tzinfo=VIETNAM),
        expected_departure=departure,
        purpose=Purpose(form.purpose.data),
        guests=tuple(_read_guest(guest) for guest in guests(form)),
    )


def _read_guest(guest: GuestForm) -> GuestInput:
    nationality = guest.nationality.data or ""
    return GuestInput(
        full_name=guest.full_name.data or "",
        birth_date=guest.birth_date.data,
        sex=Sex(guest.sex.data) if guest.sex.data else None,
        nationality=nationality,
        residence_country=guest.residence_country.data or "",
        residence_province=guest.residence_province.data or "",
        document_type=DocumentType(guest.document_type.data),
        document_number=guest.document_number.data or "",
        document_expiry=guest.document_expiry.data,
        role=GuestRole(guest.role.data),
        relationship=guest.relationship.data or "",
        arrival=_read_arrival(guest.arrival.data),
        foreigner=None if nationality in {"", "VN"} else _read_foreigner(guest),
    )


def _read_arrival(text: str | None) -> dt.datetime | None:
    try:
        found = dt.datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _read_foreigner(guest: GuestForm) -> ForeignerInput:
    return ForeignerInput(
        passport_type=PassportType(guest.passport_type.data) if guest.passport_type.data else None,
        visa_type=VisaType(guest.visa_type.data) if guest.visa_type.data else None,
        visa_number=guest.visa_number.data or "",
        visa_valid_until=guest.visa_valid_until.data,
        visa_issued_on=guest.visa_issued_on.data,
        visa_issuer=guest.visa_issuer.data or "",
        entry_date=guest.entry_date.data,
        entry_port=guest.entry_port.data or "",
        entry_purpose=guest.entry_purpose.data or "",
    )


def form_data(data: StayInput) -> dict[str, Any]:
    """A stored declaration as the form's initial values, to correct it."""
    arrival = data.arrival.astimezone(VIETNAM)
    return {
        "room": data.room,
        "arrival_date": arrival.date(),
        "arrival_time": arrival.time().replace(second=0, microsecond=0, tzinfo=None),
        "expected_departure": data.expected_departure,
        "purpose": data.purpose.value,
        "guests": [_guest_data(guest) for guest in data.guests],
    }


def _guest_data(guest: GuestInput) -> dict[str, Any]:
    values: dict[str, Any] = {
        "full_name": guest.full_name,
        "birth_date": guest.birth_date,
        "sex": guest.sex.value if guest.sex else "",
        "nationality": guest.nationality,
        "residence_country": guest.residence_country,
        "residence_province": guest.residence_province,
        "document_type": guest.document_type.value,
        "document_number": guest.document_number,
        "document_expiry": guest.document_expiry,
        "role": guest.role.value,
        "relationship": guest.relationship,
        "arrival": guest.arrival.isoformat() if guest.arrival else "",
    }
    if guest.foreigner is not None:
        for name in _FOREIGN_FIELDS:
            value = getattr(guest.foreigner, name)
            values[name] = value.value if isinstance(value, PassportType | VisaType) else value
    return values


def place_errors(form: StayForm, errors: Mapping[str, Any]) -> None:
    """Each of the service's messages on its field; what fits no field, on the form."""
    rows = guests(form)
    for path, message in errors.items():
        text = str(message)
        if path in _STAY_FIELDS:
            target = form[_STAY_FIELDS[path]]
            target.errors = [*target.errors, text]
            continue
        match = _GUEST_PATH.fullmatch(path)
        if match is None or int(match.group(1)) >= len(rows):
            form.form_errors.append(text)
            continue
        guest = rows[int(match.group(1))]
        name = match.group(2) or ("visa_type" if path.endswith(".foreigner") else "")
        if name in guest and name != "arrival":
            guest[name].errors = [*guest[name].errors, text]
        else:
            guest.form_errors.append(text)


def error_links(form: StayForm) -> list[ErrorLink]:
    """The error summary: every message, in page order, linking to its field."""
    links = [ErrorLink("guests", _("Guests"), message) for message in form.form_errors]
    for name in ("room", "arrival_date", "arrival_time", "expected_departure", "purpose"):
        links += [
            ErrorLink(form[name].id, str(form[name].label.text), m) for m in form[name].errors
        ]
    for number, entry in enumerate(form.guests.entries, start=1):
        guest = entry.form
        prefix = _("Guest %(number)s", number=number)
        links += [ErrorLink(entry.id, prefix, message) for message in guest.form_errors]
        for item in guest:
            label = f"{prefix}: {item.label.text}"
            links += [ErrorLink(item.id, label, str(message)) for message in item.errors]
    if "csrf_token" in form and form.csrf_token.errors:
        links.append(ErrorLink("", "", _("This form expired. Please send it again.")))
    return links
