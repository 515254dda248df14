"""Back-office forms: an item's original and facts, a translation, a photo, itinerary days.

Opening hours and tickets are typed one per line, in a small format officers can read
back ("Mo-Su 06:30-17:30"; "290000 Người lớn | Adult"); the parsers below turn them
into the stored JSON, with a message for the line that is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from core.dates import InCalendar
from portal.destinations.itineraries import DAYS_CHANGED
from portal.destinations.models import Recurrence
from portal.destinations.presentation import CATEGORY_LABELS, KIND_LABELS
from portal.destinations.services import LANGUAGES

_HOURS = re.compile(r"^(?P<days>[A-Za-z,-]+)\s+(?P<opens>\d{2}:\d{2})-(?P<closes>\d{2}:\d{2})$")
_TICKET = re.compile(r"^(?P<amount>\d[\d .]*)\s+(?P<vi>[^|]+?)(?:\s*\|\s*(?P<en>.+))?$")
WHEELCHAIR_CHOICES = [
    SelectChoice("", _l("Not known")),
    SelectChoice("yes", _l("Wheelchair accessible")),
    SelectChoice("partial", _l("Partly wheelchair accessible")),
    SelectChoice("no", _l("Not wheelchair accessible")),
]
RECURRENCE_CHOICES = [
    SelectChoice(Recurrence.NONE.value, _l("Does not repeat")),
    SelectChoice(Recurrence.WEEKLY.value, _l("Every week")),
    SelectChoice(Recurrence.YEARLY.value, _l("Every year")),
]


def parse_opening_hours(text: str) -> list[dict[str, str]]:
    """Rules like ``Mo-Fr 08:00-17:00``, one per line; ValueError names a bad line."""
    rules = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = _HOURS.match(line)
        if match is None:
            raise ValueError(line)
        rules.append(match.groupdict())
    return rules


def format_opening_hours(rules: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['days']} {r['opens']}-{r['closes']}" for r in rules)


def parse_tickets(text: str) -> list[dict[str, Any]]:
    """Tickets like ``290000 Người lớn | Adult``, one per line; ValueError names a bad line."""
    tickets = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        match = _TICKET.match(line)
        if match is None:
            raise ValueError(line)
        label = {"vi": match["vi"].strip()}
        if match["en"]:
            label["en"] = match["en"].strip()
        amount = int(re.sub(r"[ .]", "", match["amount"]))
        tickets.append({"label": label, "amount": amount})
    return tickets


def format_tickets(tickets: list[dict[str, Any]]) -> str:
    lines = []
    for ticket in tickets:
        label = ticket.get("label", {})
        english = f" | {label['en']}" if label.get("en") else ""
        lines.append(f"{ticket['amount']} {label.get('vi', '')}{english}")
    return "\n".join(lines)


class TextFields(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Lower-case words joined by hyphens; empty: made from the title."),
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=1000)])
    body = TextAreaField(_l("Text"), description=_l("Separate paragraphs with a blank line."))


class ItemForm(TextFields):
    """The Vietnamese original and the facts; the page shows the fields of the item's type."""

    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)
    province = StringField(_l("Province"), validators=[Length(max=100)])
    commune = StringField(_l("Commune or ward"), validators=[Length(max=100)])
    latitude = FloatField(_l("Latitude"), validators=[Optional()])
    longitude = FloatField(_l("Longitude"), validators=[Optional()])
    opening_hours = TextAreaField(
        _l("Opening hours"),
        description=_l("One rule per line, such as: Mo-Su 06:30-17:30. Empty: always open."),
    )
    tickets = TextAreaField(
        _l("Tickets"),
        description=_l("One per line: price in đồng, Vietnamese label | English label."),
    )
    wheelchair = SelectField(_l("Wheelchair access"), choices=WHEELCHAIR_CHOICES, default="")
    accessibility_note = StringField(_l("Accessibility note"), validators=[Length(max=500)])
    starts_on = DateField(_l("First day"), validators=[Optional(), InCalendar()])
    ends_on = DateField(_l("Last day"), validators=[Optional(), InCalendar()])
    start_time = TimeField(_l("Starts at"), validators=[Optional()])
    end_time = TimeField(_l("Ends at"), validators=[Optional()])
    recurrence = SelectField(_l("Repeats"), choices=RECURRENCE_CHOICES, default="none")
    recurrence_until = DateField(_l("Repeats until"), validators=[Optional(), InCalendar()])
    cancelled = BooleanField(_l("Cancelled"))
    place_id = SelectField(_l("Held at"), choices=[], validate_choice=False)
    published_on = DateField(_l("News date"), validators=[Optional(), InCalendar()])

    def validate_opening_hours(self, field: TextAreaField) -> None:
        try:
            parse_opening_hours(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Cannot read this line: %(line)s", line=str(exc))) from exc

    def validate_tickets(self, field: TextAreaField) -> None:
        try:
            parse_tickets(field.data or "")
        except ValueError as exc:
            raise ValidationError(_l("Cannot read this line: %(line)s", line=str(exc))) from exc


class TranslationForm(TextFields):
    pass


class ImageForm(FlaskForm):
    photo = FileField(
        _l("Photo"),
        validators=[FileRequired()],
        description=_l("JPEG, PNG or WebP, up to 8 MB and 40 megapixels."),
    )


def add_alt_fields(form_class: type[FlaskForm]) -> type[FlaskForm]:
    """One alt-text field per language (``alt_vi``, ``alt_en``…)."""
    for lang in LANGUAGES:
        setattr(
            form_class,
            f"alt_{lang}",
            StringField(
                _l("Description for blind readers (%(lang)s)", lang=lang),
                validators=[Length(max=300)],
            ),
        )
    return form_class


class AltTextForm(FlaskForm):
    """An uploaded photo's descriptions, changed after the upload (one form per photo)."""


add_alt_fields(ImageForm)
add_alt_fields(AltTextForm)

KIND_CHOICES = {
    "place": [SelectChoice(str(kind), label) for kind, label in KIND_LABELS.items()],
    "event": [SelectChoice(str(kind), label) for kind, label in CATEGORY_LABELS.items()],
}

# Itinerary days. The editor works without JavaScript: one row per day plus an empty one
# to add a day, a "remove" box per row, and the stops as a multiple choice of places
# (``itinerary_editing`` lists the chosen ones first, in visiting order).
TITLE_LENGTH = Length(max=200, message=_l("At most %(max)d characters."))
BODY_LENGTH = Length(max=4000, message=_l("At most %(max)d characters."))


def _digits(values: list[str]) -> None:
    if any(not value.isdigit() for value in values):
        raise ValidationError(_l("Choose places from the list."))


class DayForm(Form):
    """One day in the original language (a sub-form: the page's form carries the CSRF token)."""

    day_id = HiddenField()
    title = StringField(_l("Title of the day"), validators=[TITLE_LENGTH])
    body = TextAreaField(_l("Description of the day"), validators=[BODY_LENGTH])
    place_ids = SelectMultipleField(
        _l("Places visited"),
        choices=[],
        validate_choice=False,  # the service says which stops are not places
        description=_l(
            "Chosen places are visited in the order listed; a place you add comes last. "
            "Hold Ctrl (⌘ on a Mac) to choose more than one."
        ),
    )
    remove = BooleanField(_l("Remove this day"))

    def validate_day_id(self, field: HiddenField) -> None:
        _digits([field.data] if field.data else [])

    def validate_place_ids(self, field: SelectMultipleField) -> None:
        _digits(field.data or [])


class DaysForm(FlaskForm):
    days = FieldList(FormField(DayForm), min_entries=1, max_entries=60)


class DayTextForm(Form):
    """One day's texts in the language being translated."""

    day_id = HiddenField()
    title = StringField(_l("Title of the day"), validators=[TITLE_LENGTH])
    body = TextAreaField(_l("Description of the day"), validators=[BODY_LENGTH])

    def validate_day_id(self, field: HiddenField) -> None:
        if not (field.data or "").isdigit():
            raise ValidationError(DAYS_CHANGED)


class ItineraryTranslationForm(TranslationForm):
    days = FieldList(FormField(DayTextForm), max_entries=60)
