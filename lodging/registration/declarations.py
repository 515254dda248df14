"""What a declaration says, and every check it must pass before anything is stored.

``StayInput`` and ``GuestInput`` are plain values: the desk form, the self check-in
page and the API all build them, so the same rules hold everywhere. ``check_stay``
returns the normalised stay or raises ``DeclarationError`` with one translated
message per field, keyed by the API's paths (``guests[0].document_number``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pycountry
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.clock import VIETNAM
from core.dates import day_problem, moment_problem
from core.text import UnsafeTextError, clean_text
from lodging.properties import geography
from lodging.properties.models import Establishment, Room
from lodging.registration import stay_dates
from lodging.registration.deadlines import GuestKind, reporting_deadline
from lodging.registration.documents import Sex, check_cccd, check_passport_expiry
from lodging.registration.models import DocumentType, GuestRole, PassportType, Purpose, VisaType

# A stay of more than 30 days is a temporary residence, not a stay (Law 68/2020 Art. 2).
LONG_STAY_DAYS = 30
ADULT_AGE = 18
MAX_GUESTS = 50
_GUEST_DAYS = ("birth_date", "document_expiry")
_FOREIGNER_DAYS = ("visa_valid_until", "visa_issued_on", "entry_date")
RoomFinder = Callable[[str], Room | None]
_CMND = re.compile(r"[0-9]{9}|[0-9]{12}")
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")


class DeclarationError(ValueError):
    """A declaration that cannot be accepted: one message per field path."""

    def __init__(self, errors: dict[str, LazyString]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ForeignerInput:
    """What the NA17 form asks of a foreigner beyond the passport itself."""

    passport_type: PassportType | None = None
    visa_type: VisaType | None = None
    visa_number: str = ""
    visa_valid_until: dt.date | None = None
    visa_issued_on: dt.date | None = None
    visa_issuer: str = ""
    entry_date: dt.date | None = None
    entry_port: str = ""
    entry_purpose: str = ""


@dataclass(frozen=True)
class GuestInput:
    full_name: str
    birth_date: dt.date | None
    sex: Sex | None
    nationality: str  # ISO alpha-2 or alpha-3 ("VN", "KOR")
    residence_country: str
    document_type: DocumentType
    document_number: str = ""
    residence_province: str = ""  # name as written, or code; Vietnamese residents only
    document_expiry: dt.date | None = None
    role: GuestRole = GuestRole.SINGLE
    relationship: str = ""
    arrival: dt.datetime | None = None  # a late member of the group; default: the stay's
    foreigner: ForeignerInput | None = None


@dataclass(frozen=True)
class StayInput:
    room: str
    arrival: dt.datetime
    expected_departure: dt.date
    purpose: Purpose
    guests: tuple[GuestInput, ...]


@dataclass(frozen=True)
class CheckedGuest:
    """A guest that passed every check, with its values normalised."""

    source: GuestInput
    full_name: str
    birth_date: dt.date | None
    sex: Sex
    nationality: str  # alpha-2
    residence_country: str  # alpha-2
    residence_province_code: int | None
    document_number: str  # normalised; "" for none
    arrival: dt.datetime
    deadline: dt.datetime

    @property
    def is_foreigner(self) -> bool:
        return self.nationality != "VN"


@dataclass(frozen=True)
class CheckedStay:
    room: Room | None
    arrival: dt.datetime
    expected_departure: dt.date
    purpose: Purpose
    guests: tuple[CheckedGuest, ...]
    long_stay: bool  # over 30 days: a temporary residence, flagged to the desk


def country_code(text: str) -> str | None:
    """ISO alpha-2 for an alpha-2 or alpha-3 code (any case), or None."""
    value = text.strip()
    if len(value) not in {2, 3}:
        return None
    code = value.upper()
    found = (
        pycountry.countries.get(alpha_2=code)
        if len(code) == 2
        else pycountry.countries.get(alpha_3=code)
    )
    return None if found is None else str(found.alpha_2)


def _cleaned(value: str, path: str, problems: _Problems) -> str:
    try:
        return clean_text(value)
    except UnsafeTextError as exc:
        problems.add(path, exc.message)
        return value


def _days_in_calendar(
    values: object, names: tuple[str, ...], path: str, problems: _Problems
) -> bool:
    ok = True
    for name in names:
        day = getattr(values, name)
        problem = day_problem(day) if day is not None else None
        if problem is not None:
            problems.add(f"{path}.{name}", problem)
            ok = False
    return ok


def _clean_guest(guest: GuestInput, path: str, problems: _Problems) -> GuestInput | None:
    """The guest with its text in NFC; None when one of its dates is out of the calendar.

    Every later rule may then compute with the guest's dates without overflowing. A
    refused text is a problem on its field and stays as sent, so nothing is stored.
    """
    dates_ok = _days_in_calendar(guest, _GUEST_DAYS, path, problems)
    foreigner = guest.foreigner
    if foreigner is not None:
        where = f"{path}.foreigner"
        dates_ok = _days_in_calendar(foreigner, _FOREIGNER_DAYS, where, problems) and dates_ok
        foreigner = dataclasses.replace(
            foreigner,
            visa_number=_cleaned(foreigner.visa_number, f"{where}.visa_number", problems),
            visa_issuer=_cleaned(foreigner.visa_issuer, f"{where}.visa_issuer", problems),
            entry_port=_cleaned(foreigner.entry_port, f"{where}.entry_port", problems),
            entry_purpose=_cleaned(foreigner.entry_purpose, f"{where}.entry_purpose", problems),
        )
    cleaned = dataclasses.replace(
        guest,
        full_name=_cleaned(guest.full_name, f"{path}.full_name", problems),
        relationship=_cleaned(guest.relationship, f"{path}.relationship", problems),
        residence_province=_cleaned(
            guest.residence_province, f"{path}.residence_province", problems
        ),
        document_number=_cleaned(guest.document_number, f"{path}.document_number", problems),
        foreigner=foreigner,
    )
    return cleaned if dates_ok else None


def normalise_document(document_type: DocumentType, number: str) -> str:
    cleaned = "".join(number.split())
    return (
        cleaned.upper() if document_type in {DocumentType.PASSPORT, DocumentType.OTHER} else cleaned
    )


@dataclass
class _Problems:
    errors: dict[str, LazyString] = field(default_factory=dict)

    def add(self, path: str, message: LazyString) -> None:
        self.errors.setdefault(path, message)


def check_stay(
    data: StayInput,
    establishment: Establishment,
    now: dt.datetime,
    *,
    find_room: RoomFinder | None = None,
    declared_at: dt.datetime | None = None,
) -> CheckedStay:
    """The stay, checked and normalised; ``DeclarationError`` lists what is wrong.

    ``find_room`` looks one room up by number (a query), so a declaration does not
    load every room of a large hotel; without it the establishment's rooms are used.
    ``declared_at`` is when a corrected stay was first declared (``stay_dates``).
    """
    problems = _Problems()
    room = _check_room(data.room, establishment, problems, find_room)
    for path, message in stay_dates.arrival_problems(
        data.arrival, now=now, declared_at=declared_at
    ):
        problems.add(path, message)
    if moment_problem(data.arrival) is not None:
        raise DeclarationError(problems.errors)  # nothing else can be computed from it
    local_arrival = data.arrival.astimezone(VIETNAM)
    for path, message in stay_dates.departure_problems(data.arrival, data.expected_departure):
        problems.add(path, message)
    if not data.guests:
        problems.add("guests", _l("Declare at least one guest."))
    elif len(data.guests) > MAX_GUESTS:
        problems.add(
            "guests", _l("Declare at most %(count)s guests in one stay.", count=MAX_GUESTS)
        )
    _check_group(data.guests, problems)
    guests = tuple(
        _check_guest(cleaned, f"guests[{index}]", data, establishment, problems)
        for index, guest in enumerate(data.guests)
        if (cleaned := _clean_guest(guest, f"guests[{index}]", problems)) is not None
    )
    if problems.errors:
        raise DeclarationError(problems.errors)
    nights = (data.expected_departure - local_arrival.date()).days
    return CheckedStay(
        room=room,
        arrival=data.arrival,
        expected_departure=data.expected_departure,
        purpose=data.purpose,
        guests=tuple(g for g in guests if g is not None),
        long_stay=nights > LONG_STAY_DAYS,
    )


def _check_room(
    number: str, establishment: Establishment, problems: _Problems, find_room: RoomFinder | None
) -> Room | None:
    wanted = number.strip()
    if not wanted and not establishment.rooms:
        return None
    if find_room is not None:
        room = find_room(wanted) if wanted else None
    else:
        room = next((r for r in establishment.rooms if r.number == wanted), None)
    if room is None:
        if wanted:
            message = _l("This establishment has no room %(number)s.", number=wanted)
        else:
            message = _l("Choose the room.")
        problems.add("room", message)
    return room


def _check_group(guests: tuple[GuestInput, ...], problems: _Problems) -> None:
    if len(guests) < 2:
        return
    heads = [i for i, guest in enumerate(guests) if guest.role is GuestRole.HEAD]
    if len(heads) != 1:
        problems.add(
            "guests", _l("A family or group has exactly one head; mark one guest as the head.")
        )
    for index, guest in enumerate(guests):
        if guest.role is GuestRole.SINGLE:
            problems.add(f"guests[{index}].role", _l("Mark this guest as the head or a member."))
        elif guest.role is GuestRole.MEMBER and not guest.relationship.strip():
            problems.add(
                f"guests[{index}].relationship",
                _l("Say how this guest is related to the head (e.g. wife, son, colleague)."),
            )


def _check_guest(
    guest: GuestInput,
    path: str,
    stay: StayInput,
    establishment: Establishment,
    problems: _Problems,
) -> CheckedGuest | None:
    before = len(problems.errors)
    name = guest.full_name
    if not name:
        problems.add(f"{path}.full_name", _l("Enter the guest's full name."))
    elif len(name) > 200:
        problems.add(f"{path}.full_name", _l("The name is too long."))
    if guest.arrival is not None and (
        late := stay_dates.guest_arrival_problem(
            guest.arrival, stay.arrival, stay.expected_departure
        )
    ):
        problems.add(f"{path}.arrival", late)
        return None
    arrival = guest.arrival or stay.arrival
    arrival_day = arrival.astimezone(VIETNAM).date()
    if birth := stay_dates.birth_problem(guest.birth_date, arrival_day):
        problems.add(f"{path}.birth_date", birth)
    if guest.sex is None:
        problems.add(f"{path}.sex", _l("Choose the guest's sex as on the document."))
    nationality = country_code(guest.nationality)
    if nationality is None:
        problems.add(f"{path}.nationality", _l("Choose a country (ISO code such as VN or KOR)."))
    residence = country_code(guest.residence_country)
    if residence is None:
        problems.add(
            f"{path}.residence_country", _l("Choose a country (ISO code such as VN or KOR).")
        )
    province_code = _check_province(guest, path, residence, problems)
    number = normalise_document(guest.document_type, guest.document_number)
    _check_document(guest, path, number, nationality, arrival_day, problems)
    if nationality is not None and nationality != "VN":
        _check_foreigner(
            guest.foreigner, guest.document_type, f"{path}.foreigner", arrival_day, problems
        )
    if (
        len(problems.errors) > before
        or guest.sex is None
        or nationality is None
        or residence is None
    ):
        return None
    kind = GuestKind.CITIZEN if nationality == "VN" else GuestKind.FOREIGNER
    return CheckedGuest(
        source=guest,
        full_name=name,
        birth_date=guest.birth_date,
        sex=guest.sex,
        nationality=nationality,
        residence_country=residence,
        residence_province_code=province_code,
        document_number=number,
        arrival=arrival,
        deadline=reporting_deadline(arrival, kind, remote_commune=establishment.remote_commune),
    )


def _check_province(
    guest: GuestInput, path: str, residence: str | None, problems: _Problems
) -> int | None:
    if residence != "VN":
        return None
    if not guest.residence_province.strip():
        problems.add(
            f"{path}.residence_province",
            _l("Enter the province of residence: statistics count Vietnamese guests by province."),
        )
        return None
    try:
        return geography.find_province(guest.residence_province).code
    except geography.UnknownPlaceError:
        problems.add(f"{path}.residence_province", _l("No province has this name."))
        return None


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _check_document(  # noqa: PLR0917 - one guest's document against its context
    guest: GuestInput,
    path: str,
    number: str,
    nationality: str | None,
    arrival_day: dt.date,
    problems: _Problems,
) -> None:
    kind = guest.document_type
    if kind is DocumentType.NONE:
        minor = guest.birth_date is not None and _age_on(guest.birth_date, arrival_day) < ADULT_AGE
        if not (minor and guest.role is GuestRole.MEMBER):
            problems.add(
                f"{path}.document_type",
                _l("Only children travelling with a head of family may have no document."),
            )
        return
    if (
        nationality is not None
        and nationality != "VN"
        and kind in {DocumentType.CCCD, DocumentType.CMND}
    ):
        problems.add(
            f"{path}.document_type",
            _l("Foreigners show a passport or another travel document, not a Vietnamese ID card."),
        )
        return
    _check_number(guest, number, path, problems)
    if guest.document_expiry is not None:
        for problem in check_passport_expiry(guest.document_expiry, arrival_day):
            problems.add(f"{path}.{problem.field}", problem.message)
        if far := stay_dates.expiry_problem(guest.document_expiry, arrival_day):
            problems.add(f"{path}.document_expiry", far)


def _check_number(guest: GuestInput, number: str, path: str, problems: _Problems) -> None:
    kind = guest.document_type
    where = f"{path}.document_number"
    if not number:
        problems.add(where, _l("Enter the document number."))
    elif kind is DocumentType.CCCD and guest.birth_date is not None and guest.sex is not None:
        for problem in check_cccd(number, guest.birth_date, guest.sex):
            problems.add(f"{path}.{problem.field}", problem.message)
    elif kind is DocumentType.CMND and not _CMND.fullmatch(number):
        problems.add(where, _l("An old ID card (CMND) number has 9 or 12 digits."))
    elif kind is DocumentType.PASSPORT and not _PASSPORT.fullmatch(number):
        problems.add(where, _l("A passport number has 5 to 20 letters and digits."))
    elif len(number) > 30:
        problems.add(where, _l("The document number is too long."))


def _check_foreigner(
    details: ForeignerInput | None,
    document_type: DocumentType,
    path: str,
    arrival_day: dt.date,
    problems: _Problems,
) -> None:
    if details is None:
        problems.add(path, _l("Foreigners need their visa and entry details."))
        return
    if document_type is DocumentType.PASSPORT and details.passport_type is None:
        problems.add(f"{path}.passport_type", _l("Choose the passport type."))
    if details.visa_type is None:
        problems.add(
            f"{path}.visa_type", _l("Choose the visa, or the exemption the guest entered under.")
        )
    elif details.visa_type is not VisaType.EXEMPT and not details.visa_number.strip():
        problems.add(f"{path}.visa_number", _l("Enter the visa or entry paper's number."))
    for name, message in stay_dates.visa_problems(
        valid_until=details.visa_valid_until,
        issued_on=details.visa_issued_on,
        entry_date=details.entry_date,
        arrival_day=arrival_day,
    ):
        problems.add(f"{path}.{name}", message)
    if not details.entry_port.strip():
        problems.add(f"{path}.entry_port", _l("Enter the border gate or airport of entry."))
