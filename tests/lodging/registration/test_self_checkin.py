"""Self check-in: the poster, the guests' own forms, and the staff's confirmation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from core.audit import AuditEntry
from core.auth.roles import Role
from core.clock import local_now, utcnow
from lodging.registration import sealed, services
from lodging.registration.models import (
    Actor,
    Channel,
    ConfirmationMethod,
    Guest,
    GuestRole,
    Stay,
    StayEvent,
    StayStatus,
)
from lodging.registration.mrz import check_digit
from tests.factories import (
    TEST_CIPHER,
    csrf_token,
    declare,
    log_in,
    make_establishment,
    make_user,
    police_reports,
)

TODAY = local_now().date()


def korean_guest(**overrides: str) -> dict[str, str]:
    """What a Korean tourist types on the poster's form."""
    values = {
        "room": "101",
        "expected_departure": (TODAY + dt.timedelta(days=2)).isoformat(),
        "purpose": "tourism",
        "document_type": "passport",
        "document_number": "M12345678",
        "full_name": "KIM MIN-JUN",
        "birth_date": "1985-07-02",
        "sex": "M",
        "nationality": "KR",
        "document_expiry": "2031-01-01",
        "residence_country": "KR",
        "residence_province": "",
        "passport_type": "ordinary",
        "visa_type": "exempt",
        "entry_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        "entry_port": "Nội Bài",
    }
    values.update(overrides)
    return values


def send(client, path: str, data: dict[str, str], action: str = "send"):
    token = csrf_token(client, path)
    return client.post(path, data={**data, "csrf_token": token, "action": action})


def page(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def self_checked_in(client, session: Session, hotel, **overrides: str) -> Stay:
    """The stay a guest's form from the poster made (or found)."""
    response = send(client, f"/en/checkin/{hotel.checkin_token}", korean_guest(**overrides))
    assert response.status_code == 302, page(response)
    token = re.fullmatch(r"/en/checkin/stay/([^/]+)/thanks", response.headers["Location"])
    assert token
    stay = session.scalar(select(Stay).where(Stay.checkin_token == token.group(1)))
    assert stay is not None
    return stay


def assert_strict_csp(html: str) -> None:
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<style\b", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)


# The poster


def test_poster_shows_a_qr_code_of_the_check_in_link_with_the_link_in_text(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner, name="Khách sạn Bãi Cháy Xanh")
    log_in(client, owner.email)
    response = client.get(f"/en/desk/{hotel.id}/poster")
    html = page(response)
    assert response.status_code == 200
    assert "Khách sạn Bãi Cháy Xanh" in html
    assert re.search(r'<svg [^>]*class="qr-code"[^>]*><path d="M[0-9,HVMz]+"', html)
    assert f"http://127.0.0.1:5000/checkin/{hotel.checkin_token}</p>" in html
    assert_strict_csp(html)


def test_poster_link_opens_the_form_in_the_visitors_language(client, db_session):
    hotel = make_establishment(db_session)
    response = client.get(f"/checkin/{hotel.checkin_token}", headers={"Accept-Language": "ko"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ko/checkin/{hotel.checkin_token}"
    assert "Accept-Language" in response.headers["Vary"]


def test_poster_speaks_vietnamese_and_english_whatever_the_page_language(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    log_in(client, owner.email)
    for lang in ("ko", "vi"):
        html = page(client.get(f"/{lang}/desk/{hotel.id}/poster"))
        sections = re.findall(r'<section class="poster-language" lang="(\w+)">', html)
        assert sections == ["vi", "en"]
        assert f"/checkin/{hotel.checkin_token}</p>" in html


def test_staff_of_the_establishment_may_print_its_poster(client, db_session):
    clerk = make_user(db_session, Role.LODGING_STAFF)
    hotel = make_establishment(db_session, staff=(clerk,))
    log_in(client, clerk.email)
    assert client.get(f"/en/desk/{hotel.id}/poster").status_code == 200


def test_another_establishments_owner_gets_404_on_the_poster(client, db_session):
    hotel = make_establishment(db_session, owner=make_user(db_session, Role.LODGING_OWNER))
    stranger = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    response = client.get(f"/en/desk/{hotel.id}/poster")
    assert response.status_code == 404
    assert hotel.checkin_token not in page(response)


# A guest from the poster


def test_a_guest_checks_in_from_the_poster_and_nothing_is_reported(client, db_session):
    hotel = make_establishment(db_session)
    form = client.get(f"/en/checkin/{hotel.checkin_token}")
    assert form.status_code == 200
    assert_strict_csp(page(form))
    stay = self_checked_in(client, db_session, hotel)
    assert stay.establishment_id == hotel.id
    assert stay.channel is Channel.SELF_CHECKIN
    assert stay.room is not None
    assert stay.room.number == "101"
    [guest] = stay.guests
    assert guest.full_name == "KIM MIN-JUN"
    assert guest.nationality == "KR"
    details = sealed.foreign_details(guest, TEST_CIPHER)
    assert details is not None
    assert details.entry_port == "Nội Bài"
    assert guest.confirmed_at is None
    assert guest.report_status is None
    assert len(police_reports(db_session)) == 0


def test_a_vietnamese_guest_checks_in_with_a_cccd_and_no_entry_details(client, db_session):
    hotel = make_establishment(db_session)
    citizen = korean_guest(
        full_name="Nguyễn Thị Ánh",
        birth_date="1990-03-14",
        sex="F",
        nationality="VN",
        residence_country="VN",
        residence_province="1",
        document_type="cccd",
        document_number="001190012345",
        document_expiry="",
    )  # the foreigners' boxes were filled in by mistake: they are ignored
    [guest] = self_checked_in(client, db_session, hotel, **citizen).guests
    assert guest.full_name == "Nguyễn Thị Ánh"
    assert guest.residence_province_code == 1
    assert sealed.document_number(guest, TEST_CIPHER) == "001190012345"
    assert guest.foreign_details is None


def test_the_guest_is_told_to_show_their_papers_and_can_bring_the_next_person(client, db_session):
    hotel = make_establishment(db_session)
    response = send(client, f"/en/checkin/{hotel.checkin_token}", korean_guest())
    thanks = client.get(response.headers["Location"])
    html = page(thanks)
    assert thanks.status_code == 200
    assert "show your passport or ID card at the reception" in html
    stay = db_session.scalars(select(Stay)).one()
    assert f'href="/en/checkin/stay/{stay.checkin_token}"' in html
    assert_strict_csp(html)


def test_a_form_sent_twice_declares_the_guest_once(client, db_session):
    hotel = make_establishment(db_session)
    first = self_checked_in(client, db_session, hotel)
    again = self_checked_in(client, db_session, hotel)
    assert again.id == first.id
    assert count(db_session, Guest) == 1


def test_another_person_with_the_same_document_number_is_not_taken_for_the_first(
    client, db_session
):
    hotel = make_establishment(db_session)
    first = self_checked_in(client, db_session, hotel)
    other = self_checked_in(
        client, db_session, hotel, full_name="LEE SOO-JIN", birth_date="1990-01-01"
    )
    assert other.id != first.id


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "A CCCD number has 12 digits; this one has 5."),
        ("vi", "Số CCCD gồm 12 chữ số; số này có 5 chữ số."),
    ],
)
def test_bad_input_is_explained_in_the_page_language_and_kept(client, db_session, lang, message):
    hotel = make_establishment(db_session)
    data = korean_guest(
        full_name="Nguyễn Văn Bình",
        nationality="VN",
        residence_country="VN",
        residence_province="1",  # Hà Nội
        document_type="cccd",
        document_number="12345",
        sex="M",
    )
    response = send(client, f"/{lang}/checkin/{hotel.checkin_token}", data)
    html = page(response)
    assert response.status_code == 200
    assert message in html
    assert 'value="Nguyễn Văn Bình"' in html
    assert 'value="12345"' in html
    assert '<option selected value="VN">' in html
    assert 'aria-invalid="true"' in html
    assert count(db_session, Stay) == 0
    assert_strict_csp(html)


def test_a_missing_visa_is_shown_on_its_field(client, db_session):
    hotel = make_establishment(db_session)
    data = korean_guest(visa_type="", entry_port="")
    html = page(send(client, f"/en/checkin/{hotel.checkin_token}", data))
    assert 'id="visa_type-error"' in html
    assert 'id="entry_port-error"' in html
    assert "Enter the border gate or airport of entry." in html


def test_an_unknown_room_is_shown_on_the_room_field(client, db_session):
    hotel = make_establishment(db_session)
    html = page(send(client, f"/en/checkin/{hotel.checkin_token}", korean_guest(room="999")))
    assert 'id="room-error"' in html
    assert "This establishment has no room 999." in html


def test_a_place_without_rooms_does_not_ask_for_one(client, db_session):
    homestay = make_establishment(db_session, rooms=())
    assert 'name="room"' not in page(client.get(f"/en/checkin/{homestay.checkin_token}"))
    stay = self_checked_in(client, db_session, homestay, room="")
    assert stay.room_id is None


def test_an_unknown_or_unapproved_poster_link_is_404(client, db_session):
    pending = make_establishment(db_session, approved=False)
    for token in ("no-such-token", pending.checkin_token):
        response = client.get(f"/en/checkin/{token}")
        assert response.status_code == 404
        assert "This check-in link does not work" in page(response)


def test_a_passport_mrz_fills_the_form_without_declaring_anything(client, db_session):
    hotel = make_establishment(db_session)
    number, birth, expiry, personal = "M12345678", "850702", "310101", "<" * 14
    line2 = (
        f"{number}{check_digit(number)}KOR{birth}{check_digit(birth)}M"
        f"{expiry}{check_digit(expiry)}{personal}{check_digit(personal)}"
    )
    composite = line2[:10] + line2[13:20] + line2[21:43]
    mrz = "P<KORKIM<<MIN<JUN".ljust(44, "<") + "\n" + line2 + check_digit(composite)
    response = send(client, f"/en/checkin/{hotel.checkin_token}", {"mrz": mrz}, "fill_mrz")
    html = page(response)
    assert response.status_code == 200
    assert 'value="KIM MIN JUN"' in html
    assert 'value="M12345678"' in html
    assert 'value="1985-07-02"' in html
    assert 'value="2031-01-01"' in html
    assert '<option selected value="KR">' in html
    assert '<option selected value="passport">' in html
    assert count(db_session, Stay) == 0


def test_a_cccd_qr_code_fills_the_form(client, db_session):
    hotel = make_establishment(db_session)
    # An address written before the 2025 merger: Yên Bái is now part of Lào Cai (code 15).
    payload = "015190012345||Nguyễn Thị Ánh|14031990|Nữ|Tổ 5, Phường Đồng Tâm, Yên Bái|01012021"
    html = page(
        send(client, f"/en/checkin/{hotel.checkin_token}", {"cccd_qr": payload}, "fill_cccd")
    )
    assert 'value="Nguyễn Thị Ánh"' in html
    assert 'value="015190012345"' in html
    assert '<option selected value="cccd">' in html
    assert '<option selected value="F">' in html
    assert '<option selected value="15">Lào Cai</option>' in html


def test_an_unreadable_qr_code_says_why_on_its_box(client, db_session):
    hotel = make_establishment(db_session)
    data = {"cccd_qr": "not a code", "full_name": "Trần Văn An"}
    html = page(send(client, f"/en/checkin/{hotel.checkin_token}", data, "fill_cccd"))
    assert 'id="cccd_qr-error"' in html
    assert "This is not a CCCD QR code" in html
    assert 'value="Trần Văn An"' in html


def test_the_poster_link_cannot_flood_an_establishment(client, db_session):
    hotel = make_establishment(db_session)
    path = f"/en/checkin/{hotel.checkin_token}"
    token = csrf_token(client, path)
    data = {**korean_guest(), "csrf_token": token}
    for _ in range(30):
        assert client.post(path, data=data).status_code == 302
    assert client.post(path, data=data).status_code == 429


# A guest joining a stay through its link


def test_a_group_member_adds_themselves_and_the_others_are_untouched(client, db_session):
    hotel = make_establishment(db_session)
    stay = declare(db_session, hotel)
    first = stay.guests[0]
    before = (first.full_name, first.role, first.confirmed_at, first.report_status)
    reports = len(police_reports(db_session))
    path = f"/en/checkin/stay/{stay.checkin_token}"
    response = send(client, path, {**korean_guest(), "relationship": "friend"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{path}/thanks"
    db_session.refresh(stay)
    assert len(stay.guests) == 2
    assert (first.full_name, first.role, first.confirmed_at, first.report_status) == before
    joined = stay.guests[1]
    assert joined.full_name == "KIM MIN-JUN"
    assert joined.role is GuestRole.MEMBER
    assert joined.relationship_to_head == "friend"
    assert joined.confirmed_at is None
    assert joined.report_status is None
    assert [e.kind for e in stay.events][-1] == "self_checkin"
    assert len(police_reports(db_session)) == reports


def test_joining_without_saying_how_is_refused_on_that_field(client, db_session):
    stay = declare(db_session, make_establishment(db_session))
    path = f"/en/checkin/stay/{stay.checkin_token}"
    html = page(send(client, path, korean_guest()))
    assert 'id="relationship-error"' in html
    assert 'value="KIM MIN-JUN"' in html
    db_session.refresh(stay)
    assert len(stay.guests) == 1


@pytest.mark.parametrize("end", ["check_out", "cancel_stay"])
def test_the_stays_link_stops_working_once_the_stay_ends(client, db_session, end):
    stay = declare(db_session, make_establishment(db_session))
    path = f"/en/checkin/stay/{stay.checkin_token}"
    assert client.get(path).status_code == 200
    token = csrf_token(client, path)
    actor = Actor(None, "test", Channel.DESK)
    if end == "check_out":
        services.check_out(db_session, stay, departed_at=utcnow(), actor=actor, now=utcnow())
    else:
        services.cancel_stay(db_session, stay, reason="typo", actor=actor, now=utcnow())
    db_session.commit()
    for response in (
        client.get(path),
        client.get(f"{path}/thanks"),
        client.post(path, data={**korean_guest(), "relationship": "son", "csrf_token": token}),
    ):
        assert response.status_code == 404
        assert "This check-in link does not work" in page(response)
    assert count(db_session, Guest) == 1


# Staff confirm the guest


def test_staff_confirm_a_guest_who_is_then_reported_once(client, db_session):
    clerk = make_user(db_session, Role.LODGING_STAFF)
    hotel = make_establishment(db_session, staff=(clerk,))
    stay = self_checked_in(client, db_session, hotel)
    guest = stay.guests[0]
    log_in(client, clerk.email)
    path = f"/en/desk/guests/{guest.id}/confirm"
    details = client.get(path)
    assert details.status_code == 200
    assert "M12345678" in page(details)
    assert_strict_csp(page(details))
    views = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "guest.view", AuditEntry.actor_id == clerk.id)
    ).all()
    assert [(v.target_id, v.detail["guest_ids"]) for v in views] == [(str(stay.id), [guest.id])]
    response = send(client, path, {"method": "video", "seen_document": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/en/desk/stays/{stay.id}"
    db_session.refresh(guest)
    assert guest.confirmed_by_id == clerk.id
    assert guest.confirmation_method is ConfirmationMethod.VIDEO
    assert guest.confirmed_at is not None
    assert guest.report_status == "queued"
    [message] = police_reports(db_session)
    assert message.payload["guest_ids"] == [guest.id]


def test_confirming_needs_the_original_document_seen(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    guest = self_checked_in(client, db_session, hotel).guests[0]
    log_in(client, owner.email)
    response = send(client, f"/en/desk/guests/{guest.id}/confirm", {"method": "in_person"})
    assert response.status_code == 200
    assert "Confirm that you have seen the original document." in page(response)
    assert len(police_reports(db_session)) == 0


def test_a_guest_cannot_be_confirmed_twice(client, db_session):
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    guest = declare(db_session, hotel).guests[0]  # declared at the desk: confirmed
    log_in(client, owner.email)
    path = f"/en/desk/guests/{guest.id}/confirm"
    assert 'name="seen_document"' not in page(client.get(path))
    response = send(client, path, {"method": "in_person", "seen_document": "y"})
    assert "This guest is already confirmed." in page(response)
    assert len(police_reports(db_session)) == 1


def test_another_establishments_owner_gets_404_on_the_confirm_page(client, db_session):
    hotel = make_establishment(db_session, owner=make_user(db_session, Role.LODGING_OWNER))
    guest = self_checked_in(client, db_session, hotel).guests[0]
    stranger = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    path = f"/en/desk/guests/{guest.id}/confirm"
    response = client.get(path)
    assert response.status_code == 404
    assert "KIM MIN-JUN" not in page(response)
    token = csrf_token(client, "/en/account")
    posted = client.post(
        path, data={"method": "in_person", "seen_document": "y", "csrf_token": token}
    )
    assert posted.status_code == 404
    db_session.refresh(guest)
    assert guest.confirmed_at is None
    assert not db_session.scalars(select(AuditEntry).where(AuditEntry.action == "guest.view")).all()
    assert count(db_session, StayEvent) == 1
    assert guest.stay.status is StayStatus.IN_HOUSE
