"""Thirty minutes before a deadline, an undelivered report e-mails the people at the desk."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.outbox.mail import MAIL_KIND
from core.outbox.messages import OutboxMessage, handlers_of
from core.outbox.periodic import PeriodicRunner, periodic_tasks
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration.alert_mail import alert_composer
from lodging.registration.alerts import DeadlineAlert, due_alerts, enqueue_deadline_alerts
from lodging.registration.models import Stay
from tests.factories import declare, foreigner, make_user, stay_input
from tests.smtp_server import Inbox


def plain(alert: DeadlineAlert) -> tuple[str, str]:
    return f"stay {alert.stay_id}", f"{alert.guests} guests"


def due_in(session: Session, hotel: Establishment, minutes: int) -> Stay:
    """A foreign guest (12-hour rule) whose report is due in ``minutes``."""
    arrival = utcnow() - dt.timedelta(hours=12) + dt.timedelta(minutes=minutes)
    return declare(session, hotel, stay_input(foreigner(), arrival=arrival))


def mails(session: Session) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == MAIL_KIND)
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_a_report_due_in_ten_minutes_alerts_everyone_at_the_hotel_once(
    db_session: Session, hotel: Establishment, owner: User
) -> None:
    staff = make_user(db_session, Role.LODGING_STAFF)
    properties.add_member(db_session, hotel, staff, now=utcnow())
    due_in(db_session, hotel, minutes=10)
    assert enqueue_deadline_alerts(db_session, utcnow(), plain) == 2
    assert sorted(m.payload["to"][0] for m in mails(db_session)) == sorted(
        [owner.email, staff.email]
    )
    assert enqueue_deadline_alerts(db_session, utcnow(), plain) == 0
    assert len(mails(db_session)) == 2


def test_a_distant_deadline_or_a_delivered_report_alerts_nobody(
    db_session: Session, hotel: Establishment
) -> None:
    due_in(db_session, hotel, minutes=45)
    delivered = due_in(db_session, hotel, minutes=10)
    for guest in delivered.guests:
        guest.report_status = "delivered"
        guest.reported_at = utcnow()  # what the feed worker does with it
    db_session.flush()
    assert due_alerts(db_session, utcnow()) == []


def test_an_overdue_report_still_alerts_until_a_day_has_passed(
    db_session: Session, hotel: Establishment
) -> None:
    due_in(db_session, hotel, minutes=-120)
    assert len(due_alerts(db_session, utcnow())) == 1
    assert due_alerts(db_session, utcnow() + dt.timedelta(days=1)) == []


def test_the_email_speaks_the_readers_language_and_names_no_guest(
    app: Flask, db_session: Session, hotel: Establishment, owner: User
) -> None:
    owner.locale = "en"
    stay = due_in(db_session, hotel, minutes=10)
    [alert] = due_alerts(db_session, utcnow())
    subject, text = alert_composer(app, "https://portal.example")(alert)
    assert subject.startswith(f"1 guest at {hotel.name} is not reported yet")
    assert f"https://portal.example/en/desk/stays/{stay.id}" in text
    assert f"https://portal.example/en/desk/{hotel.id}/fallback/na17.xlsx" in text
    assert "register.xlsx" not in text  # no Vietnamese guest in this stay
    assert "KIM" not in subject + text
    assert "M12345678" not in subject + text


def test_the_worker_task_queues_the_alert_and_the_mail_handler_sends_it(
    app: Flask, db_session: Session, hotel: Establishment, owner: User, inbox: Inbox
) -> None:
    due_in(db_session, hotel, minutes=10)
    PeriodicRunner(periodic_tasks(app)).run_due(db_session, utcnow())
    [message] = mails(db_session)
    route = handlers_of(app).route_for(message.kind)
    assert route is not None
    outcome = route.handler(db_session, message, utcnow())
    assert outcome.kind == "delivered", outcome
    [received] = inbox.messages
    assert received["To"] == owner.email
    assert hotel.name in received["Subject"]
