"""Machine-readable zones (ICAO Doc 9303): passports (TD3) and ID cards (TD1).

Every check digit is verified (weights 7-3-1, ``<`` = 0, A to Z = 10 to 35), and the first
that fails is reported on its field (``mrz.document_number``, ``mrz.birth_date``,
``mrz.expiry_date``, ``mrz.personal_number``, ``mrz.composite``); an unreadable
layout is reported on ``mrz``. Nothing is corrected: an O read as 0 fails a check digit
and the clerk scans again.

Two-digit years, decided once here:

- Birth: the most recent year not after ``today`` (20YY, or 19YY if 20YY is still to
  come). A guest over 100 is read 100 years too young; the printed page tells.
- Expiry: always 20YY, a fixed pivot that holds until 2100. Documents that expired
  before 2000 are long out of circulation (one would read as valid until the 2090s);
  a sliding pivot would have to guess how long a document can be valid, and a wrong
  guess turns a valid document into an expired one.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from itertools import cycle

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.clock import local_now
from lodging.registration.documents import DocumentError, Sex

TD3_SHAPE = (44, 44)
TD1_SHAPE = (30, 30, 30)
EXPIRY_CENTURY = 2000
_WEIGHTS = (7, 3, 1)
_MRZ_CHARACTERS = frozenset(string.ascii_uppercase + string.digits + "<")
# Upper-case ASCII only: str.upper() would turn "ß" into "SS" and hide a stray character.
_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_SEXES = {"M": Sex.M, "F": Sex.F, "<": None, "X": None}

_CHECK_DIGIT_FAILED = {
    "mrz.document_number": _l(
        "The document number in the MRZ does not match its check digit. "
        "Scan it again, or compare it with the printed page."
    ),
    "mrz.birth_date": _l(
        "The birth date in the MRZ does not match its check digit. "
        "Scan it again, or compare it with the printed page."
    ),
    "mrz.expiry_date": _l(
        "The expiry date in the MRZ does not match its check digit. "
        "Scan it again, or compare it with the printed page."
    ),
    "mrz.personal_number": _l(
        "The personal number in the MRZ does not match its check digit. "
        "Scan it again, or compare it with the printed page."
    ),
    "mrz.composite": _l(
        "The MRZ does not match its overall check digit, the last character of its "
        "second line. Scan it again, or compare it with the printed page."
    ),
}


@dataclass(frozen=True)
class MrzData:
    """What an MRZ says, fillers removed. Codes are as printed: "VNM", "D" (Germany)."""

    layout: str  # "TD3" (passport) or "TD1" (ID card)
    document_type: str  # "P", "I", "ID", "AC"…
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: dt.date
    sex: Sex | None  # None: unspecified ("<" or "X")
    expiry_date: dt.date
    optional_data: str  # TD3: the personal number; TD1: optional data on line 1
    optional_data_2: str = ""  # TD1 only: optional data on line 2


def check_digit(data: str) -> str:
    """The ICAO 9303 check digit of ``data``."""
    # int(c, 36) reads the digits as themselves and the letters A to Z as 10 to 35.
    total = sum((0 if c == "<" else int(c, 36)) * w for c, w in zip(data, cycle(_WEIGHTS)))
    return str(total % 10)


def parse_mrz(text: str, *, today: dt.date | None = None) -> MrzData:
    """Read a passport (TD3) or ID-card (TD1) MRZ, verifying every check digit.

    ``text`` may come with surrounding whitespace, blank lines, lower case or without
    its line breaks. ``today`` (default: today in Vietnam) places two-digit birth years.
    Raises DocumentError whose ``field`` says what is wrong.
    """
    lines = _mrz_lines(text)
    today = today or local_now().date()
    if len(lines) == len(TD3_SHAPE):
        return _parse_td3(lines, today)
    return _parse_td1(lines, today)


def _mrz_lines(text: str) -> list[str]:
    lines = ["".join(line.split()).translate(_UPPER) for line in text.splitlines()]
    lines = [line for line in lines if line]
    stray = next((c for line in lines for c in line if c not in _MRZ_CHARACTERS), None)
    if stray is not None:
        raise DocumentError(
            "mrz",
            _l(
                "“%(character)s” cannot appear in an MRZ, which has only the letters A–Z, "
                "digits and “<”.",
                character=stray,
            ),
        )
    if tuple(len(line) for line in lines) in (TD3_SHAPE, TD1_SHAPE):
        return lines
    joined = "".join(lines)  # a scanner or a paste that lost the line breaks
    for shape in (TD3_SHAPE, TD1_SHAPE):
        if len(joined) == sum(shape):
            width = shape[0]
            return [joined[start : start + width] for start in range(0, len(joined), width)]
    raise DocumentError("mrz", _layout_problem(lines))


def _layout_problem(lines: list[str]) -> LazyString:
    if not lines:
        return _l(
            "Scan or paste the MRZ: the lines of letters, digits and “<” at the bottom "
            "of the passport's photo page or on the back of the ID card."
        )
    return _l(
        "An MRZ has 2 lines of 44 characters (passport) or 3 lines of 30 (ID card); "
        "this one has %(count)s lines of %(lengths)s characters.",
        count=len(lines),
        lengths=", ".join(str(len(line)) for line in lines),
    )


def _parse_td3(lines: list[str], today: dt.date) -> MrzData:
    top, bottom = lines
    if top.startswith("V"):
        raise DocumentError(
            "mrz.document_type",
            _l("This is a visa's MRZ: scan the one on the passport's photo page."),
        )
    _verify(bottom[0:9], bottom[9], "mrz.document_number")
    _verify(bottom[13:19], bottom[19], "mrz.birth_date")
    _verify(bottom[21:27], bottom[27], "mrz.expiry_date")
    # An unused personal number may have a filler or a zero as its check digit.
    if bottom[28:42].strip("<") or bottom[42] not in "<0":
        _verify(bottom[28:42], bottom[42], "mrz.personal_number")
    _verify(bottom[0:10] + bottom[13:20] + bottom[21:43], bottom[43], "mrz.composite")
    surname, given_names = _names(top[5:])
    return MrzData(
        layout="TD3",
        document_type=_strip(top[0:2]),
        issuing_state=_strip(top[2:5]),
        surname=surname,
        given_names=given_names,
        document_number=_strip(bottom[0:9]),
        nationality=_strip(bottom[10:13]),
        birth_date=_birth_date(bottom[13:19], today),
        sex=_sex(bottom[20]),
        expiry_date=_expiry_date(bottom[21:27]),
        optional_data=_strip(bottom[28:42]),
    )


def _parse_td1(lines: list[str], today: dt.date) -> MrzData:
    top, middle, bottom = lines
    number, number_check, optional_data = _td1_document_number(top)
    _verify(number, number_check, "mrz.document_number")
    _verify(middle[0:6], middle[6], "mrz.birth_date")
    _verify(middle[8:14], middle[14], "mrz.expiry_date")
    _verify(top[5:30] + middle[0:7] + middle[8:15] + middle[18:29], middle[29], "mrz.composite")
    surname, given_names = _names(bottom)
    return MrzData(
        layout="TD1",
        document_type=_strip(top[0:2]),
        issuing_state=_strip(top[2:5]),
        surname=surname,
        given_names=given_names,
        document_number=_strip(number),
        nationality=_strip(middle[15:18]),
        birth_date=_birth_date(middle[0:6], today),
        sex=_sex(middle[7]),
        expiry_date=_expiry_date(middle[8:14]),
        optional_data=_strip(optional_data),
        optional_data_2=_strip(middle[18:29]),
    )


def _td1_document_number(top: str) -> tuple[str, str, str]:
    """The document number, its check digit and the rest of the optional data.

    A number longer than 9 characters continues in the optional data, ending with its
    check digit, and a filler stands in the usual check-digit place (Doc 9303-5, 4.2.2).
    """
    number, check, optional_data = top[5:14], top[14], top[15:30]
    if check == "<" and not optional_data.startswith("<"):
        extension = optional_data.split("<", 1)[0]
        return number + extension[:-1], extension[-1], optional_data[len(extension) :]
    return number, check, optional_data


def _verify(data: str, digit: str, field: str) -> None:
    if check_digit(data) != digit:
        raise DocumentError(field, _CHECK_DIGIT_FAILED[field])


def _strip(value: str) -> str:
    return value.strip("<")


def _names(field: str) -> tuple[str, str]:
    surname, _, given_names = field.partition("<<")
    return _words(surname), _words(given_names)


def _words(value: str) -> str:
    return " ".join(value.replace("<", " ").split())


def _yymmdd(value: str, century: int) -> dt.date | None:
    if not value.isdigit():
        return None
    try:
        return dt.date(century + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None


def _birth_date(value: str, today: dt.date) -> dt.date:
    born = _yymmdd(value, 2000)
    if born is not None and born > today:
        born = _yymmdd(value, 1900)
    if born is None:
        raise DocumentError(
            "mrz.birth_date",
            _l("The birth date in the MRZ, %(value)s, is not a date.", value=value),
        )
    return born


def _expiry_date(value: str) -> dt.date:
    expiry = _yymmdd(value, EXPIRY_CENTURY)
    if expiry is None:
        raise DocumentError(
            "mrz.expiry_date",
            _l("The expiry date in the MRZ, %(value)s, is not a date.", value=value),
        )
    return expiry


def _sex(value: str) -> Sex | None:
    if value not in _SEXES:
        raise DocumentError(
            "mrz.sex", _l("The sex in the MRZ, “%(value)s”, is not M, F or “<”.", value=value)
        )
    return _SEXES[value]
