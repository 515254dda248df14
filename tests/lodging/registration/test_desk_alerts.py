"""The desk's deadline alerts: a report not confirmed 30 minutes before its deadline."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.clock import utcnow
from core.outbox.messages import OutboxMessage, OutboxState
from lodging.properties.models import Establishment
from lodging.registration.models import Guest, GuestRole, Stay
from lodging.registration.reports import police_channel, report_key
from tests.factories import (
    citizen,
    declare,
    foreigner,
    log_in,
    make_establishment,
    stay_input,
)


@pytest.fixture
def desk(client: FlaskClient, owner: User, hotel: Establishment) -> FlaskClient:
    log_in(client, owner.email)
    return client


def guest_due_in(
    session: Session, hotel: Establishment, minutes: int, *, name: str, room: str = "101"
) -> Guest:
    """A citizen declared now whose report is due in ``minutes`` (negative: overdue)."""
    stay = declare(session, hotel, stay_input(citizen(full_name=name), room=room))
    guest = stay.guests[0]
    guest.deadline = utcnow() + dt.timedelta(minutes=minutes)
    session.commit()
    return guest


def desk_page(client: FlaskClient, lang: str = "en") -> str:
    response = client.get(f"/{lang}/desk/")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def alert_of(page: str) -> str:
    """The deadline alert's text, or "" when the page has none."""
    found = re.search(r'<section class="deadline-alert" role="alert".*?</section>', page, re.S)
    return found.group(0) if found else ""


def report_of(session: Session, stay: Stay) -> OutboxMessage:
    message = session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.key == report_key(stay.events[0].id, police_channel(stay.guests[0]))
        )
    )
    assert message is not None
    return message


def test_a_report_due_in_20_minutes_raises_the_alert_with_the_register(desk, db_session, hotel):
    guest_due_in(db_session, hotel, 20, name="Lê Văn Gấp")

    alert = alert_of(desk_page(desk))

    assert "Lê Văn Gấp" in alert
    assert re.search(r"(19|20) min left", alert)
    assert "has not confirmed delivery" in alert
    assert "Waiting to be sent" in alert
    assert f"/en/desk/{hotel.id}/fallback/register.xlsx" in alert
    assert "hand it to the commune police" in alert
    assert "fallback/na17.xlsx" not in alert  # no foreigner is due


def test_a_foreigner_due_soon_gets_the_na17_file_and_its_instruction(desk, db_session, hotel):
    stay = declare(db_session, hotel, stay_input(foreigner()))
    stay.guests[0].deadline = utcnow() + dt.timedelta(minutes=10)
    db_session.commit()

    alert = alert_of(desk_page(desk))

    assert "KIM MIN-JUN" in alert
    assert f"/en/desk/{hotel.id}/fallback/na17.xlsx" in alert
    assert "immigration office" in alert
    assert "fallback/register.xlsx" not in alert


def test_an_overdue_report_is_in_the_alert(desk, db_session, hotel):
    guest_due_in(db_session, hotel, -45, name="Phạm Thị Trễ")

    alert = alert_of(desk_page(desk))

    assert "Phạm Thị Trễ" in alert
    assert "overdue by 45 min" in alert or "overdue by 44 min" in alert


def test_no_alert_for_a_report_due_in_3_hours(desk, db_session, hotel):
    guest_due_in(db_session, hotel, 180, name="Võ Văn Thong Thả")

    page = desk_page(desk)

    assert alert_of(page) == ""
    assert "Võ Văn Thong Thả" in page  # still listed as not reported yet


def test_no_alert_for_a_delivered_report_even_near_its_deadline(desk, db_session, hotel):
    guest = guest_due_in(db_session, hotel, 20, name="Đỗ Thị Đã Gửi")
    guest.report_status = OutboxState.DELIVERED.value
    guest.reported_at = utcnow()  # what the feed worker does with it
    db_session.commit()

    assert alert_of(desk_page(desk)) == ""


def test_only_the_guests_due_soon_are_named_in_the_alert(desk, db_session, hotel):
    guest_due_in(db_session, hotel, 20, name="Lê Văn Gấp")
    guest_due_in(db_session, hotel, 180, name="Võ Văn Thong Thả", room="102")

    alert = alert_of(desk_page(desk))

    assert "Lê Văn Gấp" in alert
    assert "Võ Văn Thong Thả" not in alert


def test_another_establishments_late_guest_is_not_in_the_alert(desk, db_session, hotel):
    elsewhere = make_establishment(db_session)
    guest_due_in(db_session, elsewhere, 10, name="Khách Nơi Khác")

    page = desk_page(desk)

    assert "Khách Nơi Khác" not in page
    assert alert_of(page) == ""


def test_a_refusal_shows_the_receivers_field_errors_on_the_desk(desk, db_session, hotel):
    head = citizen(full_name="Nguyễn Văn Chủ", role=GuestRole.HEAD)
    wife = citizen(
        full_name="Trần Thị Vợ",
        role=GuestRole.MEMBER,
        relationship="vợ",
        document_number="001190012346",
    )
    stay = declare(db_session, hotel, stay_input(head, wife))
    message = report_of(db_session, stay)
    message.state = OutboxState.REJECTED
    message.errors = {
        "guests[1].document_number": "Số định danh không tồn tại",
        "guests[0].birth_date": "Ngày sinh không khớp",
        "vn-luutru:police_unit": "Đơn vị không nhận",
    }
    for guest in stay.guests:
        guest.report_status = OutboxState.REJECTED.value
    db_session.commit()

    page = desk_page(desk)
    # Her entry in the list of guests not reported yet, down to its list of errors.
    wife_entry = re.search(r'<span class="names">Trần Thị Vợ.*?</ul>', page, re.S)

    assert "Refused by the receiver" in page
    assert wife_entry is not None
    assert "Document number: Số định danh không tồn tại" in wife_entry.group(0)
    assert "vn-luutru:police_unit: Đơn vị không nhận" in wife_entry.group(0)
    assert "Ngày sinh không khớp" not in wife_entry.group(0)  # the head's, not hers
    assert "Date of birth: Ngày sinh không khớp" in page
    assert f"/en/desk/stays/{stay.id}/edit" in page


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (OutboxState.SENDING, "Being sent now"),
        (OutboxState.UNVERIFIED, "Sent, but the receiver has not confirmed it"),
        (OutboxState.DEAD, "Failed after all retries"),
    ],
)
def test_each_delivery_state_is_said_in_words(desk, db_session, hotel, state, words):
    guest = guest_due_in(db_session, hotel, 20, name="Lê Văn Gấp")
    message = report_of(db_session, guest.stay)
    message.state = state
    message.last_error = "connection refused" if state is not OutboxState.SENDING else ""
    guest.report_status = state.value
    db_session.commit()

    page = desk_page(desk)

    assert words in alert_of(page)
    if state is not OutboxState.SENDING:
        assert "Last error: connection refused" in page


def test_the_alert_renders_in_vietnamese(client, db_session, owner, hotel):
    log_in(client, owner.email, lang="vi")
    guest_due_in(db_session, hotel, 20, name="Lê Văn Gấp")
    declare(db_session, hotel, stay_input(foreigner(), room="102"))

    page = desk_page(client, lang="vi")

    assert "Lê Văn Gấp" in alert_of(page)
    assert f"/vi/desk/{hotel.id}/fallback/register.xlsx" in page
    assert f"/vi/desk/{hotel.id}/fallback/na17.xlsx" in page
