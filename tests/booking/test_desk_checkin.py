"""From a paid booking to a declared stay at the front desk, by its voucher, once."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.roles import Role
from core.clock import local_now, utcnow
from core.outbox.messages import OutboxMessage
from lodging.properties.models import Establishment
from lodging.registration.models import Stay
from portal.booking import services
from portal.booking.models import Booking, Payment, RatePlan, Refund
from portal.booking.services import Actor, GuestContact, StayRequest
from tests.booking.conftest import add_plan
from tests.factories import csrf_token, log_in, make_establishment, make_user
from tests.lodging.registration.test_desk import FAMILY, input_value, page_text, the_form
from tests.lodging.registration.test_self_checkin import korean_guest, send

WEB = Actor("guest", "web")


@pytest.fixture
def owner(db_session: Session) -> User:
    return make_user(db_session, Role.LODGING_OWNER)


@pytest.fixture
def homestay(db_session: Session, owner: User) -> Establishment:
    place = make_establishment(db_session, owner=owner)
    add_plan(db_session, place)
    db_session.commit()
    return place


@pytest.fixture
def booking(db_session: Session, homestay: Establishment) -> Booking:
    """Paid, arriving today for two nights, booked by the head of the family."""
    plan_id = db_session.scalar(
        select(RatePlan.id).where(RatePlan.room_type_id == homestay.room_types[0].id)
    )
    assert plan_id is not None
    today = local_now().date()
    held = services.hold_room(
        db_session,
        plan_id,
        StayRequest(today, today + dt.timedelta(days=2), adults=2),
        GuestContact(FAMILY[0]["full_name"], "minh@example.com", "vi"),
        now=utcnow(),
        actor=WEB,
    )
    services.confirm_booking(db_session, held, now=utcnow(), actor=WEB)
    db_session.commit()
    return held


@pytest.fixture
def desk(client: FlaskClient, owner: User) -> FlaskClient:
    log_in(client, owner.email)
    return client


def voucher_url(place: Establishment, code: str) -> str:
    return f"/en/desk/{place.id}/voucher?code={code}"


def check_in_voucher(client: FlaskClient, place: Establishment, code: str, **options: object):
    """The desk's voucher box: the code typed or scanned, then "Check in" (a POST)."""
    token = csrf_token(client, f"/en/desk/?establishment={place.id}")
    return client.post(
        f"/en/desk/{place.id}/voucher", data={"code": code, "csrf_token": token}, **options
    )


def test_the_desk_lists_todays_booked_arrivals(desk, homestay, booking):
    page = page_text(desk.get(f"/en/desk/?establishment={homestay.id}"))
    assert "Booked on the portal" in page
    assert FAMILY[0]["full_name"] in page
    assert "?code=" not in page  # each "Check in" posts its voucher


def test_the_voucher_page_shows_what_checking_in_does_and_posts_it(desk, homestay, booking):
    page = page_text(desk.get(voucher_url(homestay, booking.voucher)))
    assert FAMILY[0]["full_name"] in page
    assert "Checking in opens the declaration form, filled in from the booking." in page
    assert 'method="post"' in page
    assert desk.get(voucher_url(homestay, "NOSUCHVOUCHER")).status_code == 302


def test_a_typed_voucher_opens_the_declaration_filled_from_the_booking(desk, homestay, booking):
    typed = f" {booking.voucher[:8].lower()}-{booking.voucher[8:]} "  # as a person types it
    found = check_in_voucher(desk, homestay, typed)
    assert found.status_code == 302
    form = page_text(desk.get(found.headers["Location"]))
    assert input_value(form, "voucher") == booking.voucher
    assert input_value(form, "guests-0-full_name") == FAMILY[0]["full_name"]
    assert input_value(form, "expected_departure") == booking.departure.isoformat()
    assert "Check each guest's papers as usual." in form


def test_declaring_with_the_voucher_checks_the_booking_in_once(desk, homestay, booking, db_session):
    url = f"/en/desk/{homestay.id}/stays/new"
    sent = desk.post(
        url,
        data=the_form(
            desk,
            homestay,
            FAMILY[0] | {"role": "single"},
            voucher=booking.voucher,
            submit="Declare",
        ),
    )
    assert sent.status_code == 302, page_text(sent)
    db_session.expire_all()
    stay = db_session.scalars(select(Stay).where(Stay.establishment_id == homestay.id)).one()
    assert booking.stay_id == stay.id
    assert booking.checked_in_at is not None
    assert [event.action for event in booking.history][-1] == "check_in"

    # A second declaration from the same voucher (another receptionist, a new form).
    again = the_form(
        desk, homestay, FAMILY[1] | {"role": "single"}, voucher=booking.voucher, submit="Declare"
    )
    again["idempotency_key"] = "another-form"
    refused = desk.post(url, data=again)
    assert refused.status_code == 200
    assert "This booking is already checked in." in page_text(refused)
    count = db_session.scalar(
        select(func.count()).select_from(Stay).where(Stay.establishment_id == homestay.id)
    )
    assert count == 1  # the refused declaration was not kept either
    assert "This booking is already checked in." in page_text(
        check_in_voucher(desk, homestay, booking.voucher, follow_redirects=True)
    )
    # Nor can the guest cancel a stay that has begun, on the page or through the API.
    refused = desk.post(f"/api/v1/bookings/{booking.reference}/cancel")
    assert refused.status_code == 409
    assert "Cancel this booking" not in desk.get(f"/en/bookings/{booking.reference}").text
    db_session.expire_all()
    assert booking.status.value == "confirmed"


def test_another_establishments_voucher_finds_nothing(client, db_session, booking):
    stranger = make_user(db_session, Role.LODGING_OWNER)
    elsewhere = make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    page = page_text(check_in_voucher(client, elsewhere, booking.voucher, follow_redirects=True))
    assert "No paid booking at this establishment has the voucher" in page
    assert FAMILY[0]["full_name"] not in page
    # Nor through the form: the voucher is ignored, nothing is pre-filled.
    form = page_text(client.get(f"/en/desk/{elsewhere.id}/stays/new?voucher={booking.voucher}"))
    assert input_value(form, "voucher") == ""


def test_an_unpaid_booking_cannot_be_checked_in(desk, homestay, db_session):
    plan_id = db_session.scalar(select(RatePlan.id))
    today = local_now().date()
    held = services.hold_room(
        db_session,
        plan_id,
        StayRequest(today, today + dt.timedelta(days=1), 1),
        GuestContact("Kim", "kim@example.com", "ko"),
        now=utcnow(),
        actor=WEB,
    )
    db_session.commit()
    page = page_text(check_in_voucher(desk, homestay, held.voucher, follow_redirects=True))
    assert "No paid booking at this establishment has the voucher" in page


def test_the_establishment_cancels_a_paid_booking_and_refunds_it_all(
    desk, homestay, booking, db_session
):
    paid = utcnow()
    db_session.add(
        Payment(
            booking_id=booking.id,
            provider="stripe",
            provider_payment_id="pi_test_paid",
            amount=booking.total_amount,
            currency="VND",
            status="succeeded",
            created_at=paid,
            paid_at=paid,
        )
    )
    db_session.commit()
    listing = page_text(desk.get(f"/en/desk/{homestay.id}/bookings"))
    assert FAMILY[0]["full_name"] in listing
    cancel = f"/en/desk/{homestay.id}/bookings/{booking.reference}/cancel"
    done = desk.post(
        cancel, data={"csrf_token": csrf_token(desk, f"/en/desk/{homestay.id}/bookings")}
    )
    assert done.status_code == 302
    db_session.expire_all()
    assert booking.status.value == "cancelled"
    refunds = db_session.scalars(select(Refund).where(Refund.booking_id == booking.id)).all()
    assert [(r.amount, r.reason) for r in refunds] == [
        (booking.total_amount, "cancelled_by_establishment")
    ]
    (notice,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail.send"))
    assert notice.payload["to"] == ["minh@example.com"]
    assert notice.payload["lang"] == "vi"
    assert "Nguyễn Văn Hùng" not in page_text(desk.get(f"/en/desk/{homestay.id}/bookings"))


def test_another_establishments_bookings_are_not_found(client, db_session, booking, homestay):
    stranger = make_user(db_session, Role.LODGING_OWNER)
    elsewhere = make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)
    assert client.get(f"/en/desk/{homestay.id}/bookings").status_code == 404
    token = csrf_token(client, f"/en/desk/{elsewhere.id}/bookings")
    wrong = client.post(
        f"/en/desk/{elsewhere.id}/bookings/{booking.reference}/cancel", data={"csrf_token": token}
    )
    assert wrong.status_code == 404
    db_session.expire_all()
    assert booking.status.value == "confirmed"


def test_a_guest_who_checked_in_online_is_confirmed_at_the_desk_from_the_voucher(
    client, db_session, homestay, booking, owner
):
    online = f"/en/checkin/{homestay.checkin_token}?voucher={booking.voucher}"
    form = html.unescape(client.get(online).get_data(as_text=True))
    assert "For your booking: Double" in form
    assert f'value="{FAMILY[0]["full_name"]}"' in form  # the booker, pre-filled
    departure = booking.departure.isoformat()
    sent = send(client, online, korean_guest(expected_departure=departure))
    assert sent.status_code == 302, page_text(sent)
    db_session.expire_all()
    stay_id = booking.stay_id
    assert stay_id is not None
    assert booking.checked_in_at is None  # online is not at the desk yet
    assert "You have checked in online" in client.get(f"/en/bookings/{booking.reference}").text

    log_in(client, owner.email)
    shown = page_text(client.get(voucher_url(homestay, booking.voucher)))
    assert "The guest checked in online before arriving." in shown
    assert db_session.scalar(select(Booking.checked_in_at).where(Booking.id == booking.id)) is None
    found = check_in_voucher(client, homestay, booking.voucher)
    assert found.headers["Location"] == f"/en/desk/stays/{stay_id}"  # not a second declaration
    checked_in = db_session.scalar(select(Booking.checked_in_at).where(Booking.id == booking.id))
    assert checked_in is not None
    stay = db_session.get(Stay, stay_id)
    assert stay is not None
    assert all(guest.confirmed_at is None for guest in stay.guests)  # papers still to be seen
    again = check_in_voucher(client, homestay, booking.voucher, follow_redirects=True)
    assert "This booking is already checked in." in page_text(again)


def test_another_establishments_voucher_links_no_online_check_in(client, db_session, booking):
    elsewhere = make_establishment(db_session)
    db_session.commit()
    online = f"/en/checkin/{elsewhere.checkin_token}?voucher={booking.voucher}"
    assert "For your booking" not in client.get(online).get_data(as_text=True)
    sent = send(client, online, korean_guest())
    assert sent.status_code == 302
    db_session.expire_all()
    assert booking.stay_id is None
