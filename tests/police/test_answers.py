"""Receipt and rejection: what the officer does, and what the owner sees on the desk."""

from __future__ import annotations

import datetime as dt

from core.clock import utcnow
from lodging.registration import police_answers, services
from lodging.registration.models import Actor, Channel, DocumentType, GuestRole
from tests.factories import TEST_CIPHER, citizen, csrf_token, declare, log_in, stay_input


def _reject(client, stay, path, reason):
    token = csrf_token(client, f"/en/police/stays/{stay.id}")
    data = {"csrf_token": token, "rows-0-path": path, "rows-0-reason": reason}
    return client.post(f"/en/police/stays/{stay.id}/rejection", data=data)


def test_a_rejection_shows_on_the_field_on_the_desk(
    client, db_session, officer, owner, bai_chay_stay
):
    log_in(client, officer.email)
    response = _reject(client, bai_chay_stay, "guests[0].document_number", "Số CCCD sai")
    assert response.status_code == 302
    db_session.refresh(bai_chay_stay.guests[0])
    assert bai_chay_stay.guests[0].report_status == "rejected"

    client.post("/en/logout")
    log_in(client, owner.email)
    desk = client.get(f"/en/desk/?establishment={bai_chay_stay.establishment_id}")
    assert "Document number: Số CCCD sai" in desk.get_data(as_text=True)
    stay_page = client.get(f"/en/desk/stays/{bai_chay_stay.id}").get_data(as_text=True)
    assert "Refused by the police (Phạm Quốc Bảo" in stay_page
    form = client.get(f"/en/desk/stays/{bai_chay_stay.id}/edit").get_data(as_text=True)
    # On the field itself: the document number's error paragraph carries the reason.
    assert 'id="guests-0-document_number-error">Refused by the police: Số CCCD sai' in form


def test_a_correction_supersedes_the_rejection_and_shows_in_the_police_history(
    client, db_session, officer, owner, bai_chay_stay
):
    log_in(client, officer.email)
    _reject(client, bai_chay_stay, "room", "Phòng không tồn tại")
    fixed = stay_input(citizen(), room="102")
    services.correct_stay(
        db_session,
        bai_chay_stay,
        fixed,
        actor=Actor(owner.id, owner.email, Channel.DESK),
        cipher=TEST_CIPHER,
        now=utcnow(),
    )
    db_session.commit()
    assert bai_chay_stay.guests[0].report_status == "queued"
    history = client.get(f"/en/police/stays/{bai_chay_stay.id}").get_data(as_text=True)
    assert "Refused by the police" in history
    assert "101 → 102" in history


def test_a_receipt_marks_the_guests_notified_once(client, db_session, officer, bai_chay_stay):
    log_in(client, officer.email)
    token = csrf_token(client, f"/en/police/stays/{bai_chay_stay.id}")
    client.post(f"/en/police/stays/{bai_chay_stay.id}/receipt", data={"csrf_token": token})
    guest = bai_chay_stay.guests[0]
    db_session.refresh(guest)
    assert guest.report_status == "delivered"
    first = guest.reported_at
    assert first is not None
    police_answers.acknowledge(
        db_session, bai_chay_stay, officer=police_answers.Officer(None, "x"), now=utcnow()
    )
    assert guest.reported_at == first  # never moved later


def test_the_owner_sees_who_received_it(client, db_session, officer, owner, bai_chay_stay):
    log_in(client, officer.email)
    token = csrf_token(client, f"/en/police/stays/{bai_chay_stay.id}")
    client.post(f"/en/police/stays/{bai_chay_stay.id}/receipt", data={"csrf_token": token})
    client.post("/en/logout")
    log_in(client, owner.email)
    page = client.get(f"/en/desk/stays/{bai_chay_stay.id}").get_data(as_text=True)
    assert "Received by the police: Phạm Quốc Bảo" in page


def test_a_rejection_without_reason_is_refused_and_keeps_the_choice(
    client, db_session, officer, bai_chay_stay
):
    log_in(client, officer.email)
    response = _reject(client, bai_chay_stay, "room", "")
    assert response.status_code == 422
    assert "Choose at least one field" in response.get_data(as_text=True)
    assert bai_chay_stay.guests[0].report_status != "rejected"


def test_a_stay_field_concerns_every_guest(db_session, bai_chay):
    head = citizen(role=GuestRole.HEAD)
    child = citizen(
        full_name="Lê Văn B",
        birth_date=dt.date(2015, 1, 1),
        document_type=DocumentType.NONE,
        document_number="",
        role=GuestRole.MEMBER,
        relationship="son",
    )
    stay = declare(db_session, bai_chay, stay_input(head, child))
    answers = police_answers.reject(
        db_session, stay, {"room": "sai"}, officer=police_answers.Officer(None, "x"), now=utcnow()
    )
    assert len(answers) == 2
