"""Who a monthly report reminder is written to, and in which language."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.roles import Role
from core.clock import local_now, utcnow
from lodging.statistics import report_reminders
from lodging.statistics.report_reminders import Officer, ReminderError, ReminderResult
from tests.factories import make_establishment, make_user


def test_owners_and_staff_by_language_and_never_the_inactive(db_session):
    owner = make_user(db_session, Role.LODGING_OWNER, locale="en")
    staff = make_user(db_session, Role.LODGING_STAFF)
    gone = make_user(db_session, Role.LODGING_STAFF)
    odd = make_user(db_session, Role.LODGING_STAFF, locale="xx")
    place = make_establishment(db_session, owner=owner, staff=(staff, gone, odd))
    gone.active = False
    db_session.commit()
    assert report_reminders.recipients(db_session, place) == {
        "en": [owner.email],
        "vi": [staff.email, odd.email],  # an unknown language falls back to Vietnamese
    }


def test_with_nobody_working_there_the_place_s_own_address(db_session):
    place = make_establishment(db_session, email="le-tan@bienxanh.example")
    assert report_reminders.recipients(db_session, place) == {"vi": ["le-tan@bienxanh.example"]}
    assert report_reminders.recipients(db_session, make_establishment(db_session)) == {}


def test_a_month_not_over_is_refused(db_session):
    officer = make_user(db_session, Role.TOURISM_OFFICER)
    place = make_establishment(db_session, owner=make_user(db_session, Role.LODGING_OWNER))
    today = local_now().date()
    with pytest.raises(ReminderError):
        report_reminders.remind(
            db_session,
            place,
            today.year,
            today.month,
            now=utcnow(),
            today=today,
            by=Officer(officer.id, officer.email),
            compose=lambda _reminder: ("subject", "text"),
        )
    last = today.replace(day=1) - dt.timedelta(days=1)
    result = report_reminders.remind(
        db_session,
        place,
        last.year,
        last.month,
        now=utcnow(),
        today=today,
        by=Officer(officer.id, officer.email),
        compose=lambda _reminder: ("subject", "text"),
    )
    assert result is ReminderResult.QUEUED
