"""Identity documents a guest shows at check-in, checked before anything is declared.

Vietnamese citizens show the căn cước (CCCD) card: its 12-digit personal identification
number ``PPP G YY NNNNNN`` (Decree 137/2015 Art. 13, Circular 07/2016/TT-BCA Art. 7) and
the QR code on its back. Foreigners show a passport, read from its MRZ
(``lodging.registration.mrz``, which raises the errors defined here).

Pure functions: no I/O, no application needed. Messages are lazily translated, so they
render in the language of whoever reads them.

A CCCD number has no checksum: a number that passes ``check_cccd`` can still be someone
else's. Reading the QR code (or the chip) is the only error-free capture.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lodging.properties.geography import PROVINCE_CODES


class Sex(StrEnum):
    """Sex as identity documents record it (CCCD digit 4, MRZ sex field)."""

    M = "M"
    F = "F"


@dataclass(frozen=True)
class DocumentProblem:
    """Something wrong with a declared document, on the form field it belongs to."""

    field: str
    message: LazyString


class DocumentError(ValueError):
    """A scanned document that cannot be read, and where: ``field`` names the part."""

    def __init__(self, field: str, message: LazyString) -> None:
        super().__init__(field, message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


CCCD_LENGTH = 12
# Digit 4 counts centuries from the 1900s, two codes each: even for men, odd for women.
FIRST_CENTURY = 1900
_NOT_A_DIGIT = re.compile(r"[^0-9]")


def normalize_cccd(number: str) -> str:
    """The number without the spaces people type to group its digits."""
    return "".join(number.split())


def check_cccd(number: str, birth_date: dt.date, sex: Sex) -> list[DocumentProblem]:
    """What is wrong with a CCCD number for a guest born on ``birth_date``; [] if nothing.

    A malformed number gets one problem on ``document_number`` and nothing else. A
    well-formed number is checked against the declared guest: a mismatch is reported
    on the declared field (``birth_date``, ``sex``), the one the form shows next to it.
    """
    digits = normalize_cccd(number)
    malformed = _cccd_format_problem(digits)
    if malformed:
        return [malformed]
    problems = []
    if digits[:3] not in PROVINCE_CODES:
        message = _l(
            "The ID number starts with %(code)s, which is not a province code.", code=digits[:3]
        )
        problems.append(DocumentProblem("document_number", message))
    code = int(digits[3])
    number_sex = Sex.M if code % 2 == 0 else Sex.F
    if number_sex != sex:
        problems.append(DocumentProblem("sex", _sex_mismatch(digits[3], declared=sex)))
    year = FIRST_CENTURY + 100 * (code // 2) + int(digits[4:6])
    if year != birth_date.year:
        message = _l(
            "The ID number gives %(year)s as the year of birth, not %(declared)s.",
            year=year,
            declared=birth_date.year,
        )
        problems.append(DocumentProblem("birth_date", message))
    return problems


def _cccd_format_problem(digits: str) -> DocumentProblem | None:
    stray = _NOT_A_DIGIT.search(digits)
    if stray:
        message = _l(
            "The ID number can only contain digits, not “%(character)s”.", character=stray.group()
        )
    elif len(digits) != CCCD_LENGTH:
        message = _l("A CCCD number has 12 digits; this one has %(count)s.", count=len(digits))
    else:
        return None
    return DocumentProblem("document_number", message)


def _sex_mismatch(digit: str, *, declared: Sex) -> LazyString:
    if declared == Sex.M:
        return _l(
            "The ID number is a woman's (its 4th digit is %(digit)s), "
            "but the guest is declared male.",
            digit=digit,
        )
    return _l(
        "The ID number is a man's (its 4th digit is %(digit)s), but the guest is declared female.",
        digit=digit,
    )


@dataclass(frozen=True)
class CccdQrData:
    """What the QR code on the back of a chip CCCD card says."""

    id_number: str
    old_id_number: str  # the 9-digit CMND it replaced; "" if the citizen never had one
    full_name: str
    birth_date: dt.date
    sex: Sex
    address: str  # nơi thường trú, as printed
    issue_date: dt.date


QR_FIELD_COUNT = 7
_CMND_NUMBER = re.compile(r"[0-9]{9}|[0-9]{12}")
_DDMMYYYY = re.compile(r"[0-9]{8}")


def parse_cccd_qr(payload: str) -> CccdQrData:
    """Read a CCCD QR payload ``ID|old ID|name|DDMMYYYY|Nam/Nữ|address|DDMMYYYY``.

    Whitespace around each field is ignored: a USB scanner "types" the payload, then Enter.
    Raises DocumentError (field ``qr`` or ``qr.<part>``) if it is not such a payload.
    """
    fields = [unicodedata.normalize("NFC", part).strip() for part in payload.split("|")]
    if len(fields) != QR_FIELD_COUNT:
        raise DocumentError(
            "qr",
            _l(
                "This is not a CCCD QR code: it has %(count)s fields separated by “|”, "
                "a CCCD QR code has 7.",
                count=len(fields),
            ),
        )
    id_number, old_id_number, full_name, birth, sex, address, issued = fields
    _check_qr_numbers(id_number, old_id_number)
    if not full_name:
        raise DocumentError("qr.full_name", _l("The QR code has no name in it."))
    return CccdQrData(
        id_number=id_number,
        old_id_number=old_id_number,
        full_name=full_name,
        birth_date=_qr_date(birth, "qr.birth_date"),
        sex=_qr_sex(sex),
        address=address,
        issue_date=_qr_date(issued, "qr.issue_date"),
    )


def _check_qr_numbers(id_number: str, old_id_number: str) -> None:
    if len(id_number) != CCCD_LENGTH or _NOT_A_DIGIT.search(id_number):
        raise DocumentError(
            "qr.id_number",
            _l("The ID number in the QR code, “%(value)s”, is not 12 digits.", value=id_number),
        )
    if old_id_number and not _CMND_NUMBER.fullmatch(old_id_number):
        raise DocumentError(
            "qr.old_id_number",
            _l(
                "The old ID (CMND) number in the QR code, “%(value)s”, is not 9 or 12 digits.",
                value=old_id_number,
            ),
        )


def _qr_date(value: str, field: str) -> dt.date:
    try:
        if not _DDMMYYYY.fullmatch(value):
            raise ValueError(value)
        return dt.date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        if field == "qr.birth_date":
            message = _l("The birth date in the QR code, “%(value)s”, is not a date.", value=value)
        else:
            message = _l("The issue date in the QR code, “%(value)s”, is not a date.", value=value)
        raise DocumentError(field, message) from None


def _qr_sex(value: str) -> Sex:
    # Keyboard-emulating scanners often cannot type "ữ": compare without accents.
    letters = unicodedata.normalize("NFD", value)
    folded = "".join(c for c in letters if not unicodedata.combining(c)).casefold()
    sexes = {"nam": Sex.M, "nu": Sex.F}
    if folded not in sexes:
        raise DocumentError(
            "qr.sex",
            _l("The sex in the QR code, “%(value)s”, is neither “Nam” nor “Nữ”.", value=value),
        )
    return sexes[folded]


def check_passport_expiry(expiry: dt.date, arrival: dt.date) -> list[DocumentProblem]:
    """A problem on ``document_expiry`` if the document expires before the arrival day.

    A document that expires on the arrival day itself is still valid that day.
    """
    if expiry >= arrival:
        return []
    message = _l(
        "The document expired on %(expiry)s, before the arrival on %(arrival)s.",
        expiry=expiry.isoformat(),
        arrival=arrival.isoformat(),
    )
    return [DocumentProblem("document_expiry", message)]
