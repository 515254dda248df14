"""The portals' batch templates: each version's file pinned by a golden file of its cells.

The golden files hold the cells read back with openpyxl (an XLSX is a zip with a
timestamp inside, so its bytes change every time). A new template version is a new
data file and a new golden file; a change to an existing version fails here.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from lodging.feeds import batch_templates
from lodging.feeds.batch_templates import BatchRow, TemplateError

GOLDEN = Path(__file__).resolve().parent / "golden"
VERSIONS = sorted(
    (path.name.split(".v")[0], int(path.name.split(".v")[1].split(".")[0]))
    for path in batch_templates.TEMPLATES.glob("*.v*.json")
)
ADDRESS = "12 Đường Hạ Long, Phường Bãi Cháy, Tỉnh Quảng Ninh"

# A fixed batch: a citizen, a child without papers, a foreigner with a visa, and a name
# that would be a formula if it were not kept as text.
ROWS = (
    BatchRow(
        full_name="Nguyễn Thị Ánh",
        birth_date=dt.date(1990, 3, 14),
        sex="F",
        nationality="VN",
        document_type="cccd",
        document_number="001190012345",
        residence_province="Thành phố Hà Nội",
        purpose="tourism",
        arrival_date=dt.date(2026, 3, 14),
        arrival_time="21:30",
        departure_date=dt.date(2026, 3, 16),
        room="101",
        establishment_address=ADDRESS,
    ),
    BatchRow(
        full_name="=Trần Minh",
        birth_date=dt.date(2019, 1, 2),
        sex="M",
        nationality="VN",
        document_type="none",
        document_number="",
        residence_province="",
        purpose="visiting",
        arrival_date=dt.date(2026, 3, 14),
        arrival_time="21:30",
        departure_date=dt.date(2026, 3, 16),
        room="",
        establishment_address=ADDRESS,
    ),
    BatchRow(
        full_name="KIM MIN-JUN",
        birth_date=dt.date(1985, 7, 2),
        sex="M",
        nationality="KR",
        document_type="passport",
        document_number="M12345678",
        residence_province="",
        purpose="business",
        arrival_date=dt.date(2026, 3, 14),
        arrival_time="08:05",
        departure_date=dt.date(2026, 3, 20),
        room="201",
        establishment_address=ADDRESS,
        passport_type="official",
        visa_type="visa",
        visa_number="DL1234567",
        visa_valid_until=dt.date(2026, 5, 13),
        entry_date=dt.date(2026, 3, 12),
        entry_port="Nội Bài",
        entry_purpose="Du lịch",
    ),
)


def read_back(content: bytes) -> dict[str, object]:
    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return {
        "sheet": sheet.title,
        "rows": [list(row) for row in sheet.iter_rows(values_only=True)],
    }


def test_every_portal_has_a_current_template_file():
    assert {key for key, _version in VERSIONS} == set(batch_templates.PORTALS)
    for portal, version in batch_templates.CURRENT_VERSIONS.items():
        assert (portal, version) in VERSIONS


@pytest.mark.parametrize(("key", "version"), VERSIONS)
def test_each_template_version_renders_its_golden_file(key: str, version: int):
    template = batch_templates.load(key, version)
    cells = read_back(batch_templates.render(template, ROWS))
    golden = GOLDEN / f"handover-{key}.v{version}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(cells, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert cells == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("key", "version"), VERSIONS)
def test_text_cells_stay_text(key: str, version: int):
    template = batch_templates.load(key, version)
    sheet = load_workbook(io.BytesIO(batch_templates.render(template, ROWS))).active
    assert isinstance(sheet, Worksheet)
    names = [cell for cell in sheet[template.header_row + 2] if cell.value == "=Trần Minh"]
    assert names
    assert names[0].data_type == "s"


def test_a_template_naming_a_field_the_renderer_lacks_is_refused(tmp_path, monkeypatch):
    bad = {
        "key": "bad",
        "version": 1,
        "verified": False,
        "sheet": "X",
        "columns": [{"header": "Tên", "source": "mother_name"}],
    }
    (tmp_path / "bad.v1.json").write_text(json.dumps(bad), encoding="utf-8")
    monkeypatch.setattr(batch_templates, "TEMPLATES", tmp_path)
    batch_templates.load.cache_clear()
    try:
        with pytest.raises(TemplateError, match="mother_name"):
            batch_templates.load("bad", 1)
    finally:
        batch_templates.load.cache_clear()
