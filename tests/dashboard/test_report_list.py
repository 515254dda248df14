"""Officers see who has sent the month's report, in time or late, and every version."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.auth.roles import Role
from core.clock import VIETNAM, local_now
from lodging.statistics import report_status
from lodging.statistics.monthly_report import history
from lodging.statistics.report_status import ReportState
from lodging.statistics.report_versions import changes
from tests.dashboard.conftest import Reporting, report_month
from tests.factories import csrf_token, log_in, make_user


def _page(client, reporting: Reporting, lang: str = "en", **args: str) -> str:
    response = client.get(
        f"/{lang}/dashboard/reports", query_string={"month": reporting.month, **args}
    )
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_each_establishment_has_its_state_and_the_missing_come_first(db_session, reporting):
    p = reporting.province
    rows = report_status.month_reports(db_session, *report_month(p))
    states = {row.name: row.state for row in rows}
    assert states == {
        p.a.name: ReportState.ON_TIME,
        p.b.name: ReportState.LATE,
        reporting.c.name: ReportState.DRAFT,
        reporting.d.name: ReportState.NOTHING,
        reporting.e.name: ReportState.NOTHING,
    }
    assert [row.state for row in rows[:3]] == [
        ReportState.NOTHING,
        ReportState.NOTHING,
        ReportState.DRAFT,
    ]
    a = next(row for row in rows if row.establishment_id == p.a.id)
    assert (a.in_force_version, a.versions) == (2, 2)
    assert a.in_force_submitted_by == p.owner.full_name
    assert a.first_submitted_at is not None
    assert a.in_force_submitted_at is not None
    assert a.first_submitted_at < a.in_force_submitted_at  # in time: judged on v1
    tally = report_status.tally(rows)
    assert (tally.submitted, tally.late, tally.missing) == (2, 1, 3)  # A's correction once


def test_the_deadline_is_the_end_of_the_twelfth_of_the_next_month_in_vietnam():
    assert report_status.deadline(2026, 12) == dt.datetime(2027, 1, 13, tzinfo=VIETNAM)
    assert report_status.due_day(2026, 1) == dt.date(2026, 2, 12)


def test_the_page_counts_and_lists_with_filters(client, db_session, reporting):
    p = reporting.province
    log_in(client, p.officer.email)
    html = _page(client, reporting)
    counts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", html)
    assert counts == [("Submitted", "2"), ("Of which late", "1"), ("Not submitted", "3")]
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)
    assert names[-1] == p.a.name
    assert set(names[:2]) == {reporting.d.name, reporting.e.name}
    assert "Submitted late" in html
    assert "Draft only" in html
    assert "No e-mail address" in html  # D
    assert "v2" in html
    late_only = _page(client, reporting, status="late")
    assert p.b.name in late_only
    assert p.a.name not in late_only
    elsewhere = _page(client, reporting, commune="1")
    assert "No establishment matches these filters." in elsewhere


def test_the_dashboard_navigation_links_to_the_reports(client, reporting):
    log_in(client, reporting.province.officer.email)
    html = client.get("/en/dashboard/").get_data(as_text=True)
    assert 'href="/en/dashboard/reports"' in html


@pytest.mark.parametrize("month", ["2026-13", "yesterday", "1999-01", "20261"])
def test_a_month_not_understood_shows_last_month_with_a_message(client, reporting, month):
    log_in(client, reporting.province.officer.email)
    response = client.get("/en/dashboard/reports", query_string={"month": month})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The month was not understood; last month is shown." in html
    last = local_now().date().replace(day=1) - dt.timedelta(days=1)
    assert f'value="{last:%Y-%m}"' in html


@pytest.mark.parametrize("ahead", [0, 40])
def test_this_month_and_the_future_cannot_be_reported_yet(client, reporting, ahead):
    log_in(client, reporting.province.officer.email)
    month = (local_now().date() + dt.timedelta(days=ahead)).strftime("%Y-%m")
    html = client.get("/en/dashboard/reports", query_string={"month": month}).get_data(as_text=True)
    assert f"{month} is not over yet" in html
    assert "Send reminder" not in html


def test_the_versions_page_shows_only_what_the_correction_changed(client, reporting):
    p = reporting.province
    log_in(client, p.officer.email)
    path = f"/en/dashboard/establishments/{p.a.id}/reports"
    html = client.get(path, query_string={"month": reporting.month}).get_data(as_text=True)
    first, correction = html.split('id="version-2"')
    assert "Version 1" in first
    assert "In force" not in first
    assert "In force" in correction
    assert "Room-nights used" in first  # the first version in full
    assert "Quên doanh thu khách quốc tế" in correction
    changed = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>', correction
    )
    assert changed == [("Net revenue from international guests (VND)", "—", "2,000,000")]
    assert f"by {p.owner.full_name}" in correction


def test_changes_lists_the_differing_fields_only(db_session, reporting):
    p = reporting.province
    v2, v1 = history(db_session, p.a.id, *report_month(p))
    assert [c.field for c in changes(v1, v2)] == ["revenue_international"]
    assert changes(v1, v1) == ()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_new_pages_render_in_vietnamese_and_english(client, reporting, lang):
    p = reporting.province
    log_in(client, p.officer.email, lang=lang)
    listing = _page(client, reporting, lang=lang)
    versions = client.get(
        f"/{lang}/dashboard/establishments/{p.a.id}/reports",
        query_string={"month": reporting.month},
    )
    assert versions.status_code == 200
    empty = client.get(
        f"/{lang}/dashboard/establishments/{reporting.d.id}/reports",
        query_string={"month": reporting.month},
    )
    assert empty.status_code == 200
    if lang == "vi":
        assert "Nộp muộn" in listing
        assert "Nhắc tất cả cơ sở chưa nộp" in listing
        assert "Phiên bản 2" in versions.get_data(as_text=True)
        assert "Chưa có gì được lưu hay nộp" in empty.get_data(as_text=True)
    else:
        assert "Remind all missing" in listing
        assert "Nothing has been saved or submitted" in empty.get_data(as_text=True)


@pytest.mark.parametrize(
    "role", [Role.LODGING_OWNER, Role.LODGING_STAFF, Role.POLICE, Role.TOURIST]
)
def test_only_the_department_sees_the_reports(client, db_session, reporting, role):
    p = reporting.province
    user = p.owner if role is Role.LODGING_OWNER else make_user(db_session, role)
    log_in(client, user.email)
    paths = ["/en/dashboard/reports", f"/en/dashboard/establishments/{p.a.id}/reports"]
    for path in paths:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/en/account")
    refused = client.post(
        "/en/dashboard/reports/remind",
        data={"csrf_token": token, "month": reporting.month, "establishment_id": "all"},
    )
    assert refused.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, reporting):
    p = reporting.province
    for path in ["/en/dashboard/reports", f"/en/dashboard/establishments/{p.a.id}/reports"]:
        response = client.get(path)
        assert response.status_code == 302
        assert "/en/login" in response.headers["Location"]
