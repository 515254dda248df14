"""The department's pages: figures that match the stays, suppression, exports, drill-down."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.dashboard.conftest import Province
from tests.factories import log_in


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_officer_sees_the_province_in_both_languages(client, province: Province, lang):
    log_in(client, province.officer.email, lang=lang)
    page = client.get(f"/{lang}/dashboard/", query_string=province.month_args)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'class="chart" data-chart=' in body
    assert 'class="map"' in body
    assert "Bãi Cháy" in body
    assert "<table" in body


def test_month_figures_match_the_stays(client, province: Province):
    log_in(client, province.officer.email)
    lines = _csv(
        client.get("/en/dashboard/", query_string={**province.month_args, "format": "csv"})
    )
    header, month = lines[0], lines[1]
    row = dict(zip(header, month, strict=True))
    assert row["Period"] == province.month.strftime("%Y-%m")
    assert row["Arrivals (overnight)"] == "6"  # 3 + 2 + 1
    assert row["Guest-nights"] == "13"  # 9 + 2 + 2
    assert row["International arrivals"] == "2"
    assert row["Rooms occupied (room-nights)"] == "6"  # 3 + 1 + 2
    days = (
        30 if province.month.month in {4, 6, 9, 11} else (31 if province.month.month != 2 else 28)
    )
    assert row["Rooms available (room-days)"] == str(2 * 3 * days)
    assert float(row["Average stay (nights)"]) == pytest.approx(13 / 6, abs=0.01)


def test_an_establishment_with_one_guest_is_suppressed_with_its_neighbour(client, province):
    log_in(client, province.officer.email)
    page = client.get(
        f"/en/dashboard/communes/{province.a.commune_code}", query_string=province.month_args
    )
    assert page.status_code == 200
    lines = _csv(
        client.get(
            f"/en/dashboard/communes/{province.a.commune_code}",
            query_string={**province.month_args, "format": "csv", "table": "1"},
        )
    )
    by_name = {line[0]: line for line in lines[1:] if line and line[0]}
    header = lines[0]
    nights = header.index("Guest-nights")
    rooms = header.index("Rooms available (room-days)")
    assert by_name["Nhà nghỉ Hoa Biển"][nights] == "<5"
    # A alone would be the total minus B: hidden too, though it has five guests.
    assert by_name[province.a.name][nights] == "<5"
    assert by_name[province.a.name][rooms] != "<5"  # capacity is not about guests
    assert any("fewer than 5 guests" in " ".join(line) for line in lines)


def test_the_threshold_is_a_setting(app, client, province):
    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = settings.with_overrides(statistics_min_cell=1)
    try:
        log_in(client, province.officer.email)
        lines = _csv(
            client.get(
                f"/en/dashboard/establishments/{province.b.id}",
                query_string={**province.month_args, "format": "csv"},
            )
        )
    finally:
        app.config["PORTAL_SETTINGS"] = settings
    assert dict(zip(lines[0], lines[1], strict=True))["Guest-nights"] == "2"


def test_xlsx_export_opens_with_every_table(client, province):
    log_in(client, province.officer.email)
    response = client.get(
        f"/en/dashboard/establishments/{province.b.id}",
        query_string={**province.month_args, "format": "xlsx"},
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 3
    first = list(book.worksheets[0].iter_rows(values_only=True))
    assert first[0][0] == "Period"
    row = dict(zip(first[0], first[1], strict=False))
    assert row["Guest-nights"] == "<5"  # one guest: suppressed in the file too
    assert isinstance(row["Rooms available (room-days)"], int)  # a number, not text
    assert row["Rooms available (room-days)"] > 0


def test_province_summary_by_kind(client, province):
    log_in(client, province.officer.email)
    month = province.month.strftime("%Y-%m")
    lines = _csv(
        client.get("/en/dashboard/summary", query_string={"month": month, "format": "csv"})
    )
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Kind of establishment"] == "Hotel"
    assert row["Guest-nights"] == "13"


def test_bad_filters_show_the_default_period_with_a_message(client, province):
    log_in(client, province.officer.email)
    page = client.get("/en/dashboard/", query_string={"from": "2026-13-01", "period": "hour"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Enter a date as YYYY-MM-DD." in body
    assert "Choose one of: day, week, month, year." in body


def test_owners_and_tourists_cannot_open_the_department_pages(client, province):
    log_in(client, province.owner.email)
    assert client.get("/en/dashboard/").status_code == 403
    assert client.get("/en/dashboard/compliance").status_code == 403
