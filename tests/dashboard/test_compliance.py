"""The compliance page: late and overdue declarations, silent places, failed deliveries."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from core.clock import utcnow
from core.outbox.messages import OutboxState
from lodging.properties import services as properties
from tests.dashboard.conftest import Province, at
from tests.factories import declare, log_in, make_establishment, police_reports, stay_input


def test_compliance_lists_overdue_and_late_places_silent_ones_and_failures(
    client, db_session, province: Province
):
    three_days_ago = (utcnow() - dt.timedelta(days=3)).date()
    overdue = declare(
        db_session,
        province.a,
        stay_input(
            arrival=at(three_days_ago, 10), expected_departure=three_days_ago + dt.timedelta(days=5)
        ),
        by=province.owner,
    )
    late = declare(
        db_session,
        province.b,
        stay_input(
            arrival=at(three_days_ago, 10), expected_departure=three_days_ago + dt.timedelta(days=5)
        ),
        by=province.other_owner,
    )
    guest = late.guests[0]
    assert guest.deadline is not None
    guest.reported_at = guest.deadline + dt.timedelta(hours=5)
    quiet = make_establishment(db_session, name="Homestay Bản Lặng")
    police_reports(db_session)[0].state = OutboxState.DEAD
    db_session.commit()

    log_in(client, province.officer.email)
    page = client.get("/en/dashboard/compliance")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    late_section, rest = body.split('id="silent-title"', 1)
    silent_section, channels_section = rest.split('id="channels-title"', 1)
    assert province.a.name in late_section
    assert province.b.name in late_section
    assert overdue.guests[0].full_name not in body  # counts, never guests
    assert quiet.name in silent_section
    assert province.a.name not in silent_section  # declared just now
    assert "Police: citizens" in channels_section
    assert "<td>1</td>" in channels_section  # the dead report counts as failed


def test_a_closed_establishment_is_not_silent(client, db_session, province: Province):
    quiet = make_establishment(db_session, name="Khách sạn Đóng Cửa")
    today = utcnow().date()
    properties.add_closure(
        db_session,
        quiet,
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=10),
        reason="repairs",
    )
    db_session.commit()
    log_in(client, province.officer.email)
    body = client.get("/en/dashboard/compliance").get_data(as_text=True)
    assert quiet.name not in body


def test_compliance_exports_open(client, db_session, province: Province):
    make_establishment(db_session, name="Homestay Bản Lặng")
    log_in(client, province.officer.email)
    response = client.get("/en/dashboard/compliance", query_string={"format": "xlsx"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 3
    silent = [row[0] for row in book.worksheets[1].iter_rows(values_only=True)]
    assert "Homestay Bản Lặng" in silent
    lines = client.get("/en/dashboard/compliance", query_string={"format": "csv", "table": "1"})
    assert "Homestay Bản Lặng" in lines.get_data(as_text=True)
