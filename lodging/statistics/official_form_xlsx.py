"""The official monthly form as an XLSX workbook: pure layout, no database.

Biểu số 01CS/LTDL, section I (accommodation): the indicators with their codes and
units, and the form's three columns (1) done in the month, (2) expected next month
(left empty: the portal does not forecast), (3) January to the month. Values, not
formulas, so a reader without a spreadsheet engine sees the totals. The workbook's
bytes depend on its figures alone: its dates are the submission's, and the zip's
entries carry a fixed time.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from lodging.statistics.official_form import (
    EstablishmentForm,
    Indicators,
    ProvinceBook,
    ProvinceForm,
    Submission,
)

FORM_SYMBOL = "Biểu số: 01CS/LTDL"
LEGAL_BASIS = (
    "Chỉ tiêu lưu trú theo chế độ báo cáo thống kê du lịch của Thông tư số"
    " 18/2021/TT-BVHTTDL; bố cục theo Biểu số 01CS/LTDL của ngành Thống kê"
)
DUE = "Ngày nhận báo cáo: ngày 12 tháng sau tháng báo cáo"
TITLE = "BÁO CÁO HOẠT ĐỘNG LƯU TRÚ, ĂN UỐNG VÀ DU LỊCH"
DEPARTMENT = "Sở Du lịch / Sở Văn hóa, Thể thao và Du lịch tỉnh {province}"
MINISTRY = "Bộ Văn hóa, Thể thao và Du lịch (Cục Du lịch Quốc gia Việt Nam)"
HEADINGS = (
    "Tên chỉ tiêu",
    "Mã số",
    "Đơn vị tính",
    "Thực hiện tháng báo cáo",
    "Dự tính tháng tiếp theo",
    "Cộng dồn từ đầu năm đến cuối tháng báo cáo",
)
COLUMN_CODES = ("A", "B", "C", "1", "2", "3")
WIDTHS = (58, 8, 12, 16, 16, 22)
MILLION = "Triệu đồng"
ARRIVALS = "Lượt khách"
COUNT_FORMAT = "#,##0"
MONEY_FORMAT = "#,##0.000"
# Zip entries dated 1980-01-01 (the zip format's first day): same figures, same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_BOLD = Font(bold=True)


def _money(vnd: int | None) -> float | None:
    return None if vnd is None else vnd / 1_000_000


def _sum(*parts: int | None) -> int | None:
    stated = [p for p in parts if p is not None]
    return sum(stated) if stated else None


@dataclass(frozen=True)
class Line:
    """One indicator: its label, code and unit, and the figures it adds up."""

    label: str
    code: str
    unit: str
    parts: tuple[str, ...]  # names of ``Indicators`` fields

    @property
    def money(self) -> bool:
        return self.unit == MILLION

    def value(self, figures: Indicators) -> float | int | None:
        total = _sum(*(getattr(figures, part) for part in self.parts))
        return _money(total) if self.money else total or 0


REVENUE = ("revenue_international", "revenue_domestic")
OVERNIGHT = ("overnight_international", "overnight_domestic")
SAME_DAY = ("same_day_international", "same_day_domestic")
NIGHTS = ("nights_international", "nights_domestic")
GUEST_NIGHTS = "Ngày khách"
# Section I of Biểu 01CS/LTDL, codes 01 to 13, then the room- and bed-nights used.
LINES = (
    Line("1. Doanh thu thuần", "01", MILLION, REVENUE),
    Line("   Chia ra: - Doanh thu từ khách quốc tế", "02", MILLION, REVENUE[:1]),
    Line("   - Doanh thu từ khách trong nước", "03", MILLION, REVENUE[1:]),
    Line("2. Số lượt khách phục vụ", "04", ARRIVALS, OVERNIGHT + SAME_DAY),
    Line("2.1. Lượt khách ngủ qua đêm", "05", ARRIVALS, OVERNIGHT),
    Line("   Chia ra: - Lượt khách quốc tế", "06", ARRIVALS, OVERNIGHT[:1]),
    Line("   - Lượt khách trong nước", "07", ARRIVALS, OVERNIGHT[1:]),
    Line("2.2. Lượt khách trong ngày", "08", ARRIVALS, SAME_DAY),
    Line("   Chia ra: - Lượt khách quốc tế", "09", ARRIVALS, SAME_DAY[:1]),
    Line("   - Lượt khách trong nước", "10", ARRIVALS, SAME_DAY[1:]),
    Line("3. Ngày khách phục vụ (chỉ tính khách có ngủ qua đêm)", "11", GUEST_NIGHTS, NIGHTS),
    Line("   Chia ra: - Ngày khách quốc tế", "12", GUEST_NIGHTS, NIGHTS[:1]),
    Line("   - Ngày khách trong nước", "13", GUEST_NIGHTS, NIGHTS[1:]),
)
EXTRA_HEADING = "Chỉ tiêu bổ sung (theo Biểu số 015.N/BCC-TMDV, Thông tư 08/2012/TT-BKHĐT)"
EXTRA_LINES = (
    Line("4. Số ngày buồng sử dụng", "", "Ngày buồng", ("room_nights",)),
    Line("5. Số ngày giường sử dụng", "", "Ngày giường", ("bed_nights",)),
)
NOTES = (
    "Ghi chú:",
    "- Lượt khách, ngày khách, ngày buồng, ngày giường: từ khai báo lưu trú của cơ sở.",
    "- Doanh thu: do cơ sở kê khai trong báo cáo tháng (1 triệu đồng = 1.000.000 đồng).",
    "- Cột 2 để trống: cổng không dự tính tháng tiếp theo.",
    "- Cột 3: tổng các báo cáo đã nộp (phiên bản có hiệu lực) từ tháng 1 đến tháng báo cáo.",
    "- Phần II (ăn uống) và III (lữ hành) của Biểu 01CS/LTDL không thuộc cổng lưu trú.",
)


def _merged(sheet: Worksheet, row: int, text: str, *, bold: bool = False) -> None:
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADINGS))
    cell = sheet.cell(row, 1, text)
    cell.alignment = Alignment(horizontal="center")
    if bold:
        cell.font = Font(bold=True, size=13)


def _heading(sheet: Worksheet, month: int, year: int, units: tuple[str, str]) -> int:
    """The title block; returns the next free row."""
    sheet.cell(1, 1, FORM_SYMBOL).font = _BOLD
    sheet.cell(2, 1, LEGAL_BASIS)
    sheet.cell(3, 1, DUE)
    sheet.cell(1, 4, f"Đơn vị báo cáo: {units[0]}")
    sheet.cell(2, 4, f"Đơn vị nhận báo cáo: {units[1]}")
    _merged(sheet, 5, TITLE, bold=True)
    _merged(sheet, 6, "(Áp dụng đối với cơ sở có hoạt động lưu trú du lịch)")
    _merged(sheet, 7, f"Tháng {month:02d} năm {year}")
    return 9


def _details(sheet: Worksheet, row: int, lines: list[str]) -> int:
    for line in lines:
        sheet.cell(row, 1, line)
        row += 1
    return row + 1


def _table(sheet: Worksheet, row: int, month: Indicators, year_to_date: Indicators) -> int:
    for column, (heading, code) in enumerate(zip(HEADINGS, COLUMN_CODES, strict=True), start=1):
        sheet.cell(row, column, heading).font = _BOLD
        sheet.cell(row, column).alignment = Alignment(wrap_text=True, vertical="center")
        sheet.cell(row + 1, column, code).alignment = Alignment(horizontal="center")
    row += 2
    sheet.cell(row, 1, "I. Dịch vụ lưu trú").font = _BOLD
    row = _lines(sheet, row + 1, LINES, month, year_to_date)
    sheet.cell(row, 1, EXTRA_HEADING).font = _BOLD
    return _lines(sheet, row + 1, EXTRA_LINES, month, year_to_date) + 1


def _lines(
    sheet: Worksheet, row: int, lines: tuple[Line, ...], month: Indicators, total: Indicators
) -> int:
    for line in lines:
        sheet.cell(row, 1, line.label)
        sheet.cell(row, 2, line.code).alignment = Alignment(horizontal="center")
        sheet.cell(row, 3, line.unit)
        for column, figures in ((4, month), (6, total)):
            cell = sheet.cell(row, column, line.value(figures))
            cell.number_format = MONEY_FORMAT if line.money else COUNT_FORMAT
        row += 1
    return row


def _footer(sheet: Worksheet, row: int) -> None:
    row = _details(sheet, row, list(NOTES))
    sheet.cell(row, 1, "Người lập biểu").font = _BOLD
    sheet.cell(row, 4, "Ngày …… tháng …… năm ……")
    sheet.cell(row + 1, 1, "(Ký, họ tên)")
    sheet.cell(row + 1, 4, "Thủ trưởng đơn vị").font = _BOLD
    sheet.cell(row + 2, 4, "(Ký, đóng dấu, họ tên)")


def _form_sheet(
    book: Workbook, title: str, head: tuple[int, int, tuple[str, str]], details: list[str]
) -> tuple[Worksheet, int]:
    sheet = book.create_sheet(title[:31])
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[chr(64 + column)].width = width
    row = _details(sheet, _heading(sheet, *head), details)
    return sheet, row


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%d/%m/%Y %H:%M")


def _establishment_details(form: EstablishmentForm) -> list[str]:
    s, unit = form.submission, form.submission.unit
    lines = [
        f"Tên cơ sở: {unit.name}",
        f"Loại hình: {unit.kind}",
        f"Địa chỉ: {unit.address}",
        f"Số giấy phép / mã cơ sở: {unit.licence_number}",
        f"Điện thoại: {unit.phone}    Email: {unit.email}",
        f"Báo cáo phiên bản {s.version}, nộp lúc {_stamp(s.submitted_at)}"
        if s.submitted_at
        else f"Báo cáo phiên bản {s.version}",
    ]
    if s.correction_reason:
        lines.append(f"Lý do điều chỉnh: {s.correction_reason}")
    return lines


def render_establishment(form: EstablishmentForm) -> bytes:
    """One establishment's form for the month."""
    book = _book(form.as_of)
    unit = form.submission.unit
    head = (form.month, form.year, (unit.name, DEPARTMENT.format(province=unit.province)))
    sheet, row = _form_sheet(book, "Biểu 01CS-LTDL", head, _establishment_details(form))
    _footer(sheet, _table(sheet, row, form.month_figures, form.year_to_date))
    return _save(book)


def _province_sheet(book: Workbook, form: ProvinceForm) -> None:
    units = (DEPARTMENT.format(province=form.province), MINISTRY)
    details = [
        f"Tỉnh/thành phố: {form.province}",
        "Tổng hợp từ báo cáo tháng của các cơ sở lưu trú trên Cổng (phiên bản có hiệu lực)",
        f"Số cơ sở đã nộp báo cáo: {form.submitted}/{form.establishments}",
    ]
    title = f"Tổng hợp {form.province}"
    sheet, row = _form_sheet(book, title, (form.month, form.year, units), details)
    _footer(sheet, _table(sheet, row, form.month_figures, form.year_to_date))


LIST_HEADINGS = (
    "STT",
    "Tỉnh/thành phố",
    "Xã/phường",
    "Tên cơ sở",
    "Loại hình",
    "Tình trạng",
    "Phiên bản",
    "Ngày nộp",
    "Lý do điều chỉnh",
)
LIST_WIDTHS = (6, 16, 16, 34, 30, 14, 10, 18, 40)


def _list_sheet(book: Workbook, year: int, month: int, rows: tuple[Submission, ...]) -> None:
    sheet = book.create_sheet("Danh sách cơ sở")
    sheet.append([f"Tình hình nộp báo cáo tháng {month:02d} năm {year} (Biểu 01CS/LTDL)"])
    sheet.cell(1, 1).font = _BOLD
    sheet.append(list(LIST_HEADINGS))
    for column, width in enumerate(LIST_WIDTHS, start=1):
        sheet.cell(2, column).font = _BOLD
        sheet.column_dimensions[chr(64 + column)].width = width
    for number, s in enumerate(rows, start=1):
        done = s.version is not None
        sheet.append(
            [
                number,
                s.unit.province,
                s.unit.commune,
                s.unit.name,
                s.unit.kind,
                "Đã nộp" if done else "Chưa nộp",
                s.version,
                _stamp(s.submitted_at) if s.submitted_at else None,
                s.correction_reason or None,
            ]
        )
    sheet.freeze_panes = "A3"


def render_province(form: ProvinceBook) -> bytes:
    """Each province's summed form, then the list of who submitted which version."""
    book = _book(form.as_of)
    for province in form.provinces:
        _province_sheet(book, province)
    _list_sheet(book, form.year, form.month, form.submissions)
    return _save(book)


def _book(as_of: dt.datetime) -> Workbook:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # a new workbook always has one sheet
    when = as_of.astimezone(dt.UTC).replace(tzinfo=None)  # openpyxl stores naive UTC
    book.properties.created = when
    book.properties.modified = when
    book.properties.creator = "Cổng du lịch thông minh"
    book.properties.title = TITLE
    return book


def _save(book: Workbook) -> bytes:
    """The workbook's bytes, without openpyxl's "modified now" or the zip's clock."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()
