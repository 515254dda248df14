"""The availability search form: dates, guests, children's ages, area and kind (GET)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp

from lodging.properties.forms import KIND_LABELS
from portal.booking.offers import Area
from portal.booking.services import MAX_GUESTS

# Where tourists look for a bed; each a box on the map (south, west, north, east).
AREAS: dict[str, tuple[object, Area]] = {
    "ha-long": (_l("Hạ Long and Bãi Cháy"), Area(20.90, 106.95, 21.00, 107.15)),
    "co-to": (_l("Cô Tô islands"), Area(20.95, 107.70, 21.10, 107.85)),
    "sa-pa": (_l("Sa Pa"), Area(22.25, 103.75, 22.40, 103.95)),
    "bac-ha": (_l("Bắc Hà"), Area(22.48, 104.22, 22.58, 104.35)),
}


class WholeNumberField(IntegerField):
    """An integer whose "not a number" message is ours, so it speaks the page's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("A whole number.")) from None


class AvailabilityForm(FlaskForm):
    class Meta:
        csrf = False  # a search: GET, bookmarkable, changes nothing

    # Named as in the API and in shared links: /vi/lodging?from=…&to=…&guests=2
    date_from = DateField(  # type: ignore[call-arg]  # invalid_value_message is newer than its stubs
        _l("Arrival"),
        name="from",
        validators=[InputRequired(_l("Choose the arrival date."))],
        invalid_value_message=_l("Enter a date such as 2026-05-01."),
    )
    date_to = DateField(  # type: ignore[call-arg]  # same
        _l("Departure"),
        name="to",
        validators=[InputRequired(_l("Choose the departure date."))],
        invalid_value_message=_l("Enter a date such as 2026-05-01."),
    )
    guests = WholeNumberField(
        _l("Adults"),
        default=2,
        validators=[
            Optional(),  # two when not given
            NumberRange(1, MAX_GUESTS, _l("Between 1 and %(max)s adults.", max=MAX_GUESTS)),
        ],
    )
    children = StringField(
        _l("Children's ages"),
        description=_l("For example 4, 9. Children under 6 stay free."),
        validators=[
            Optional(),
            Regexp(r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$", message=_l("Ages, comma-separated: 4,9.")),
        ],
    )
    area = SelectField(
        _l("Area"),
        choices=[SelectChoice("", _l("The whole province"))]
        + [SelectChoice(key, label) for key, (label, _area) in AREAS.items()],
        default="",
        validate_choice=False,  # an unknown area (an edited link) means anywhere
    )
    kind = SelectField(
        _l("Kind of lodging"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default="",
        validate_choice=False,  # an unknown kind (an edited link) means any
    )

    def children_ages(self) -> tuple[int, ...]:
        return tuple(int(age) for age in (self.children.data or "").split(",") if age.strip())
