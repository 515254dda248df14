"""The official monthly form (Biểu 01CS/LTDL), pinned by golden files of its cells.

The data is fixed, the clock plays no part: four establishments in two provinces and
their reports for February and March 2026, written as the owners' service leaves them
(a correction in force, a draft that does not count, one place that did not submit).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.clock import VIETNAM
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.statistics import official_form, official_form_xlsx
from lodging.statistics.monthly_report import MonthlyReport, ReportStatus
from tests.factories import make_establishment
from tests.lodging.statistics.official_form_cells import cells, matches_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
YEAR, MONTH = 2026, 3
HOMESTAY = EstablishmentKind.HOMESTAY
SAPA: dict[str, Any] = {"commune": "Sa Pa", "latitude": 22.3356, "longitude": 103.8415}
Four = tuple[int, int, int, int]
Two = tuple[int, int]


def _report(
    session: Session,
    place: Establishment,
    month: int,
    version: int = 1,
    *,
    status: ReportStatus = ReportStatus.SUBMITTED,
    revenue: tuple[int | None, int | None] = (None, None),
    arrivals: tuple[int, int, int, int] = (0, 0, 0, 0),
    nights: tuple[int, int] = (0, 0),
    reason: str = "",
) -> MonthlyReport:
    submitted = dt.datetime(YEAR, month + 1, 3 + version, 9, 30, tzinfo=VIETNAM)
    report = MonthlyReport(
        establishment_id=place.id,
        year=YEAR,
        month=month,
        version=version,
        status=status,
        overnight_international=arrivals[0],
        overnight_domestic=arrivals[1],
        same_day_international=arrivals[2],
        same_day_domestic=arrivals[3],
        nights_international=nights[0],
        nights_domestic=nights[1],
        room_nights=(nights[0] + nights[1]) // 2,
        bed_nights=nights[0] + nights[1],
        revenue_international=revenue[0],
        revenue_domestic=revenue[1],
        correction_reason=reason,
        created_at=submitted,
        submitted_at=submitted if status is ReportStatus.SUBMITTED else None,
    )
    session.add(report)
    session.flush()
    return report


@pytest.fixture
def places(db_session: Session) -> dict[str, Establishment]:
    def place(name: str, licence: str, approved: bool = True, **where: object) -> Establishment:
        values: dict[str, object] = {"street_address": "1 Đường Hạ Long", "commune": "Bãi Cháy"}
        values.update(where, name=name, licence_number=licence)
        return make_establishment(db_session, approved=approved, **values)  # type: ignore[arg-type]  # EstablishmentInput's fields

    found = {
        "bien": place("Khách sạn Biển Xanh", "QN-G-01", stars=4),
        "sen": place("Homestay Hoa Sen", "QN-G-02", kind=HOMESTAY, stars=None, commune="Tuần Châu"),
        "im": place("Khách sạn Im Lặng", "QN-G-03", commune="Hạ Long"),
        "may": place("Khách sạn Mây Núi", "LC-G-01", province="Lào Cai", **SAPA),
        "cho": place("Khách sạn Chờ Duyệt", "QN-G-04", approved=False),
    }
    fixed = "Bổ sung doanh thu phòng hội nghị"
    # place, month, version, revenue, arrivals, nights (and a reason, or a draft)
    rows: list[tuple[str, int, int, tuple[int | None, int | None], Four, Two, str]] = [
        ("bien", 2, 1, (8_000_000, 12_000_000), (4, 6, 0, 1), (8, 10), ""),
        ("bien", 3, 1, (9_500_000, 14_250_000), (5, 7, 1, 2), (11, 13), ""),
        ("bien", 3, 2, (9_500_000, 16_250_000), (5, 7, 1, 2), (11, 13), fixed),
        ("sen", 3, 1, (None, 3_600_000), (0, 3, 0, 0), (0, 5), ""),
        ("sen", 3, 2, (1, 1), (99, 99, 99, 99), (0, 0), "draft"),
        ("im", 2, 1, (0, 2_000_000), (0, 2, 0, 0), (0, 2), ""),
        ("may", 3, 1, (4_000_000, 6_500_000), (3, 4, 0, 0), (6, 7), ""),
    ]
    for key, month, version, revenue, arrivals, nights, reason in rows:
        draft = reason == "draft"
        _report(
            db_session,
            found[key],
            month,
            version,
            status=ReportStatus.DRAFT if draft else ReportStatus.SUBMITTED,
            revenue=revenue,
            arrivals=arrivals,
            nights=nights,
            reason="" if draft else reason,
        )
    return found


def test_the_province_form_matches_its_golden_file(db_session, places):
    book = official_form.province_book(db_session, YEAR, MONTH)
    content = official_form_xlsx.render_province(book)
    assert matches_golden(content, GOLDEN / "official-form-province-2026-03.json")


def test_an_establishment_form_matches_its_golden_file(db_session, places):
    form = official_form.establishment_form(db_session, places["bien"], YEAR, MONTH)
    content = official_form_xlsx.render_establishment(form)
    assert matches_golden(content, GOLDEN / "official-form-establishment-2026-03.json")


def _sheet_rows(content: bytes, index: int) -> dict[str, list[object]]:
    """The indicator rows of a sheet, by their code (column B)."""
    rows = cells(content)["sheets"][index]["rows"]
    return {row[1]: row for row in rows if isinstance(row[1], str) and row[1].isdigit()}


def test_the_province_sums_the_versions_in_force_and_not_drafts(db_session, places):
    content = official_form_xlsx.render_province(
        official_form.province_book(db_session, YEAR, MONTH)
    )
    quang_ninh = _sheet_rows(content, 1)  # Lào Cai sorts first
    # Hotel's version 2 (26.75 million) and the homestay's domestic 3.6 million.
    assert quang_ninh["01"][3] == pytest.approx(29.35)
    assert quang_ninh["02"][3] == pytest.approx(9.5)
    # 12 + 3 overnight, 3 same-day in March; the homestay's draft (99s) is not counted.
    assert quang_ninh["05"][3] == 15
    assert quang_ninh["04"][3] == 18
    # January to March adds February's reports, the silent hotel's included.
    assert quang_ninh["05"][5] == 15 + 10 + 2


def test_the_list_says_who_did_not_submit_and_which_version_counts(db_session, places):
    book = official_form.province_book(db_session, YEAR, MONTH)
    listed = {s.unit.name: s.version for s in book.submissions}
    assert listed == {
        "Khách sạn Biển Xanh": 2,
        "Homestay Hoa Sen": 1,
        "Khách sạn Im Lặng": None,
        "Khách sạn Mây Núi": 1,
    }


def test_an_establishment_without_a_submission_has_no_form(db_session, places):
    with pytest.raises(official_form.FormError):
        official_form.establishment_form(db_session, places["im"], YEAR, MONTH)


def test_the_same_figures_give_the_same_bytes(db_session, places):
    book = official_form.province_book(db_session, YEAR, MONTH)
    first = official_form_xlsx.render_province(book)
    assert first == official_form_xlsx.render_province(book)
    assert cells(first)["created"] == "2026-04-05T02:30:00"  # the newest submission, in UTC
