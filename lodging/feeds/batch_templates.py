"""The portals' batch templates: versioned data files, and the one renderer of any of them.

Each police portal that takes a list upload has its own spreadsheet template. A
template is a data file in ``portal_templates/`` (``<key>.v<version>.json``): its sheet
name, the row of its headers, its columns in order (the Vietnamese header, the guest's
field it shows, how it is written) and its code lists (sex, nationality, document and
passport types…). A new version of a portal's template is a new data file; this module
knows only the field names a column may take (``SOURCES``) and the formats.

``rows_of`` turns guests into plain ``BatchRow`` values (decrypting what the files need);
``render`` writes any template version from those rows, so the golden files test the
template without a database.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from lodging.feeds.payloads import address_part
from lodging.properties import geography
from lodging.registration import sealed
from lodging.registration.declarations import ForeignerInput
from lodging.registration.models import Guest

TEMPLATES = Path(__file__).resolve().parent / "portal_templates"
# The portals, by template key: citizens' stay notices and foreigners' declarations.
CITIZENS_PORTAL = "dvc-luutru"
FOREIGNERS_PORTAL = "xnc-tamtru"
PORTALS = (CITIZENS_PORTAL, FOREIGNERS_PORTAL)
# The version each portal's downloads use now; older ones stay for re-downloads.
CURRENT_VERSIONS = {CITIZENS_PORTAL: 1, FOREIGNERS_PORTAL: 1}


class TemplateError(ValueError):
    """A template file that names a field, format or code list this renderer lacks."""


@dataclass(frozen=True)
class BatchRow:
    """One guest as the batch files see them: plain values, decrypted."""

    full_name: str
    birth_date: dt.date | None
    sex: str
    nationality: str  # ISO 3166-1 alpha-2
    document_type: str
    document_number: str
    residence_province: str
    purpose: str
    arrival_date: dt.date
    arrival_time: str
    departure_date: dt.date
    room: str
    establishment_address: str
    passport_type: str = ""
    visa_type: str = ""
    visa_number: str = ""
    visa_valid_until: dt.date | None = None
    entry_date: dt.date | None = None
    entry_port: str = ""
    entry_purpose: str = ""


SOURCES = frozenset({"row_number"} | {field.name for field in fields(BatchRow)})


@dataclass(frozen=True)
class Column:
    header: str
    source: str
    format: str = "text"  # or "date"
    codes: str | None = None  # the name of one of the template's code lists


@dataclass(frozen=True)
class BatchTemplate:
    key: str
    version: int
    verified: bool
    sheet: str
    header_row: int
    date_format: str
    columns: tuple[Column, ...]
    codes: Mapping[str, Mapping[str, str]]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]


@cache
def load(key: str, version: int) -> BatchTemplate:
    """The template file ``<key>.v<version>.json``, checked against what can be rendered."""
    path = TEMPLATES / f"{key}.v{version}.json"
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    columns = tuple(Column(**column) for column in raw["columns"])
    codes = raw.get("codes", {})
    for column in columns:
        if column.source not in SOURCES:
            raise TemplateError(f"{path.name}: unknown field {column.source!r}")
        if column.format not in ("text", "date"):
            raise TemplateError(f"{path.name}: unknown format {column.format!r}")
        if column.codes is not None and column.codes not in codes:
            raise TemplateError(f"{path.name}: no code list {column.codes!r}")
    return BatchTemplate(
        key=raw["key"],
        version=raw["version"],
        verified=bool(raw["verified"]),
        sheet=raw["sheet"],
        header_row=int(raw.get("header_row", 1)),
        date_format=raw.get("date_format", "%d/%m/%Y"),
        columns=columns,
        codes=codes,
    )


def current(key: str) -> BatchTemplate:
    return load(key, CURRENT_VERSIONS[key])


def filename(template: BatchTemplate, establishment_id: int, batch_id: int) -> str:
    """``xnc-tamtru-v1-12-345.xlsx``: the portal, its version, where, and which batch."""
    return f"{template.key}-v{template.version}-{establishment_id}-{batch_id}.xlsx"


# --- From guests to rows -------------------------------------------------------------


def rows_of(guests: Sequence[Guest], cipher: PersonalDataCipher) -> list[BatchRow]:
    """The guests as batch rows, their documents and visa details decrypted."""
    return [_row(guest, cipher) for guest in guests]


def _row(guest: Guest, cipher: PersonalDataCipher) -> BatchRow:
    stay = guest.stay
    arrival = guest.arrival.astimezone(VIETNAM)
    left = stay.departed_at.astimezone(VIETNAM).date() if stay.departed_at else None
    details = sealed.foreign_details(guest, cipher) or ForeignerInput()
    return BatchRow(
        full_name=guest.full_name,
        birth_date=guest.birth_date,
        sex=guest.sex,
        nationality=guest.nationality,
        document_type=guest.document_type.value,
        document_number=sealed.document_number(guest, cipher),
        residence_province=_province(guest.residence_province_code),
        purpose=stay.purpose.value,
        arrival_date=arrival.date(),
        arrival_time=f"{arrival:%H:%M}",
        departure_date=left or stay.expected_departure,
        room=stay.room.number if stay.room else "",
        establishment_address=str(address_part(stay.establishment)["text"]),
        passport_type=details.passport_type.value if details.passport_type else "",
        visa_type=details.visa_type.value if details.visa_type else "",
        visa_number=details.visa_number,
        visa_valid_until=details.visa_valid_until,
        entry_date=details.entry_date,
        entry_port=details.entry_port,
        entry_purpose=details.entry_purpose,
    )


def _province(code: int | None) -> str:
    if code is None:
        return ""
    try:
        return geography.province(code).name
    except geography.UnknownPlaceError:
        return ""


# --- From rows to the file -----------------------------------------------------------


def cells(template: BatchTemplate, rows: Iterable[BatchRow]) -> list[list[str | int]]:
    """Each row's cells as the template writes them."""
    return [
        [_cell(template, column, number, row) for column in template.columns]
        for number, row in enumerate(rows, start=1)
    ]


def _cell(template: BatchTemplate, column: Column, number: int, row: BatchRow) -> str | int:
    if column.source == "row_number":
        return number
    value = getattr(row, column.source)
    if value is None or value == "":
        return ""
    if column.format == "date" and isinstance(value, dt.date):
        return value.strftime(template.date_format)
    if column.codes is not None:
        # A value the list lacks is written as it is: the portal says what it refuses.
        return template.codes[column.codes].get(str(value), str(value))
    return str(value)


def render(template: BatchTemplate, rows: Iterable[BatchRow]) -> bytes:
    """The XLSX of ``rows`` in ``template``: headers on its header row, a guest a row."""
    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):  # a new workbook always has one worksheet
        raise TypeError("openpyxl gave no worksheet")
    sheet.title = template.sheet
    for index, header in enumerate(template.headers, start=1):
        sheet.cell(row=template.header_row, column=index, value=header).font = Font(bold=True)
    for offset, values in enumerate(cells(template, rows), start=1):
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=template.header_row + offset, column=index, value=value)
            # Text stays text: a name starting with "=" is no formula, a CCCD keeps its zeros.
            if isinstance(value, str):
                cell.data_type = "s"
                cell.number_format = "@"
    sheet.freeze_panes = f"A{template.header_row + 1}"
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()
