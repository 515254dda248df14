"""An XLSX workbook read back as plain data, for golden files of the official form.

An XLSX is a zip: comparing what a reader sees (values, merged ranges, number
formats, the workbook's dates) gives a readable diff where bytes would not.
``UPDATE_GOLDEN=1 pytest …`` rewrites the golden files from the code; review the diff.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def cells(content: bytes) -> dict[str, Any]:
    book = load_workbook(io.BytesIO(content))
    sheets = []
    for sheet in book.worksheets:
        formats = {
            cell.coordinate: cell.number_format
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None and cell.number_format != "General"
        }
        sheets.append(
            {
                "title": sheet.title,
                "merged": sorted(str(merged) for merged in sheet.merged_cells.ranges),
                "rows": [list(row) for row in sheet.iter_rows(values_only=True)],
                "number_formats": formats,
            }
        )
    created = book.properties.created
    return {"created": created.isoformat() if created else None, "sheets": sheets}


def matches_golden(content: bytes, golden: Path) -> bool:
    """The workbook's cells equal the golden file's (rewritten first under UPDATE_GOLDEN)."""
    found = cells(content)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert found == expected, f"{golden.name} differs (UPDATE_GOLDEN=1 rewrites it)"
    return True
