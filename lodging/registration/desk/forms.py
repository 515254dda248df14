"""The desk's forms: the declaration (a stay and its guests) and the changes to a stay.

The declaration form is one page for the whole family: a ``FieldList`` of guest
sub-forms, each with its own paste boxes for the CCCD QR code and the passport MRZ.
``lodging.registration.desk.declaration_form`` turns it into a ``StayInput`` and back.
"""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import InputRequired, Length, Optional

from core.dates import InCalendar
from core.text import multiline_filter, text_filter
from lodging.properties import geography
from lodging.registration.declarations import MAX_GUESTS
from lodging.registration.display import (
    DOCUMENT_LABELS,
    PASSPORT_TYPE_LABELS,
    PURPOSE_LABELS,
    ROLE_LABELS,
    SEX_LABELS,
    VISA_LABELS,
    countries,
)
from lodging.registration.models import DocumentType


def _choices(labels: dict[Any, Any], empty: Any = None) -> list[SelectChoice]:
    first = [SelectChoice("", empty)] if empty is not None else []
    return first + [SelectChoice(str(value), label) for value, label in labels.items()]


def country_choices() -> list[SelectChoice]:
    """Every country in the page's language, Vietnam first; values are alpha-2 codes."""
    found = countries(str(get_locale() or "en"))
    return [SelectChoice("", _("Choose a country"))] + [
        SelectChoice(code, name) for code, name in found
    ]


def province_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("Choose a province"))] + [
        SelectChoice(str(p.code), p.name) for p in geography.provinces()
    ]


def _date(label: Any, required: Any = None, **kwargs: Any) -> DateField:
    """A date, optional unless ``required`` (the message when it is left empty)."""
    return DateField(  # type: ignore[call-arg]  # invalid_value_message is newer than its stubs
        label,
        validators=[InputRequired(required) if required else Optional(), InCalendar()],
        invalid_value_message=_l("Enter a date such as 2026-05-01."),
        **kwargs,
    )


def _time(label: Any, required: Any) -> TimeField:
    return TimeField(  # type: ignore[call-arg]  # invalid_value_message is newer than its stubs
        label,
        format=["%H:%M", "%H:%M:%S"],
        validators=[InputRequired(required)],
        invalid_value_message=_l("Enter a time such as 14:30."),
    )


def _text(label: Any, size: int, **kwargs: Any) -> StringField:
    return StringField(label, filters=[text_filter], validators=[Length(max=size)], **kwargs)


class GuestForm(Form):
    """One guest; the paste boxes and their buttons come first, as the scanner is fastest."""

    qr = StringField(
        _l("Scan or paste the CCCD QR"),
        description=_l("Scan the QR code on the back of the card into this box."),
        validators=[Length(max=1000)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    fill_qr = SubmitField(_l("Fill from QR"))
    mrz = TextAreaField(
        _l("Paste the passport MRZ (2 or 3 lines)"),
        description=_l("The lines of letters, digits and “<” at the bottom of the photo page."),
        validators=[Length(max=1000)],
        render_kw={"rows": 3, "autocomplete": "off", "spellcheck": "false"},
    )
    fill_mrz = SubmitField(_l("Fill from MRZ"))
    full_name = _text(_l("Full name"), 200, description=_l("As written on the document."))
    birth_date = _date(_l("Date of birth"))
    sex = SelectField(_l("Sex"), choices=_choices(SEX_LABELS, _l("Choose")))
    nationality = SelectField(_l("Nationality"), choices=country_choices, default="VN")
    residence_country = SelectField(
        _l("Country of residence"), choices=country_choices, default="VN"
    )
    residence_province = SelectField(
        _l("Province of residence"),
        description=_l("Only for guests who live in Vietnam."),
        choices=province_choices,
    )
    document_type = SelectField(
        _l("Document"), choices=_choices(DOCUMENT_LABELS), default=DocumentType.CCCD.value
    )
    document_number = _text(
        _l("Document number"), 40, render_kw={"autocomplete": "off", "spellcheck": "false"}
    )
    document_expiry = _date(_l("Document valid until"))
    role = SelectField(_l("In the group"), choices=_choices(ROLE_LABELS), default="single")
    relationship = _text(
        _l("Relationship to the head"), 64, description=_l("For members: wife, son, colleague…")
    )
    # NA17: what a foreigner's declaration adds.
    passport_type = SelectField(
        _l("Passport type"), choices=_choices(PASSPORT_TYPE_LABELS, _l("Choose"))
    )
    visa_type = SelectField(_l("Visa or exemption"), choices=_choices(VISA_LABELS, _l("Choose")))
    visa_number = _text(_l("Visa number"), 40)
    visa_valid_until = _date(_l("Visa valid until"))
    visa_issued_on = _date(_l("Visa issued on"))
    visa_issuer = _text(_l("Visa issued by"), 200)
    entry_date = _date(_l("Date of entry into Vietnam"))
    entry_port = _text(
        _l("Border gate of entry"), 200, description=_l("The airport or border gate, e.g. Nội Bài.")
    )
    entry_purpose = _text(_l("Purpose of entry"), 200)
    # A late member's own arrival, kept through a correction (not typed at the desk).
    arrival = HiddenField()
    remove = SubmitField(_l("Remove this guest"))


class StayForm(FlaskForm):
    room = SelectField(_l("Room"))
    arrival_date = _date(_l("Arrival date"), _l("Enter the arrival date."))
    arrival_time = _time(_l("Arrival time"), _l("Enter the arrival time."))
    expected_departure = _date(_l("Expected departure"), _l("Enter the expected departure date."))
    purpose = SelectField(
        _l("Purpose of the stay"), choices=_choices(PURPOSE_LABELS), default="tourism"
    )
    guests = FieldList(FormField(GuestForm), min_entries=1, max_entries=MAX_GUESTS)
    # Repeating a declaration (a double tap) returns the first stay, not a second one.
    idempotency_key = HiddenField()
    # The booking whose voucher opened this form: checked in with the declaration.
    voucher = HiddenField()
    add_guest = SubmitField(_l("Add another guest"))
    submit = SubmitField(_l("Declare guests"))


class CheckOutForm(FlaskForm):
    departure_date = _date(_l("Departure date"), _l("Enter the departure date."))
    departure_time = _time(_l("Departure time"), _l("Enter the departure time."))
    submit = SubmitField(_l("Check out"))


class DepartureForm(FlaskForm):
    expected_departure = _date(_l("New expected departure"), _l("Enter the new departure date."))
    submit = SubmitField(_l("Change the departure"))


class MoveRoomForm(FlaskForm):
    room = SelectField(_l("New room"))
    submit = SubmitField(_l("Move"))


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this declaration cancelled?"),
        description=_l("For example: declared twice, or the guests did not stay."),
        filters=[multiline_filter],
        validators=[Length(max=500)],
        render_kw={"rows": 3},
    )
    submit = SubmitField(_l("Yes, cancel this declaration"))


class HistoryForm(Form):
    """The history search: posted, since a name or document number must not be in a URL."""

    q = StringField(
        _l("Name or document number"),
        validators=[Length(max=200)],
        render_kw={"type": "search", "autocomplete": "off"},
    )
    date_from = _date(_l("Arrived from"), name="from")
    date_to = _date(_l("Arrived until"), name="to")
