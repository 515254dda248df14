"""Self check-in forms: a guest's own details, and the staff's confirmation.

A guest's form holds one person. Every rule lives in ``declarations.check_stay``:
these forms only parse what was typed, turn it into a ``GuestInput`` and put the
check's messages back on the fields they belong to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.fields.core import Field
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from core.dates import InCalendar
from core.text import text_filter
from lodging.properties import geography
from lodging.registration.declarations import (
    DeclarationError,
    ForeignerInput,
    GuestInput,
    StayInput,
    country_code,
)
from lodging.registration.display import (
    DOCUMENT_LABELS,
    PASSPORT_TYPE_LABELS,
    PURPOSE_LABELS,
    SEX_LABELS,
    VISA_LABELS,
    countries,
)
from lodging.registration.documents import CccdQrData, Sex
from lodging.registration.models import (
    ConfirmationMethod,
    DocumentType,
    GuestRole,
    PassportType,
    Purpose,
    VisaType,
)
from lodging.registration.mrz import MrzData

METHOD_LABELS = {
    ConfirmationMethod.IN_PERSON: _l("In person, at the desk"),
    ConfirmationMethod.VIDEO: _l("Live video call"),
}
# ICAO 9303 writes Germany as "D"; every other state has its alpha-3 code.
_MRZ_STATES = {"D": "DE"}
# The second letter of a passport's MRZ document code, where states use it.
_MRZ_PASSPORT_TYPES = {"D": PassportType.DIPLOMATIC, "O": PassportType.OFFICIAL}


def _choices(labels: dict[Any, LazyString], *, blank: bool = True) -> list[SelectChoice]:
    found = [SelectChoice(str(value), label) for value, label in labels.items()]
    return [SelectChoice("", _l("Choose…")), *found] if blank else found


def _country_choices() -> list[SelectChoice]:
    found = countries(str(get_locale() or "en"))
    return [SelectChoice("", _l("Choose…")), *(SelectChoice(c, n) for c, n in found)]


def _province_choices() -> list[SelectChoice]:
    provinces = (SelectChoice(str(p.code), p.name) for p in geography.provinces())
    return [SelectChoice("", _l("I do not live in Vietnam")), *provinces]


class _DateField(DateField):
    """A date that, mistyped, says so in the reader's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date such as 2026-05-01.")) from None


def _date(
    label: LazyString,
    description: LazyString | str = "",
    *,
    required: LazyString | None = None,
    **render_kw: str,
) -> _DateField:
    presence = InputRequired(required) if required is not None else Optional()
    return _DateField(
        label, validators=[presence, InCalendar()], description=description, render_kw=render_kw
    )


def _select(label: LazyString, labels: dict[Any, LazyString] | None = None, **kw: Any) -> Any:
    return SelectField(label, choices=_choices(labels) if labels else [], default="", **kw)


def _text(label: LazyString, max_length: int, **kw: Any) -> StringField:
    return StringField(label, filters=[text_filter], validators=[Length(max=max_length)], **kw)


_DOCUMENT_INPUT = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


def _set(field: Field, value: object) -> None:
    """Show ``value`` in ``field`` instead of what was sent."""
    field.data = value
    field.raw_data = None


def add_error(field: Field, message: LazyString | str) -> None:
    if message not in field.errors:
        field.errors = [*field.errors, message]


class GuestForm(FlaskForm):
    """One guest's details, with boxes to fill them from a CCCD's QR code or an MRZ."""

    cccd_qr = TextAreaField(
        _l("Vietnamese ID card (CCCD): the text of the QR code on its back"),
        description=_l(
            "Optional. Scan the QR code, paste its text here and press “Fill in from the card”."
        ),
        validators=[Length(max=500)],
        render_kw={"rows": "2", "autocomplete": "off", "spellcheck": "false"},
    )
    mrz = TextAreaField(
        _l("Passport: the two lines of letters and “<” at the bottom of the photo page"),
        description=_l("Optional. Type or paste them here and press “Fill in from the passport”."),
        validators=[Length(max=300)],
        render_kw={"rows": "2", "autocomplete": "off", "spellcheck": "false"},
    )
    full_name = _text(_l("Full name, as on your document"), 200, render_kw={"autocomplete": "name"})
    birth_date = _date(_l("Date of birth"), autocomplete="bday")
    sex = _select(_l("Sex, as on your document"), SEX_LABELS)
    nationality = _select(_l("Nationality"))
    residence_country = _select(_l("Country where you live"))
    residence_province = _select(
        _l("Province where you live"), description=_l("Only if you live in Vietnam.")
    )
    document_type = _select(
        _l("Document you will show at the desk"),
        {kind: label for kind, label in DOCUMENT_LABELS.items() if kind is not DocumentType.NONE},
        validators=[InputRequired(_l("Choose the document you will show at the desk."))],
    )
    document_number = _text(_l("Document number"), 40, render_kw=_DOCUMENT_INPUT)
    document_expiry = _date(
        _l("Document valid until"), _l("Leave it empty if your document has no expiry date.")
    )
    passport_type = _select(_l("Passport type"), PASSPORT_TYPE_LABELS)
    visa_type = _select(_l("Visa or exemption"), VISA_LABELS)
    visa_number = _text(
        _l("Visa number"),
        40,
        description=_l("Not needed if you entered without a visa."),
        render_kw=_DOCUMENT_INPUT,
    )
    visa_valid_until = _date(_l("Visa valid until"))
    visa_issued_on = _date(_l("Visa issued on"))
    visa_issuer = _text(
        _l("Visa issued by"),
        200,
        description=_l("For example: the Immigration Department, or the embassy in your country."),
    )
    entry_date = _date(_l("Date you entered Vietnam"))
    entry_port = _text(
        _l("Airport or border gate where you entered Vietnam"),
        100,
        description=_l("For example: Nội Bài, Tân Sơn Nhất, Móng Cái."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.nationality.choices = _country_choices()
        self.residence_country.choices = _country_choices()
        self.residence_province.choices = _province_choices()

    def guest_input(self, *, purpose: Purpose, relationship: str = "") -> GuestInput:
        """What the guest typed; ``purpose`` is also the foreigner's purpose of entry."""
        nationality = self.nationality.data or ""
        foreign = country_code(nationality) not in {None, "VN"}
        return GuestInput(
            full_name=self.full_name.data or "",
            birth_date=self.birth_date.data,
            sex=Sex(self.sex.data) if self.sex.data else None,
            nationality=nationality,
            residence_country=self.residence_country.data or "",
            residence_province=self.residence_province.data or "",
            document_type=DocumentType(self.document_type.data),
            document_number=self.document_number.data or "",
            document_expiry=self.document_expiry.data,
            role=GuestRole.SINGLE,
            relationship=relationship,
            foreigner=self._foreigner(purpose) if foreign else None,
        )

    def _foreigner(self, purpose: Purpose) -> ForeignerInput:
        return ForeignerInput(
            passport_type=PassportType(self.passport_type.data)
            if self.passport_type.data
            else None,
            visa_type=VisaType(self.visa_type.data) if self.visa_type.data else None,
            visa_number=self.visa_number.data or "",
            visa_valid_until=self.visa_valid_until.data,
            visa_issued_on=self.visa_issued_on.data,
            visa_issuer=self.visa_issuer.data or "",
            entry_date=self.entry_date.data,
            entry_port=self.entry_port.data or "",
            entry_purpose=purpose.value,
        )

    def place_errors(self, errors: dict[str, LazyString]) -> list[LazyString]:
        """Put each message on its field; returns those that belong to no field."""
        general = []
        for path, message in errors.items():
            name = path.removeprefix("guests[0].").removeprefix("foreigner.")
            name = "visa_type" if name == "foreigner" else name
            if name in self and name not in {"cccd_qr", "mrz", "csrf_token"}:
                add_error(self[name], message)
            else:
                general.append(message)
        return general

    def fill_from_cccd(self, card: CccdQrData) -> None:
        _set(self.full_name, card.full_name)
        _set(self.birth_date, card.birth_date)
        _set(self.sex, card.sex.value)
        _set(self.nationality, "VN")
        _set(self.residence_country, "VN")
        _set(self.document_type, DocumentType.CCCD.value)
        _set(self.document_number, card.id_number)
        province = card.address.rsplit(",", 1)[-1]
        # An address the catalogue does not know: the guest chooses the province.
        with contextlib.suppress(geography.UnknownPlaceError):
            _set(self.residence_province, str(geography.find_province(province).code))

    def fill_from_mrz(self, mrz: MrzData) -> None:
        _set(self.full_name, f"{mrz.surname} {mrz.given_names}".strip())
        _set(self.birth_date, mrz.birth_date)
        if mrz.sex is not None:
            _set(self.sex, mrz.sex.value)
        nationality = _MRZ_STATES.get(mrz.nationality) or country_code(mrz.nationality)
        if nationality:
            _set(self.nationality, nationality)
            if not self.residence_country.data:
                _set(self.residence_country, nationality)
        passport = mrz.document_type.startswith("P")
        kind = DocumentType.PASSPORT if passport else DocumentType.OTHER
        _set(self.document_type, kind.value)
        _set(self.document_number, mrz.document_number)
        _set(self.document_expiry, mrz.expiry_date)
        if passport:
            variant = _MRZ_PASSPORT_TYPES.get(mrz.document_type[1:], PassportType.ORDINARY)
            _set(self.passport_type, variant.value)


class EstablishmentCheckinForm(GuestForm):
    """From the poster: a new stay for one guest."""

    room = _text(
        _l("Room number, as on your key"),
        20,
        description=_l("Ask at the reception if you do not know it yet. Staff can correct it."),
        render_kw={"autocomplete": "off"},
    )
    expected_departure = _date(_l("Date you leave"), required=_l("Enter the date you leave."))
    purpose = SelectField(
        _l("Purpose of your stay"),
        choices=_choices(PURPOSE_LABELS, blank=False),
        default=Purpose.TOURISM.value,
    )

    def stay_input(self, now: dt.datetime) -> StayInput:
        """The stay, arriving ``now``; call it once the form validates."""
        purpose = Purpose(self.purpose.data)
        departure = self.expected_departure.data
        if departure is None:  # not after validation: InputRequired sees to it
            raise DeclarationError({"expected_departure": _l("Enter the date you leave.")})
        return StayInput(
            room=(self.room.data or "") if "room" in self else "",
            arrival=now,
            expected_departure=departure,
            purpose=purpose,
            guests=(self.guest_input(purpose=purpose),),
        )


class StayCheckinForm(GuestForm):
    """From a stay's link: one more guest joins guests already declared."""

    relationship = _text(
        _l("How are you related to the guest who checked in first?"),
        64,
        description=_l("For example: wife, son, friend, colleague."),
    )

    def joining_guest(self, purpose: Purpose) -> GuestInput:
        return self.guest_input(purpose=purpose, relationship=self.relationship.data or "")


class ConfirmGuestForm(FlaskForm):
    method = RadioField(
        _l("How did you see the guest?"),
        choices=_choices(METHOD_LABELS, blank=False),
        default=ConfirmationMethod.IN_PERSON.value,
        validators=[InputRequired(_l("Choose how you saw the guest."))],
    )
    seen_document = BooleanField(
        _l("I have seen the original document, and it matches these details."),
        validators=[DataRequired(_l("Confirm that you have seen the original document."))],
    )
