"""The owners' monthly report as a service: figures from the ledger, lock, versions."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.roles import Role
from core.clock import VIETNAM, local_now, utcnow
from lodging.statistics import monthly_report as reports
from lodging.statistics.monthly_figures import month_range
from tests.factories import citizen, declare, make_establishment, make_user, stay_input


def _last_month() -> tuple[int, int]:
    last = local_now().date().replace(day=1) - dt.timedelta(days=1)
    return last.year, last.month


@pytest.fixture
def hotel(db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    year, month = _last_month()
    first, _last = month_range(year, month)
    arrival = dt.datetime.combine(first, dt.time(15), tzinfo=VIETNAM)
    declare(db_session, hotel, stay_input(arrival=arrival, expected_departure=first), by=owner)
    two_nights = stay_input(
        citizen(document_number="001190012399"),
        room="102",
        arrival=arrival,
        expected_departure=first + dt.timedelta(days=2),
    )
    declare(db_session, hotel, two_nights, by=owner)
    return hotel, owner


def _save(db_session, hotel, owner, **overrides):
    year, month = _last_month()
    values = {
        "revenue": (None, 4_000_000),
        "correction_reason": "",
        "by_id": owner.id,
        "now": utcnow(),
        "today": local_now().date(),
    }
    values.update(overrides)
    return reports.save_draft(db_session, hotel, year, month, **values)


def test_a_day_use_guest_is_same_day_not_overnight(db_session, hotel):
    place, owner = hotel
    draft = _save(db_session, place, owner)
    assert (draft.overnight_domestic, draft.same_day_domestic) == (1, 1)
    assert draft.nights_domestic == 2
    assert draft.room_nights == 2
    assert draft.bed_nights == 2
    assert draft.status is reports.ReportStatus.DRAFT


def test_submitted_versions_are_locked_and_corrections_need_a_reason(db_session, hotel):
    place, owner = hotel
    first = reports.submit(
        db_session, _save(db_session, place, owner), by_id=owner.id, now=utcnow()
    )
    with pytest.raises(reports.ReportError):
        reports.submit(db_session, first, by_id=owner.id, now=utcnow())
    with pytest.raises(reports.ReportError, match="correction"):
        _save(db_session, place, owner)
    second = _save(db_session, place, owner, correction_reason="forgot the restaurant")
    assert second.version == 2
    assert first.status is reports.ReportStatus.SUBMITTED


def test_negative_revenue_and_unfinished_months_are_refused(db_session, hotel):
    place, owner = hotel
    with pytest.raises(reports.ReportError):
        _save(db_session, place, owner, revenue=(-1, None))
    today = local_now().date()
    with pytest.raises(reports.ReportError):
        reports.save_draft(
            db_session,
            place,
            today.year,
            today.month,
            revenue=(None, None),
            correction_reason="",
            by_id=owner.id,
            now=utcnow(),
            today=today,
        )


def test_in_force_is_the_newest_submitted_version_of_each_establishment(db_session, hotel):
    place, owner = hotel
    year, month = _last_month()
    other = make_establishment(db_session, owner=owner)
    assert reports.in_force(db_session, year, month) == {}
    first = reports.submit(
        db_session, _save(db_session, place, owner), by_id=owner.id, now=utcnow()
    )
    correction = _save(db_session, place, owner, correction_reason="Revenue was missing")
    assert reports.in_force(db_session, year, month) == {place.id: first}
    reports.submit(db_session, correction, by_id=owner.id, now=utcnow())
    assert reports.in_force(db_session, year, month) == {place.id: correction}
    assert reports.in_force(db_session, year, month, [other.id]) == {}
    assert reports.in_force(db_session, year, month - 1 if month > 1 else 12) == {}
