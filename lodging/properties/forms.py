"""Forms for registering establishments, their rooms and closures, and inviting staff."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from core.auth.forms import new_password_field, repeat_password_field
from core.dates import InCalendar
from lodging.properties import geography
from lodging.properties.models import Amenity, EstablishmentKind, EstablishmentStatus

KIND_LABELS = {
    EstablishmentKind.HOTEL: _l("Hotel"),
    EstablishmentKind.HOMESTAY: _l("Homestay"),
    EstablishmentKind.GUESTHOUSE: _l("Guesthouse (nhà nghỉ)"),
    EstablishmentKind.RESORT: _l("Resort"),
    EstablishmentKind.APARTMENT: _l("Tourist apartment"),
    EstablishmentKind.VILLA: _l("Tourist villa"),
    EstablishmentKind.HOSTEL: _l("Hostel"),
    EstablishmentKind.OTHER: _l("Other lodging"),
}
AMENITY_LABELS = {
    Amenity.WIFI: _l("Wi-Fi"),
    Amenity.PARKING: _l("Parking"),
    Amenity.BREAKFAST: _l("Breakfast"),
    Amenity.AIR_CONDITIONING: _l("Air conditioning"),
    Amenity.RESTAURANT: _l("Restaurant"),
    Amenity.POOL: _l("Swimming pool"),
    Amenity.AIRPORT_SHUTTLE: _l("Airport shuttle"),
    Amenity.SEA_VIEW: _l("Sea view"),
    Amenity.MOUNTAIN_VIEW: _l("Mountain view"),
    Amenity.FAMILY_ROOMS: _l("Family rooms"),
    Amenity.WHEELCHAIR_ACCESS: _l("Wheelchair access"),
    Amenity.PETS_ALLOWED: _l("Pets allowed"),
}
STATUS_LABELS = {
    EstablishmentStatus.PENDING: _l("Waiting for approval"),
    EstablishmentStatus.APPROVED: _l("Approved"),
    EstablishmentStatus.SUSPENDED: _l("Suspended"),
}
# More rooms than this in one go is far more likely a typo ("101-1100") than a hotel.
MAX_ROOMS_AT_ONCE = 300
_RANGE = re.compile(r"(?P<prefix>[^\d-]*)(?P<first>\d+)-(?P=prefix)?(?P<last>\d+)")


def room_numbers(text: str) -> list[str]:
    """Room numbers from "101, 102, 103", "101-110" or a mix ("A1-A4, B1").

    A range keeps the first number's width ("01-03" gives 01, 02, 03) and its
    prefix ("A1-A3" gives A1, A2, A3). ``ValueError`` carries a message for the user.
    """
    numbers: list[str] = []
    tidy = re.sub(r"\s*[-–]\s*", "-", text.strip())
    for part in filter(None, re.split(r"[,;\s]+", tidy)):
        match = _RANGE.fullmatch(part)
        if match is None:
            numbers.append(part)
            continue
        first, last = int(match["first"]), int(match["last"])
        if last < first:
            raise ValueError(
                _l("A range goes from the lower number to the higher: %(range)s", range=part)
            )
        if last - first >= MAX_ROOMS_AT_ONCE:
            raise ValueError(_l("Add at most %(count)d rooms at once.", count=MAX_ROOMS_AT_ONCE))
        width = len(match["first"])
        numbers.extend(f"{match['prefix']}{n:0{width}d}" for n in range(first, last + 1))
    if len(numbers) > MAX_ROOMS_AT_ONCE:
        raise ValueError(_l("Add at most %(count)d rooms at once.", count=MAX_ROOMS_AT_ONCE))
    if any(len(n) > 20 for n in numbers):
        raise ValueError(_l("A room number has at most 20 characters."))
    return numbers


def _coordinate(text: str | None) -> float | None:
    """A decimal degree as typed, with a point or a comma ("20,9533")."""
    value = (text or "").strip().replace(",", ".")
    return float(value) if value else None


def _check_coordinate(_form: Any, field: StringField) -> None:
    try:
        _coordinate(field.data)
    except ValueError as exc:
        raise ValidationError(_l("Enter decimal degrees, e.g. 20.9533.")) from exc


class EstablishmentForm(FlaskForm):
    """Officials register an establishment (pending until approved)."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the establishment's name.")), Length(max=200)],
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
    )
    stars = SelectField(
        _l("Stars"),
        description=_l("Only for hotels and resorts graded by the tourism authority."),
        choices=[SelectChoice("", _l("Not graded"))]
        + [SelectChoice(str(n), "★" * n) for n in range(1, 6)],
        validators=[Optional()],
    )
    licence_number = StringField(_l("Licence or registration number"), validators=[Length(max=64)])
    street_address = StringField(
        _l("Street address"),
        description=_l("House number and street, or village (thôn, bản)."),
        validators=[DataRequired(_l("Enter the street address.")), Length(max=300)],
    )
    province = SelectField(_l("Province"), validators=[DataRequired(_l("Choose the province."))])
    commune = StringField(
        _l("Commune or ward"),
        description=_l("As written, with or without accents: “Bãi Cháy” or “bai chay”."),
        validators=[DataRequired(_l("Enter the commune or ward.")), Length(max=100)],
    )
    police_commune = StringField(
        _l("Police unit (commune or ward)"),
        description=_l(
            "The commune police that receive the declarations. Leave empty for the commune's own."
        ),
        validators=[Length(max=100)],
    )
    remote_commune = BooleanField(
        _l("Remote commune"),
        description=_l(
            "Tick only if the commune is on the official list of remote areas: foreigners may "
            "then be declared within 24 hours instead of 12."
        ),
    )
    latitude = StringField(
        _l("Latitude"), validators=[_check_coordinate], render_kw={"inputmode": "decimal"}
    )
    longitude = StringField(
        _l("Longitude"), validators=[_check_coordinate], render_kw={"inputmode": "decimal"}
    )
    phone = StringField(
        _l("Phone"), validators=[Length(max=32)], render_kw={"type": "tel", "autocomplete": "off"}
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    owner_email = EmailField(
        _l("Owner's account (e-mail)"),
        description=_l("Optional: an existing lodging owner account, who can then manage it."),
        validators=[Optional(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(str(p.code), p.name) for p in geography.provinces()
        ]

    def coordinates(self) -> tuple[float | None, float | None]:
        return _coordinate(self.latitude.data), _coordinate(self.longitude.data)


class RoomTypeForm(FlaskForm):
    name = StringField(
        _l("Room type"),
        description=_l("e.g. Double, Twin, Family, Dormitory"),
        validators=[DataRequired(_l("Enter a name for the room type.")), Length(max=100)],
    )
    bed_places = IntegerField(
        _l("Bed places per room"),
        description=_l("A double bed counts 2."),
        validators=[
            InputRequired(_l("Enter the number of bed places.")),
            NumberRange(1, 50, _l("Enter 1 to 50 bed places.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    extra_beds = IntegerField(
        _l("Extra beds per room"),
        description=_l("Beds added on request; counted apart from the bed places."),
        default=0,
        validators=[
            InputRequired(_l("Enter the number of extra beds (0 for none).")),
            NumberRange(0, 10, _l("Enter 0 to 10 extra beds.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class RoomsForm(FlaskForm):
    room_type = SelectField(_l("Room type"), coerce=int)
    numbers = StringField(
        _l("Room numbers"),
        description=_l("Separated by commas, or a range: “101, 102, 103” or “101-110”."),
        validators=[DataRequired(_l("Enter at least one room number.")), Length(max=2000)],
    )

    def validate_numbers(self, field: StringField) -> None:
        try:
            room_numbers(field.data or "")
        except ValueError as exc:
            raise ValidationError(str(exc.args[0])) from exc

    def room_numbers(self) -> list[str]:
        return room_numbers(self.numbers.data or "")


class ClosureForm(FlaskForm):
    room = SelectField(_l("What is closed"), coerce=str)
    starts_on = DateField(
        _l("First closed night"),
        validators=[InputRequired(_l("Enter the first closed night.")), InCalendar()],
    )
    ends_on = DateField(
        _l("Open again from"),
        description=_l("The first night guests can stay again."),
        validators=[InputRequired(_l("Enter the day it opens again.")), InCalendar()],
    )
    reason = StringField(
        _l("Reason"),
        description=_l("e.g. renovation, storm, owner's holiday"),
        validators=[Length(max=200)],
    )

    def dates(self) -> tuple[dt.date, dt.date]:
        """The first closed night and the first open one, once the form is valid."""
        starts, ends = self.starts_on.data, self.ends_on.data
        if starts is None or ends is None:
            raise ValueError("validate the form first")
        return starts, ends


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Staff member's e-mail address"),
        validators=[
            DataRequired(_l("Enter the e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
    )


class AcceptInvitationForm(FlaskForm):
    """The invitee chooses a name and password for a new staff account."""

    full_name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    password = new_password_field()
    confirm = repeat_password_field()


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


def _known_amenities(_form: FlaskForm, field: SelectMultipleField) -> None:
    known = {amenity.value for amenity in Amenity}
    if any(value not in known for value in field.data or ()):
        raise ValidationError(_l("Choose amenities from the list."))


class AmenitiesForm(FlaskForm):
    """What the place offers: tourists filter search results by it."""

    amenities = SelectMultipleField(
        _l("Amenities"),
        choices=[SelectChoice(amenity.value, label) for amenity, label in AMENITY_LABELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # _known_amenities says it in our words
        validators=[_known_amenities],
    )
