"""Officers remind the establishments whose monthly report is missing, by e-mail.

The e-mail goes through the outbox, in the officer's transaction, and reaches a real
SMTP server when a worker runs; not twice in 24 hours for the same month.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from core.audit import AuditEntry
from core.clock import local_now
from core.outbox.mail import MAIL_KIND
from core.outbox.messages import OutboxMessage
from lodging.statistics.report_reminders import ReportReminder
from tests.dashboard.conftest import Reporting
from tests.factories import csrf_token, deliver_due, log_in
from tests.smtp_server import Inbox

REMIND = "/en/dashboard/reports/remind"


def _remind(client, reporting: Reporting, target: str):
    token = csrf_token(client, f"/en/dashboard/reports?month={reporting.month}")
    response = client.post(
        REMIND, data={"csrf_token": token, "month": reporting.month, "establishment_id": target}
    )
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def _reminders(db_session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.kind == MAIL_KIND, OutboxMessage.key.startswith("mail:report-reminder:")
    )
    return list(db_session.scalars(query.order_by(OutboxMessage.id)))


def test_a_reminder_reaches_the_owner_in_their_language_with_a_link(
    app, client, db_session, reporting: Reporting, inbox: Inbox
):
    log_in(client, reporting.province.officer.email)
    page = _remind(client, reporting, str(reporting.e.id))
    assert f"A reminder is on its way to {reporting.e.name}." in page
    [queued] = _reminders(db_session)
    assert queued.payload["to"] == [reporting.e_owner.email]
    [outcome] = deliver_due(app, db_session, channels=["mail"])
    assert outcome is not None
    assert outcome.kind == "delivered"
    [received] = inbox.messages
    assert received["To"] == reporting.e_owner.email
    assert received["Subject"] == (
        f"Nhắc nộp: báo cáo thống kê tháng {reporting.month} của {reporting.e.name}"
    )
    body = received.get_content()
    public = app.config["PORTAL_SETTINGS"].public_url.rstrip("/")
    link = (
        f"{public}/vi/dashboard/my/establishments/{reporting.e.id}/report?month={reporting.month}"
    )
    assert link in body
    assert "Sở Du lịch chưa nhận được báo cáo" in body
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "statistics.report_reminder")
    ).one()
    assert entry.target_id == str(reporting.e.id)
    assert entry.actor_id == reporting.province.officer.id


def test_the_page_shows_the_last_reminder(client, db_session, reporting: Reporting):
    log_in(client, reporting.province.officer.email)
    before = client.get(f"/en/dashboard/reports?month={reporting.month}").get_data(as_text=True)
    assert "Reminded in the last 24 hours" not in before
    page = _remind(client, reporting, str(reporting.e.id))
    assert "Reminded in the last 24 hours" in page


def test_an_owner_who_reads_english_gets_it_in_english(
    app, client, db_session, reporting: Reporting, inbox: Inbox
):
    log_in(client, reporting.province.officer.email)
    _remind(client, reporting, str(reporting.c.id))
    deliver_due(app, db_session, channels=["mail"])
    [received] = inbox.messages
    assert received["Subject"] == (
        f"Reminder: the monthly statistics report of {reporting.c.name} for {reporting.month}"
    )
    assert f"/en/dashboard/my/establishments/{reporting.c.id}/report" in received.get_content()


def test_not_twice_within_24_hours(client, db_session, reporting: Reporting):
    log_in(client, reporting.province.officer.email)
    _remind(client, reporting, str(reporting.e.id))
    again = _remind(client, reporting, str(reporting.e.id))
    assert "was reminded less than 24 hours ago; no new reminder was sent." in again
    assert len(_reminders(db_session)) == 1
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    db_session.execute(update(ReportReminder).values(sent_at=yesterday))
    db_session.commit()
    _remind(client, reporting, str(reporting.e.id))
    assert len(_reminders(db_session)) == 2


def test_remind_all_missing_skips_the_submitted_and_says_who_has_no_address(
    client, db_session, reporting: Reporting
):
    log_in(client, reporting.province.officer.email)
    page = _remind(client, reporting, "all")
    assert "2 reminders are on their way." in page
    assert "1 establishment has no e-mail address." in page
    recipients = sorted(address for m in _reminders(db_session) for address in m.payload["to"])
    assert recipients == sorted([reporting.c_owner.email, reporting.e_owner.email])
    again = _remind(client, reporting, "all")
    assert "on their way" not in again
    assert "2 establishments were reminded less than 24 hours ago and were left out." in again
    assert len(_reminders(db_session)) == 2


def test_a_submitted_or_unreachable_establishment_is_not_reminded(
    client, db_session, reporting: Reporting
):
    log_in(client, reporting.province.officer.email)
    done = _remind(client, reporting, str(reporting.province.a.id))
    assert "has submitted this month&#39;s report already." in done
    unreachable = _remind(client, reporting, str(reporting.d.id))
    assert "has no e-mail address: no reminder was sent." in unreachable
    assert _reminders(db_session) == []


def test_a_month_not_over_cannot_be_reminded_of(client, db_session, reporting: Reporting):
    log_in(client, reporting.province.officer.email)
    month = local_now().strftime("%Y-%m")
    token = csrf_token(client, "/en/dashboard/reports")
    response = client.post(
        REMIND, data={"csrf_token": token, "month": month, "establishment_id": "all"}
    )
    assert "This month cannot be reported yet." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert _reminders(db_session) == []


def test_without_a_csrf_token_nothing_is_sent(client, db_session, reporting: Reporting):
    log_in(client, reporting.province.officer.email)
    response = client.post(REMIND, data={"month": reporting.month, "establishment_id": "all"})
    assert response.status_code == 400
    assert _reminders(db_session) == []
