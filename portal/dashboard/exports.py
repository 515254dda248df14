"""A dashboard table as a CSV or XLSX file, suppressed cells and all.

Both files hold exactly what the page shows: suppressed cells read ``<5`` and a
note under the table says why, so a spreadsheet never holds more than the page.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from portal.dashboard.tables import Column, Kind, Row, Table, Value, suppressed_text

# Werkzeug adds "; charset=utf-8" to a text/* type: naming it here would say it twice.
CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_TITLE_LENGTH = 31  # Excel's limit
# Characters Excel refuses in a sheet title ("Phường/xã" is a column heading in Vietnamese).
_SHEET_TITLE_REFUSED = re.compile(r"[\\/?*\[\]:]")
# Spreadsheets run a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _exported(table: Table, row: Row, column: Column) -> Value:
    value = table.cell(row, column)
    if value is None and row.suppressed and column.from_guests:
        return suppressed_text(table.min_cell)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _lines(table: Table) -> list[list[Value]]:
    lines: list[list[Value]] = [[str(column.label) for column in table.columns]]
    lines += [[_exported(table, row, column) for column in table.columns] for row in table.rows]
    return lines


def to_csv(table: Table, notes: Sequence[str] = ()) -> bytes:
    """UTF-8 with a BOM, so spreadsheet programs read Vietnamese names right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(_lines(table))
    for note in (*table.notes, *notes):
        writer.writerow([])
        writer.writerow([note])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def sheet_title(index: int, title: str) -> str:
    """A title Excel takes: numbered (so distinct), without its refused characters, ≤ 31."""
    safe = " ".join(_SHEET_TITLE_REFUSED.sub(" ", title).split()).strip("'") or "Sheet"
    return f"{index} {safe}"[:_SHEET_TITLE_LENGTH].rstrip()


def to_xlsx(tables: Sequence[Table], notes: Sequence[str] = ()) -> bytes:
    """One sheet per table; percentages and decimals keep their number formats."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]  # a new workbook always has one sheet
    for index, table in enumerate(tables, start=1):
        sheet = book.create_sheet(sheet_title(index, str(table.title)))
        for line in _lines(table):
            sheet.append(line)
        for position, column in enumerate(table.columns, start=1):
            letter = get_column_letter(position)
            sheet.column_dimensions[letter].width = max(12, len(str(column.label)) + 2)
            number_format = _NUMBER_FORMATS.get(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(
                    min_row=2, min_col=position, max_col=position, max_row=sheet.max_row
                ):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        for note in (*table.notes, *notes):
            sheet.append([])
            sheet.append([note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NUMBER_FORMATS = {
    Kind.COUNT: "#,##0",
    Kind.PERCENT: "0.0",
    Kind.DECIMAL: "0.00",
    Kind.MONEY: "#,##0",
}
