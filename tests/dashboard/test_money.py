"""The money page, its files and API for officers; owners' own money; the empty-revenue check.

Hotels A and B (two establishments, the same commune) report revenue for the month;
with the threshold at 5 establishments the department sees "<5", at 1 the figures.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from core.auth.roles import Role
from lodging.statistics.monthly_report import MonthlyReport, ReportStatus
from portal.dashboard.exports import XLSX_TYPE
from tests.booking.test_revenue import add_booking
from tests.dashboard.conftest import Province
from tests.dashboard.test_api import bearer
from tests.factories import csrf_token, log_in, make_user
from tests.lodging.statistics.test_money import add_report

PAGE = "/{lang}/dashboard/money"
API = "/api/v1/statistics/money"


@pytest.fixture
def reported(db_session, province: Province) -> Province:
    """A: 2 000 000 international + 10 000 000 domestic; B: 3 000 000 domestic; A booked."""
    add_report(
        db_session,
        province.a,
        province.month,
        international=2_000_000,
        domestic=10_000_000,
        room_nights=4,
    )
    add_report(db_session, province.b, province.month, international=None, domestic=3_000_000)
    arrival = province.month.replace(day=3)
    add_booking(db_session, province.a, arrival, arrival.replace(day=5), 2_500_000)
    db_session.commit()
    return province


@pytest.fixture
def threshold_one(app: Flask) -> Iterator[None]:
    settings = app.config["PORTAL_SETTINGS"]
    app.config["PORTAL_SETTINGS"] = settings.with_overrides(statistics_min_cell=1)
    yield
    app.config["PORTAL_SETTINGS"] = settings


def _month_args(province: Province, group: str = "total") -> dict[str, str]:
    month = province.month.strftime("%Y-%m")
    return {"from": month, "to": month, "group": group}


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_two_hotels_are_too_few_for_the_department(client, reported: Province):
    log_in(client, reported.officer.email)
    page = client.get(PAGE.format(lang="en"), query_string=_month_args(reported, "commune"))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "15,000,000" not in text
    assert "&lt;5" in text
    assert "fewer than 5 establishments" in text
    assert "ADR: revenue divided by the room-nights used" in text
    lines = _csv(
        client.get(PAGE.format(lang="en"), query_string={**_month_args(reported), "format": "csv"})
    )
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Revenue (VND)"] == "<5"
    assert row["Booked through the portal (VND)"] == "<5"
    assert row["Establishments reporting revenue"] == "2"  # coverage is no business figure


@pytest.mark.usefixtures("threshold_one")
def test_the_figures_and_their_definitions(client, reported: Province):
    log_in(client, reported.officer.email)
    lines = _csv(
        client.get(PAGE.format(lang="en"), query_string={**_month_args(reported), "format": "csv"})
    )
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Revenue (VND)"] == "15000000"
    # 15 000 000 over A's 4 and B's 10 room-nights; over their 90 + 90 room-days.
    assert row["ADR (VND per room-night)"] == str(round(15_000_000 / 14))
    assert row["RevPAR (VND per room-day)"] == str(round(15_000_000 / 180))
    assert row["Booked through the portal (VND)"] == "2500000"
    assert row["Coverage, establishments (%)"] == "100.0"
    assert any("Booked through the portal" in " ".join(line) for line in lines[2:])


@pytest.mark.usefixtures("threshold_one")
def test_the_xlsx_in_vietnamese_opens_with_the_figures(client, reported: Province):
    log_in(client, reported.officer.email)
    answer = client.get(
        PAGE.format(lang="vi"),
        query_string={**_month_args(reported, "international"), "format": "xlsx"},
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Tháng", "Quốc tế/nội địa", "Doanh thu (VND)"]
    by_group = {line[1]: line[2] for line in values[1:4]}
    assert by_group == {
        "Tất cả cơ sở lưu trú": 15_000_000,
        "Quốc tế": 2_000_000,
        "Nội địa": 13_000_000,
    }
    table = client.get(
        PAGE.format(lang="vi"), query_string={**_month_args(reported), "format": "csv"}
    )
    assert table.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert _csv(table)[1][1] == "15000000"


def test_the_api_hides_what_the_page_hides(client, db_session, reported: Province):
    answer = client.get(
        API,
        query_string=_month_args(reported, "kind"),
        headers=bearer(db_session, reported.officer),
    )
    assert answer.status_code == 200
    total, hotels = answer.json["rows"]
    assert total["group"] is None
    assert hotels["group"] == "hotel"
    for row in (total, hotels):
        assert row["suppressed"] is True
        assert row["revenue"] is None
        assert row["adr"] is None
        assert row["booked_revenue"] is None
        assert row["reporting_establishments"] == 2


def test_an_owner_gets_their_own_money_from_the_api(client, db_session, reported: Province):
    answer = client.get(
        API, query_string=_month_args(reported), headers=bearer(db_session, reported.owner)
    )
    assert answer.status_code == 200
    (row,) = answer.json["rows"]
    assert (row["revenue"], row["booked_revenue"], row["establishments"]) == (
        12_000_000,
        2_500_000,
        1,
    )
    assert row["adr"] == 3_000_000.0
    assert row["suppressed"] is False


def test_the_api_refuses_wrong_months_and_strangers(client, db_session, reported: Province):
    officer = bearer(db_session, reported.officer)
    for wrong in ({"from": "2026-13"}, {"to": "1999-01"}, {"group": "nationality"}):
        answer = client.get(API, query_string=wrong, headers=officer)
        assert answer.status_code == 400, wrong
    assert (
        client.get(
            API, query_string={"from": "2020-01", "to": "2026-01"}, headers=officer
        ).status_code
        == 400
    )
    assert client.get(API).status_code == 401
    tourist = bearer(db_session, make_user(db_session, Role.TOURIST))
    assert client.get(API, headers=tourist).status_code == 403


def test_the_openapi_document_describes_the_money_endpoint(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][API]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"from", "to", "group"}
    assert "200" in operation["responses"]


def test_only_the_department_sees_the_money_page(client, reported: Province):
    assert client.get(PAGE.format(lang="en")).status_code == 302  # to sign in
    log_in(client, reported.owner.email)
    assert client.get(PAGE.format(lang="en")).status_code == 403


def test_the_dashboard_links_to_the_money_page(client, reported: Province):
    log_in(client, reported.officer.email)
    page = client.get("/en/dashboard/").get_data(as_text=True)
    assert 'href="/en/dashboard/money"' in page


def test_the_owner_sees_their_establishment_money(client, reported: Province):
    log_in(client, reported.owner.email)
    path = f"/en/dashboard/my/establishments/{reported.a.id}"
    page = client.get(path, query_string=reported.month_args)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "12,000,000" in text  # A's own revenue, not B's, not "<5"
    assert "15,000,000" not in text
    assert "RevPAR: revenue divided by the room-days available" in text
    book = client.get(path, query_string={**reported.month_args, "format": "xlsx"})
    sheets = load_workbook(io.BytesIO(book.data)).worksheets
    assert sheets[-1]["B2"].value == 12_000_000


def _report_post(client, province: Province, **form: str):
    path = f"/en/dashboard/my/establishments/{province.a.id}/report"
    month = province.month.strftime("%Y-%m")
    token = csrf_token(client, f"{path}?month={month}")
    return client.post(path, data={"csrf_token": token, "month": month, **form})


def _reports(db_session, province: Province) -> list[MonthlyReport]:
    query = select(MonthlyReport).where(MonthlyReport.establishment_id == province.a.id)
    return list(db_session.scalars(query))


def test_submitting_an_empty_revenue_field_asks_first(client, db_session, province: Province):
    log_in(client, province.owner.email)
    asked = _report_post(client, province, action="submit", revenue_domestic="12.500.000")
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "A revenue field is empty." in text
    assert re.search(r'name="revenue_domestic"[^>]*value="12.500.000"', text)
    assert 'value="submit_empty"' in text
    assert _reports(db_session, province) == []  # nothing kept until the owner decides

    sent = _report_post(client, province, action="submit_empty", revenue_domestic="12.500.000")
    assert sent.status_code == 302
    (report,) = _reports(db_session, province)
    assert report.status is ReportStatus.SUBMITTED
    assert (report.revenue_international, report.revenue_domestic) == (None, 12_500_000)


def test_a_full_report_is_submitted_at_once(client, db_session, province: Province):
    log_in(client, province.owner.email)
    sent = _report_post(
        client, province, action="submit", revenue_international="0", revenue_domestic="1000"
    )
    assert sent.status_code == 302
    (report,) = _reports(db_session, province)
    assert report.status is ReportStatus.SUBMITTED


def test_a_draft_may_keep_empty_fields(client, db_session, province: Province):
    log_in(client, province.owner.email)
    assert _report_post(client, province, action="save").status_code == 302
    (report,) = _reports(db_session, province)
    assert report.status is ReportStatus.DRAFT


@pytest.mark.parametrize("group", ["total", "commune", "kind", "stars", "international"])
def test_the_file_and_the_api_hide_the_same_rows(client, db_session, reported: Province, group):
    log_in(client, reported.officer.email)
    args = _month_args(reported, group)
    rows = client.get(API, query_string=args, headers=bearer(db_session, reported.officer))
    hidden = [row["suppressed"] for row in rows.json["rows"]]
    lines = _csv(client.get(PAGE.format(lang="en"), query_string={**args, "format": "csv"}))
    revenue = lines[0].index("Revenue (VND)")
    assert [line[revenue] == "<5" for line in lines[1 : 1 + len(hidden)]] == hidden
    assert not lines[1 + len(hidden)]  # the table ends there: a blank line, then notes
    assert any(hidden)
