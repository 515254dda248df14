"""The workspace's forms: a search with its reason, a receipt, a rejection per field."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from core.dates import InCalendar
from core.text import text_filter
from lodging.registration.delivery_state import FIELD_LABELS
from lodging.registration.models import Guest
from lodging.registration.police_answers import MAX_REASON_LENGTH

# The fields an officer may refuse: the stay's own, then each guest's.
STAY_FIELDS = ("room", "arrival", "purpose")
GUEST_FIELDS = (
    "full_name",
    "birth_date",
    "sex",
    "nationality",
    "document_type",
    "document_number",
    "document_expiry",
)
FOREIGNER_FIELDS = tuple(path for path in FIELD_LABELS if path.startswith("foreigner."))
REJECTION_ROWS = 3


class SearchForm(FlaskForm):
    document_number = StringField(
        _l("Document number"),
        description=_l("CCCD, passport or other document: exact, spaces ignored."),
        filters=[text_filter],
        validators=[Length(max=64)],
        render_kw={"autocomplete": "off", "inputmode": "text"},
    )
    full_name = StringField(_l("Or full name"), filters=[text_filter], validators=[Length(max=200)])
    birth_date = DateField(  # type: ignore[call-arg]  # invalid_value_message is newer than its stubs
        _l("and date of birth"),
        validators=[Optional(), InCalendar()],
        invalid_value_message=_l("Enter a date such as 2026-05-01."),
    )
    reason = TextAreaField(
        _l("Reason for the search"),
        description=_l("Required and kept in the audit log, e.g. the case or request number."),
        filters=[text_filter],
        validators=[InputRequired(_l("State the reason for the search.")), Length(max=500)],
    )

    def validate_full_name(self, field: StringField) -> None:
        if self.document_number.data:
            return
        if not field.data or self.birth_date.data is None:
            raise ValidationError(_("Enter a document number, or a full name and a date of birth."))


class ReceiptForm(FlaskForm):
    """Only the CSRF token: the stay is in the path."""


class RejectionRow(Form):
    path = SelectField(_l("Field to correct"), validators=[Optional()])
    reason = StringField(
        _l("What is wrong"), filters=[text_filter], validators=[Length(max=MAX_REASON_LENGTH)]
    )


class RejectionForm(FlaskForm):
    rows = FieldList(
        FormField(RejectionRow), min_entries=REJECTION_ROWS, max_entries=REJECTION_ROWS
    )

    def reasons(self) -> dict[str, str]:
        """Field path -> reason, for the rows with both."""
        found = {}
        for row in self.rows:
            path, reason = row.form.path.data, (row.form.reason.data or "").strip()
            if path and reason:
                found[path] = reason
        return found

    def validate_rows(self, field: Any) -> None:
        if not self.reasons():
            raise ValidationError(_("Choose at least one field and say what is wrong with it."))


def field_choices(guests: Sequence[Guest]) -> list[SelectChoice]:
    """The stay's fields, then each guest's (by name), as refusal targets."""
    choices = [SelectChoice("", _("Choose a field"))]
    choices += [SelectChoice(path, str(FIELD_LABELS[path])) for path in STAY_FIELDS]
    for guest in guests:
        names = GUEST_FIELDS + (FOREIGNER_FIELDS if guest.is_foreigner else ())
        for name in names:
            label = f"{guest.full_name}: {FIELD_LABELS[name]}"
            choices.append(SelectChoice(f"guests[{guest.position}].{name}", label))
    return choices


def rejection_form(guests: Sequence[Guest], **kwargs: Any) -> RejectionForm:
    form = RejectionForm(**kwargs)
    choices = field_choices(guests)
    for row in form.rows:
        row.form.path.choices = choices
    return form


class UnitEmailForm(FlaskForm):
    """The address where the officer's own unit takes stay notices by e-mail."""

    email = StringField(
        _l("E-mail address for stay notices"),
        description=_l(
            "The address your unit publishes for stay notices. Establishments without "
            "another channel then send their notices there. Leave it empty to remove it."
        ),
        filters=[text_filter],
        render_kw={"autocomplete": "off", "inputmode": "email"},
    )
