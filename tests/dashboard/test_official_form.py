"""The official monthly form's downloads: the demo's last month, who may download what.

The demo is loaded as ``flask demo load`` would on 10 April 2026, so its last month is
March 2026 whatever today is, and the province's form must match its golden file in
every language (the form itself is Vietnamese).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.roles import Role
from core.demo import demo_account, load_demo_accounts
from core.i18n import LOCALE_CODES
from lodging.properties.demo import DEMO_PLACES, OWNER_PASSWORD, load_demo_establishments
from lodging.properties.models import Establishment
from lodging.registration.models import Stay
from lodging.statistics import demo as statistics_demo
from lodging.statistics.monthly_report import MonthlyReport
from portal.dashboard.exports import XLSX_TYPE
from tests.factories import log_in
from tests.lodging.statistics.official_form_cells import matches_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
DEMO_NOW = dt.datetime(2026, 4, 10, 3, 0, tzinfo=dt.UTC)
MONTH = "2026-03"


def _load(app: Flask, session: Session) -> None:
    with app.app_context():
        for loader in (load_demo_accounts, load_demo_establishments):
            loader(session, DEMO_NOW)
        statistics_demo.load_demo_month(session, DEMO_NOW)
    session.commit()


@pytest.fixture
def demo(app: Flask, db_session: Session) -> dict[str, Establishment]:
    """The demo's places by name, with March 2026 loaded."""
    _load(app, db_session)
    return {p.name: p for p in db_session.scalars(select(Establishment))}


def _officer(client: FlaskClient, lang: str = "en") -> None:
    email, password, _name = demo_account(Role.TOURISM_OFFICER)
    log_in(client, email, password, lang=lang)


def _owner_of(client: FlaskClient, name: str) -> None:
    email = next(p.owner_email for p in DEMO_PLACES if p.place.name == name)
    log_in(client, email, OWNER_PASSWORD)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demo_months_province_form_matches_its_golden_file(client, demo, lang):
    _officer(client, lang)
    response = client.get(f"/{lang}/dashboard/reports/form.xlsx?month={MONTH}")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == [XLSX_TYPE]
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="bieu-01cs-ltdl-2026-03.xlsx"'
    )
    assert matches_golden(response.data, GOLDEN / "official-form-demo-2026-03.json")


def test_the_form_is_the_same_file_in_every_language(client, demo):
    _officer(client)
    files = {
        lang: client.get(f"/{lang}/dashboard/reports/form.xlsx?month={MONTH}").data
        for lang in LOCALE_CODES
    }
    assert len(set(files.values())) == 1, "the official form does not follow the page's language"


def test_the_demo_month_has_a_gap_and_a_correction(db_session, demo):
    reports = db_session.scalars(select(MonthlyReport).where(MonthlyReport.month == 3)).all()
    by_place = {(r.establishment_id, r.version) for r in reports}
    assert (demo[statistics_demo.CORRECTED_PLACE].id, 2) in by_place
    assert not any(r.establishment_id == demo[statistics_demo.SILENT_PLACE].id for r in reports)
    assert len({r.establishment_id for r in reports}) == len(DEMO_PLACES) - 1


def test_loading_the_demo_month_twice_adds_nothing(app, db_session, demo):
    counts = (
        db_session.scalar(select(func.count(Stay.id))),
        db_session.scalar(select(func.count(MonthlyReport.id))),
    )
    with app.app_context():
        lines = statistics_demo.load_demo_month(db_session, DEMO_NOW)
    assert "already there" in lines[0]
    assert counts == (
        db_session.scalar(select(func.count(Stay.id))),
        db_session.scalar(select(func.count(MonthlyReport.id))),
    )


def test_an_owner_downloads_their_own_form_and_not_anothers(client, demo):
    own = demo[statistics_demo.CORRECTED_PLACE]
    other = demo[DEMO_PLACES[0].place.name]
    _owner_of(client, own.name)
    page = client.get(f"/en/dashboard/my/establishments/{own.id}/report?month={MONTH}")
    assert f"/en/dashboard/my/establishments/{own.id}/form.xlsx?month={MONTH}" in page.text
    assert "version 2" in page.text
    response = client.get(f"/en/dashboard/my/establishments/{own.id}/form.xlsx?month={MONTH}")
    assert response.status_code == 200
    assert response.headers.getlist("Content-Type") == [XLSX_TYPE]
    theirs = client.get(f"/en/dashboard/my/establishments/{other.id}/form.xlsx?month={MONTH}")
    assert theirs.status_code == 404
    assert "There is no such establishment" in theirs.text
    assert client.get(f"/en/dashboard/reports/form.xlsx?month={MONTH}").status_code == 403
    assert client.get(f"/en/dashboard/establishments/{own.id}/form.xlsx").status_code == 403


def test_a_place_that_did_not_submit_says_so_instead_of_a_file(client, demo):
    silent = demo[statistics_demo.SILENT_PLACE]
    _owner_of(client, silent.name)
    page = client.get(f"/en/dashboard/my/establishments/{silent.id}/report?month={MONTH}")
    assert "form.xlsx" not in page.text
    assert "once a version of this month" in page.text
    response = client.get(f"/en/dashboard/my/establishments/{silent.id}/form.xlsx?month={MONTH}")
    assert response.status_code == 404
    assert "has submitted no report for 2026-03" in response.text


def test_an_officer_downloads_any_establishments_form(client, demo):
    _officer(client)
    place = demo[statistics_demo.CORRECTED_PLACE]
    page = client.get(f"/en/dashboard/establishments/{place.id}").text
    assert f"/en/dashboard/establishments/{place.id}/form.xlsx" in page
    summary = client.get(f"/en/dashboard/summary?month={MONTH}").text
    assert f"/en/dashboard/reports/form.xlsx?month={MONTH}" in summary
    response = client.get(f"/vi/dashboard/establishments/{place.id}/form.xlsx?month={MONTH}")
    assert response.status_code == 200
    assert f"establishment-{place.id}.xlsx" in response.headers["Content-Disposition"]
    assert client.get("/en/dashboard/establishments/999999/form.xlsx").status_code == 404


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "There is no such month"),
        ("March", "There is no such month"),
        ("2999-01", "once the month is over"),
    ],
)
def test_a_bad_month_gets_a_message_not_an_error(client, demo, month, message):
    _officer(client)
    response = client.get(f"/en/dashboard/reports/form.xlsx?month={month}")
    assert response.status_code == 400
    assert message in response.text


def test_anonymous_visitors_are_sent_to_sign_in(client, demo):
    place = demo[statistics_demo.CORRECTED_PLACE]
    for path in (
        "/en/dashboard/reports/form.xlsx",
        f"/en/dashboard/establishments/{place.id}/form.xlsx",
        f"/en/dashboard/my/establishments/{place.id}/form.xlsx",
    ):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
