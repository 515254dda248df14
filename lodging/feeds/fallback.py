"""The fallback documents: what the owner hands over by hand when a channel is down.

When a report has not reached the police near its deadline, the authorities accept
the same data as files: the foreigners' declaration spreadsheet with the NA17 columns,
uploaded at the provincial immigration website, and the stay register with ĐD10-style
columns for citizens, handed to the commune police. Both are Vietnamese official
documents, so their text is Vietnamese whatever the language of the page.

``fallback_guests`` picks who goes in; ``na17_workbook`` and ``register_workbook``
build the files (guests in, the bytes of an XLSX out; they decrypt with the cipher
they are given); ``export`` does both and puts the download on the audit log, as every
look at guests' identity data must be.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pycountry
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import contains_eager

from core import audit
from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from core.outbox.messages import OutboxState
from lodging.feeds.payloads import address_part
from lodging.properties import geography
from lodging.properties.models import Establishment
from lodging.registration import sealed
from lodging.registration.declarations import ForeignerInput
from lodging.registration.models import (
    DocumentType,
    Guest,
    PassportType,
    Stay,
    StayStatus,
    VisaType,
)
from lodging.registration.reports import FILED

NA17 = "na17"
REGISTER = "register"
KINDS = (NA17, REGISTER)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Not at the police yet: every state but delivered, and delivered only into the file drop.
NOT_DELIVERED = (
    *(state.value for state in OutboxState if state is not OutboxState.DELIVERED),
    FILED,
)

# The NA17 columns as the export of an existing system has them (the reference's IMPL list).
NA17_HEADERS = (
    "STT",
    "Họ tên",
    "Giới tính",
    "Ngày tháng năm sinh",
    "Quốc tịch",
    "Số hộ chiếu",
    "Loại hộ chiếu",
    "Loại giấy tờ nhập cảnh",
    "Số giấy tờ",
    "Thời hạn",
    "Ngày cấp",
    "Cơ quan cấp",
    "Ngày nhập cảnh",
    "Cửa khẩu nhập cảnh",
    "Mục đích nhập cảnh",
    "Tạm trú từ ngày",
    "Tạm trú đến ngày",
    "Số phòng",
)
REGISTER_HEADERS = (
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Quốc tịch",
    "Số CMND/CCCD/Hộ chiếu",
    "Địa chỉ thường trú",
    "Ngày đến",
    "Ngày đi",
    "Số phòng",
    "Ghi chú",
)
RESIDENCE_NOTE = (
    "Ghi chú: cột “Địa chỉ thường trú” chỉ ghi tỉnh, thành phố nơi thường trú; "
    "hệ thống không lưu địa chỉ chi tiết của khách."
)
SEXES = {"M": "Nam", "F": "Nữ"}
PASSPORT_TYPES = {
    PassportType.ORDINARY: "phổ thông",
    PassportType.OFFICIAL: "công vụ",
    PassportType.DIPLOMATIC: "ngoại giao",
    PassportType.OTHER: "khác",
}
VISA_TYPES = {
    VisaType.VISA: "thị thực",
    VisaType.EXEMPT: "miễn thị thực",
    VisaType.RESIDENCE_CARD: "thẻ tạm trú",
    VisaType.ABTC: "thẻ ABTC",
    VisaType.OTHER: "khác",
}
# The register's one column takes all three kinds of number: say which one it is.
DOCUMENT_NOTES = {
    DocumentType.CMND: "Giấy tờ: CMND",
    DocumentType.PASSPORT: "Giấy tờ: hộ chiếu",
    DocumentType.OTHER: "Giấy tờ: giấy tờ khác",
    DocumentType.NONE: "Không có giấy tờ (trẻ em đi cùng người đại diện)",
}
_HEADER_FILL = PatternFill("solid", fgColor="DDE6EC")
_WIDEST = 40


@dataclass(frozen=True)
class Export:
    """One downloaded fallback file."""

    filename: str
    content: bytes
    guest_ids: tuple[int, ...]


def fallback_guests(
    session: DbSession,
    establishment_id: int,
    kind: str,
    *,
    arrived_from: dt.date | None = None,
    arrived_to: dt.date | None = None,
) -> list[Guest]:
    """Who goes in a fallback file: foreigners for NA17, citizens for the register.

    The establishment's confirmed guests, in stays not cancelled, whose report is not
    delivered. With dates (the register only), the whole register instead: every such
    guest who arrived on those days (Vietnam's time), delivered or not.
    """
    conditions: list[ColumnElement[bool]] = [
        Stay.establishment_id == establishment_id,
        Stay.status != StayStatus.CANCELLED,
        Guest.confirmed_at.is_not(None),
        Guest.purged_at.is_(None),
        Guest.nationality != "VN" if kind == NA17 else Guest.nationality == "VN",
    ]
    if arrived_from is None and arrived_to is None:
        conditions.append(Guest.report_status.in_(NOT_DELIVERED))
    if arrived_from is not None:
        conditions.append(Guest.arrival >= _day_start(arrived_from))
    if arrived_to is not None:
        conditions.append(Guest.arrival < _day_start(arrived_to + dt.timedelta(days=1)))
    return list(
        session.scalars(
            select(Guest)
            .join(Guest.stay)
            .options(contains_eager(Guest.stay).selectinload(Stay.room))
            .where(*conditions)
            .order_by(Guest.arrival, Guest.stay_id, Guest.position)
        )
    )


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)


def export(
    session: DbSession,
    establishment: Establishment,
    kind: str,
    *,
    cipher: PersonalDataCipher,
    now: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    address: str,
    arrived_from: dt.date | None = None,
    arrived_to: dt.date | None = None,
) -> Export:
    """The file of ``kind`` for the establishment now, its download on the audit log."""
    if kind not in KINDS:
        raise ValueError(f"unknown fallback document {kind!r}")
    first, last = (arrived_from, arrived_to) if kind == REGISTER else (None, None)
    guests = fallback_guests(session, establishment.id, kind, arrived_from=first, arrived_to=last)
    if kind == NA17:
        content = na17_workbook(establishment, guests, cipher, now=now)
    else:
        content = register_workbook(establishment, guests, cipher, now=now, period=(first, last))
    ids = tuple(guest.id for guest in guests)
    detail: dict[str, object] = {"kind": kind, "guest_ids": list(ids)}
    if first or last:
        detail |= {"arrived_from": _iso(first), "arrived_to": _iso(last)}
    audit.record(
        session,
        action="guest.export_fallback",
        now=now,
        actor_id=actor_id,
        actor_label=actor_label,
        target_type="lodging_establishment",
        target_id=establishment.id,
        address=address,
        detail=detail,
    )
    return Export(filename(kind, establishment.id, now), content, ids)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def filename(kind: str, establishment_id: int, now: dt.datetime) -> str:
    """``NA17-12-20260314-2130.xlsx``: what, where, and when (Vietnam's time)."""
    prefix = "NA17" if kind == NA17 else "DD10"
    return f"{prefix}-{establishment_id}-{now.astimezone(VIETNAM):%Y%m%d-%H%M}.xlsx"


# --- The documents -------------------------------------------------------------------


def na17_workbook(
    establishment: Establishment,
    guests: Sequence[Guest],
    cipher: PersonalDataCipher,
    *,
    now: dt.datetime,
) -> bytes:
    """The foreigners' temporary-residence declaration (NA17 columns), one row a guest."""
    rows = [_na17_row(number, guest, cipher) for number, guest in enumerate(guests, start=1)]
    heading = ["DANH SÁCH NGƯỜI NƯỚC NGOÀI KHAI BÁO TẠM TRÚ", *_heading(establishment, now)]
    return _workbook("NA17", heading, NA17_HEADERS, rows)


def _na17_row(number: int, guest: Guest, cipher: PersonalDataCipher) -> list[object]:
    details = sealed.foreign_details(guest, cipher) or ForeignerInput()
    return [
        number,
        guest.full_name,
        SEXES.get(guest.sex, ""),
        _date(guest.birth_date),
        _nationality(guest.nationality),
        sealed.document_number(guest, cipher),
        PASSPORT_TYPES.get(details.passport_type, "") if details.passport_type else "",
        VISA_TYPES.get(details.visa_type, "") if details.visa_type else "",
        details.visa_number,
        _date(details.visa_valid_until),
        _date(details.visa_issued_on),
        details.visa_issuer,
        _date(details.entry_date),
        details.entry_port,
        details.entry_purpose,
        _date(guest.arrival.astimezone(VIETNAM).date()),
        _date(_departure(guest.stay)),
        _room(guest.stay),
    ]


def register_workbook(
    establishment: Establishment,
    guests: Sequence[Guest],
    cipher: PersonalDataCipher,
    *,
    now: dt.datetime,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> bytes:
    """The stay register (ĐD10-style columns) of citizens, one row a guest."""
    rows = [_register_row(number, guest, cipher) for number, guest in enumerate(guests, start=1)]
    heading = ["SỔ QUẢN LÝ LƯU TRÚ", *_heading(establishment, now)]
    first, last = period
    if first or last:
        heading.append(f"Khách đến từ ngày {_date(first) or '…'} đến ngày {_date(last) or '…'}")
    heading.append(RESIDENCE_NOTE)
    return _workbook("Sổ lưu trú", heading, REGISTER_HEADERS, rows)


def _register_row(number: int, guest: Guest, cipher: PersonalDataCipher) -> list[object]:
    stay = guest.stay
    arrival = guest.arrival.astimezone(VIETNAM)
    notes = [f"Đến lúc {arrival:%H:%M}"]
    if stay.departed_at is None:
        notes.append("ngày đi dự kiến")
    if guest.document_type in DOCUMENT_NOTES:
        notes.append(DOCUMENT_NOTES[guest.document_type])
    if guest.relationship_to_head:
        notes.append(f"Quan hệ với chủ hộ/trưởng đoàn: {guest.relationship_to_head}")
    return [
        number,
        guest.full_name,
        _date(guest.birth_date),
        SEXES.get(guest.sex, ""),
        "Việt Nam",
        sealed.document_number(guest, cipher),
        _province(guest.residence_province_code),
        _date(arrival.date()),
        _date(_departure(stay)),
        _room(stay),
        "; ".join(notes),
    ]


def _heading(establishment: Establishment, now: dt.datetime) -> list[str]:
    """The form's header: the establishment (name, address, phone) and the receiving police."""
    police = geography.commune(establishment.police_commune_code)
    province = geography.province(establishment.police_province_code)
    commune = police.name[:1].lower() + police.name[1:]  # "Phường Bãi Cháy" → "phường …"
    return [
        f"Tên cơ sở lưu trú: {establishment.name}",
        f"Địa chỉ: {address_part(establishment)['text']}",
        f"Điện thoại: {establishment.phone}",
        f"Kính gửi: Công an {commune}, {province.name}",
        f"Lập lúc: {now.astimezone(VIETNAM):%H:%M %d/%m/%Y}",
    ]


def _workbook(
    title: str, heading: Sequence[str], headers: Sequence[str], rows: Iterable[Sequence[object]]
) -> bytes:
    book = Workbook()
    sheet = book.active
    if not isinstance(sheet, Worksheet):  # a new workbook always has one worksheet
        raise TypeError("openpyxl gave no worksheet")
    sheet.title = title
    for line in heading:
        sheet.append([line])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(list(headers))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            # Text stays text: a name starting with "=" must not become a formula, and
            # a CCCD number keeps its leading zeros.
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.number_format = "@"
    sheet.freeze_panes = f"A{header_row + 1}"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(len(header) + 6, _WIDEST)
    content = io.BytesIO()
    book.save(content)
    return content.getvalue()


def _date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _departure(stay: Stay) -> dt.date:
    """The day the guests left, or are expected to."""
    left = stay.departed_at
    return left.astimezone(VIETNAM).date() if left else stay.expected_departure


def _room(stay: Stay) -> str:
    return stay.room.number if stay.room else ""


def _nationality(code: str) -> str:
    """The passport's ISO 3166 alpha-3 code, as the immigration forms write it."""
    country = pycountry.countries.get(alpha_2=code)
    return str(country.alpha_3) if country else code


def _province(code: int | None) -> str:
    if code is None:
        return ""
    try:
        return geography.province(code).name
    except geography.UnknownPlaceError:
        return ""
