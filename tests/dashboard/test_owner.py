"""Owners see their own establishments' figures only, and report each month."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.clock import local_now
from lodging.statistics.monthly_report import MonthlyReport, ReportStatus
from tests.dashboard.conftest import Province
from tests.factories import csrf_token, log_in


def test_owner_sees_only_their_own_figures(client, province: Province):
    log_in(client, province.owner.email)
    page = client.get("/en/dashboard/my/", query_string={**province.month_args, "format": "csv"})
    assert page.status_code == 200
    lines = [line.split(",") for line in page.get_data(as_text=True).splitlines()]
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["\ufeffPeriod"] == province.month.strftime("%Y-%m")
    assert row["Arrivals (overnight)"] == "5"  # A only: B's guest is not theirs
    assert row["Guest-nights"] == "11"
    html = client.get("/en/dashboard/my/", query_string=province.month_args).get_data(as_text=True)
    assert province.a.name in html
    assert province.b.name not in html


def test_owner_cannot_open_another_establishment(client, province: Province):
    log_in(client, province.owner.email)
    assert client.get(f"/en/dashboard/my/establishments/{province.b.id}").status_code == 404
    report = f"/en/dashboard/my/establishments/{province.b.id}/report"
    assert client.get(report).status_code == 404


def _post(client, province: Province, **form: str):
    path = f"/en/dashboard/my/establishments/{province.a.id}/report"
    month = province.month.strftime("%Y-%m")
    token = csrf_token(client, f"{path}?month={month}")
    return client.post(path, data={"csrf_token": token, "month": month, **form})


def _versions(db_session, province: Province) -> list[MonthlyReport]:
    return list(
        db_session.scalars(
            select(MonthlyReport)
            .where(MonthlyReport.establishment_id == province.a.id)
            .order_by(MonthlyReport.version)
        )
    )


def test_monthly_report_submit_lock_and_correct(client, db_session, province: Province):
    log_in(client, province.owner.email)
    month = province.month.strftime("%Y-%m")
    review = client.get(f"/en/dashboard/my/establishments/{province.a.id}/report?month={month}")
    assert review.status_code == 200
    assert "Room-nights used" in review.get_data(as_text=True)

    assert _post(client, province, action="save", revenue_domestic="12.500.000").status_code == 302
    submitted = _post(client, province, action="submit_empty", revenue_domestic="12500000")
    assert submitted.status_code == 302
    first = _versions(db_session, province)
    assert len(first) == 1
    report = first[0]
    assert report.status is ReportStatus.SUBMITTED
    assert (report.overnight_domestic, report.overnight_international) == (3, 2)
    assert (report.same_day_domestic, report.same_day_international) == (0, 0)
    assert (report.nights_domestic, report.nights_international) == (9, 2)
    assert report.room_nights == 4
    assert report.bed_nights == 11
    assert report.revenue_domestic == 12_500_000
    assert report.revenue_international is None

    # Locked: changing it without a reason is refused, nothing new is stored.
    refused = _post(client, province, action="submit", revenue_domestic="1")
    assert refused.status_code == 302
    assert len(_versions(db_session, province)) == 1
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "Say what the correction changes and why." in page

    _post(
        client,
        province,
        action="submit_empty",
        revenue_domestic="13000000",
        correction_reason="typo",
    )
    versions = _versions(db_session, province)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].revenue_domestic == 12_500_000  # history kept as it was
    assert versions[1].revenue_domestic == 13_000_000
    assert versions[1].correction_reason == "typo"
    assert all(v.status is ReportStatus.SUBMITTED for v in versions)
    history = client.get(f"/en/dashboard/my/establishments/{province.a.id}/report?month={month}")
    assert len(re.findall(r'<th scope="row">\d+</th>', history.get_data(as_text=True))) == 2


def test_the_current_month_cannot_be_submitted(client, db_session, province: Province):
    log_in(client, province.owner.email)
    path = f"/en/dashboard/my/establishments/{province.a.id}/report"
    month = local_now().date().strftime("%Y-%m")
    token = csrf_token(client, f"{path}?month={month}")
    client.post(path, data={"csrf_token": token, "month": month, "action": "submit"})
    assert _versions(db_session, province) == []
