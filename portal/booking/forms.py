"""The availability search form (GET), and the guest's details to book an offer (POST)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from core.dates import InCalendar
from core.text import text_filter
from lodging.properties.forms import AMENITY_LABELS, KIND_LABELS
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
        validators=[InputRequired(_l("Choose the arrival date.")), InCalendar()],
        invalid_value_message=_l("Enter a date such as 2026-05-01."),
    )
    date_to = DateField(  # type: ignore[call-arg]  # same
        _l("Departure"),
        name="to",
        validators=[InputRequired(_l("Choose the departure date.")), InCalendar()],
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
        render_kw={"data-clears-bbox": ""},  # a named area replaces the one drawn on the map
    )
    kind = SelectField(
        _l("Kind of lodging"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default="",
        validate_choice=False,  # an unknown kind (an edited link) means any
    )

    stars = SelectField(
        _l("Stars"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(str(n), _l("%(num)s stars or more", num=n)) for n in (2, 3, 4)]
        + [SelectChoice("5", _l("5 stars"))],
        default="",
        validate_choice=False,  # an edited link means any
    )
    amenities = SelectMultipleField(
        _l("Amenities"),
        choices=[SelectChoice(amenity.value, label) for amenity, label in AMENITY_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # unknown ones are dropped in known_amenities()
    )
    max_price = WholeNumberField(
        _l("At most, for the whole stay (₫)"),
        validators=[Optional(), NumberRange(0, message=_l("A price of 0 or more."))],
    )
    # The map's "Search this area": SOUTH,WEST,NORTH,EAST, as in the API.
    bbox = HiddenField()

    def known_amenities(self) -> list[str]:
        known = {amenity.value for amenity in AMENITY_LABELS}
        return [value for value in self.amenities.data or () if value in known]

    def min_stars(self) -> int | None:
        return int(self.stars.data) if self.stars.data in {"2", "3", "4", "5"} else None

    def box(self) -> Area | None:
        """The map's area; an edited link's broken one means anywhere."""
        try:
            return Area.parse(self.bbox.data) if self.bbox.data else None
        except ValueError:
            return None

    def children_ages(self) -> tuple[int, ...]:
        return tuple(int(age) for age in (self.children.data or "").split(",") if age.strip())


class GuestForm(FlaskForm):
    """Who books: a name for the reception and an address for the confirmation."""

    name = StringField(
        _l("Your name"),
        description=_l("As on your ID card or passport."),
        filters=[text_filter],
        validators=[InputRequired(_l("Enter your name.")), Length(max=200)],
    )
    email = EmailField(
        _l("E-mail"),
        description=_l("The confirmation and the QR voucher are sent here."),
        validators=[
            InputRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )
    # One per form shown: a second tap on a slow line finds the same booking, not two.
    attempt = HiddenField(validators=[Length(max=64)])
