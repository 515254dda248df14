"""The owner's desk, through its pages: declaring, scanning documents, what is due."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from lodging.properties import geography
from lodging.properties.models import Establishment
from lodging.registration.documents import Sex
from lodging.registration.models import DocumentType, GuestRole, Stay
from tests.factories import (
    citizen,
    csrf_token,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    recent_arrival,
    stay_input,
)
from tests.lodging.registration.test_documents import td3_mrz

HANOI = str(geography.find_province("Hà Nội").code)
QR_PAYLOAD = (
    "022090123456|123456789|Trần Văn Bình|15061990|Nam|Tổ 5, Bãi Cháy, Tỉnh Quảng Ninh|01022022"
)
# A Korean passport valid until 2035 (check digits computed by the test's own builder).
KOREAN_MRZ = td3_mrz(
    state="KOR",
    surname="KIM",
    given_names="MIN JUN",
    number="M12345678",
    nationality="KOR",
    birth="850702",
    sex="M",
    expiry="350101",
    personal="",
)


@pytest.fixture
def desk(client: FlaskClient, owner: User, hotel: Establishment) -> FlaskClient:
    """A client signed in as the hotel's owner."""
    log_in(client, owner.email)
    return client


def new_url(hotel: Establishment, lang: str = "en") -> str:
    return f"/{lang}/desk/{hotel.id}/stays/new"


def guest_fields(**values: str) -> dict[str, str]:
    """One guest row as the browser sends it: every box, empty unless given."""
    row = dict.fromkeys(
        (
            "qr",
            "mrz",
            "full_name",
            "birth_date",
            "sex",
            "residence_province",
            "document_number",
            "document_expiry",
            "relationship",
            "passport_type",
            "visa_type",
            "visa_number",
            "visa_valid_until",
            "visa_issued_on",
            "visa_issuer",
            "entry_date",
            "entry_port",
            "entry_purpose",
            "arrival",
        ),
        "",
    )
    row.update(nationality="VN", residence_country="VN", document_type="cccd", role="single")
    row.update(values)
    return row


def the_form(client: FlaskClient, hotel: Establishment, *guests: dict[str, str], **stay: str):
    """The whole declaration form, arriving an hour ago, with ``guests`` as typed."""
    arrival = recent_arrival().astimezone(VIETNAM)
    data = {
        "csrf_token": csrf_token(client, new_url(hotel)),
        "idempotency_key": f"test-{len(guests)}-{arrival.timestamp()}",
        "room": "101",
        "arrival_date": arrival.date().isoformat(),
        "arrival_time": arrival.strftime("%H:%M"),
        "expected_departure": (arrival.date() + dt.timedelta(days=2)).isoformat(),
        "purpose": "tourism",
    }
    for index, guest in enumerate(guests):
        data.update({f"guests-{index}-{key}": value for key, value in guest.items()})
    data.update(stay)
    return data


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def input_value(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return html.unescape(value.group(1)) if value else ""


def selected(page: str, name: str) -> str:
    select_tag = re.search(rf'<select[^>]*name="{re.escape(name)}".*?</select>', page, re.S)
    assert select_tag, name
    option = re.search(r'<option selected value="([^"]*)"', select_tag.group(0))
    return option.group(1) if option else ""


FAMILY = (
    guest_fields(
        full_name="Nguyễn Văn Hùng",
        birth_date="1985-04-02",
        sex="M",
        residence_province=HANOI,
        document_number="001085012345",
        role="head",
    ),
    guest_fields(
        full_name="Lê Thị Mai",
        birth_date="1987-09-30",
        sex="F",
        residence_province=HANOI,
        document_number="001187054321",
        role="member",
        relationship="wife",
    ),
    guest_fields(
        full_name="Nguyễn Lê Thảo",
        birth_date="2010-01-20",
        sex="F",
        residence_province=HANOI,
        document_number="001310098765",
        role="member",
        relationship="daughter",
    ),
    guest_fields(
        full_name="Nguyễn Lê Minh",
        birth_date="2016-06-01",
        sex="M",
        residence_province=HANOI,
        document_type="none",
        role="member",
        relationship="son",
    ),
)


def test_a_family_of_four_is_declared_in_one_post(desk, hotel, db_session):
    response = desk.post(new_url(hotel), data=the_form(desk, hotel, *FAMILY, submit="Declare"))

    assert response.status_code == 302, page_text(response)
    stays = db_session.scalars(select(Stay).where(Stay.establishment_id == hotel.id)).all()
    assert len(stays) == 1
    guests = stays[0].guests
    assert [g.full_name for g in guests] == [row["full_name"] for row in FAMILY]
    assert [g.role for g in guests] == [GuestRole.HEAD] + [GuestRole.MEMBER] * 3
    assert guests[3].document_type is DocumentType.NONE
    assert stays[0].room is not None
    assert stays[0].room.number == "101"

    stay_page = page_text(desk.get(response.headers["Location"]))
    assert "The guests are declared." in stay_page
    assert "Nguyễn Lê Minh is due by" in stay_page
    assert "001187054321" in stay_page  # the staff see the documents they declared


def test_sending_the_same_form_twice_declares_once(desk, hotel, db_session):
    data = the_form(desk, hotel, FAMILY[0] | {"role": "single"}, submit="Declare")
    first = desk.post(new_url(hotel), data=data)
    second = desk.post(new_url(hotel), data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert len(db_session.scalars(select(Stay)).all()) == 1


def test_fill_from_qr_fills_that_guest_and_keeps_the_others(desk, hotel, db_session):
    data = the_form(
        desk,
        hotel,
        FAMILY[0],
        guest_fields(qr=QR_PAYLOAD, role="member", relationship="brother"),
        **{"guests-1-fill_qr": "Fill from QR"},
    )
    page = page_text(desk.post(new_url(hotel), data=data))

    assert input_value(page, "guests-1-full_name") == "Trần Văn Bình"
    assert input_value(page, "guests-1-birth_date") == "1990-06-15"
    assert input_value(page, "guests-1-document_number") == "022090123456"
    assert selected(page, "guests-1-sex") == "M"
    assert selected(page, "guests-1-residence_province") == str(
        geography.find_province("Quảng Ninh").code
    )
    assert input_value(page, "guests-1-qr") == ""
    assert "Filled from the CCCD QR code" in page
    # The first guest, typed by hand, is untouched; nothing is declared yet.
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    assert input_value(page, "guests-0-document_number") == "001085012345"
    assert input_value(page, "guests-1-relationship") == "brother"
    assert db_session.scalars(select(Stay)).all() == []


def test_enter_in_a_scan_box_fills_the_guest_whose_box_holds_the_code(desk, hotel):
    # No button in the data: the browser pressed the form's default button.
    data = the_form(desk, hotel, FAMILY[0], guest_fields(qr=QR_PAYLOAD + "\r\n", role="member"))
    page = page_text(desk.post(new_url(hotel), data=data))
    assert input_value(page, "guests-1-full_name") == "Trần Văn Bình"
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    # The page is back with the cursor where the next scan goes.
    assert re.search(r'<input[^>]*autofocus[^>]*name="guests-1-full_name"', page)


def test_enter_with_nothing_scanned_declares_nothing(desk, hotel, db_session):
    page = page_text(desk.post(new_url(hotel), data=the_form(desk, hotel, FAMILY[0])))
    assert "Nothing was declared yet" in page
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    assert db_session.scalars(select(Stay)).all() == []


def test_fill_from_mrz_fills_that_guest_and_keeps_the_others(desk, hotel):
    data = the_form(
        desk,
        hotel,
        FAMILY[0],
        guest_fields(mrz=KOREAN_MRZ.replace("\n", "\r\n"), role="member"),
        **{"guests-1-fill_mrz": "Fill from MRZ"},
    )
    page = page_text(desk.post(new_url(hotel), data=data))

    assert input_value(page, "guests-1-full_name") == "MIN JUN KIM"
    assert selected(page, "guests-1-nationality") == "KR"
    assert selected(page, "guests-1-residence_country") == "KR"
    assert input_value(page, "guests-1-birth_date") == "1985-07-02"
    assert selected(page, "guests-1-sex") == "M"
    assert selected(page, "guests-1-document_type") == "passport"
    assert input_value(page, "guests-1-document_number") == "M12345678"
    assert input_value(page, "guests-1-document_expiry") == "2035-01-01"
    assert re.search(r'<details class="foreign" open>', page)  # the NA17 block opens
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"


def test_a_wrong_check_digit_in_the_mrz_is_shown_on_the_paste_box(desk, hotel):
    broken = KOREAN_MRZ[:-1] + str((int(KOREAN_MRZ[-1]) + 1) % 10)
    data = the_form(
        desk,
        hotel,
        guest_fields(mrz=broken, full_name="Typed by hand"),
        **{"guests-0-fill_mrz": "Fill from MRZ"},
    )
    page = page_text(desk.post(new_url(hotel), data=data))
    error = re.search(r'id="guests-0-mrz-error">([^<]*)<', page)
    assert error
    assert "overall check digit" in error.group(1)
    assert broken.split("\n")[1] in page  # the pasted text is still there to fix
    assert input_value(page, "guests-0-full_name") == "Typed by hand"


def test_a_wrong_cccd_shows_the_error_next_to_the_field_and_keeps_what_was_typed(
    desk, hotel, db_session
):
    typed = FAMILY[0] | {"role": "single", "document_number": "00108501234"}
    response = desk.post(new_url(hotel), data=the_form(desk, hotel, typed, submit="Declare"))
    page = page_text(response)

    assert response.status_code == 200
    error = re.search(r'id="guests-0-document_number-error">([^<]*)<', page)
    assert error
    assert error.group(1) == "A CCCD number has 12 digits; this one has 11."
    assert 'href="#guests-0-document_number"' in page  # in the error summary too
    assert input_value(page, "guests-0-document_number") == "00108501234"
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    assert input_value(page, "guests-0-birth_date") == "1985-04-02"
    assert selected(page, "guests-0-residence_province") == HANOI
    assert db_session.scalars(select(Stay)).all() == []


def test_a_qr_code_that_is_not_a_cccd_is_refused_on_the_scan_box(desk, hotel):
    data = the_form(
        desk, hotel, guest_fields(qr="https://example.com"), **{"guests-0-fill_qr": "Fill"}
    )
    page = page_text(desk.post(new_url(hotel), data=data))
    error = re.search(r'id="guests-0-qr-error">([^<]*)<', page)
    assert error
    assert "This is not a CCCD QR code" in error.group(1)
    assert input_value(page, "guests-0-qr") == "https://example.com"


def test_a_foreigner_without_visa_gets_the_message_on_the_visa_field(desk, hotel):
    korean = guest_fields(
        full_name="KIM MIN JUN",
        birth_date="1985-07-02",
        sex="M",
        nationality="KR",
        residence_country="KR",
        document_type="passport",
        document_number="M12345678",
        passport_type="ordinary",
        entry_port="Nội Bài",
        entry_date=(utcnow() - dt.timedelta(days=3)).date().isoformat(),
    )
    page = page_text(desk.post(new_url(hotel), data=the_form(desk, hotel, korean, submit="Go")))
    assert re.search(r'id="guests-0-visa_type-error">Choose the visa', page)
    assert input_value(page, "guests-0-entry_port") == "Nội Bài"


def test_group_and_stay_problems_are_listed_in_the_summary(desk, hotel):
    two_heads = (FAMILY[0], FAMILY[1] | {"role": "head"})
    data = the_form(desk, hotel, *two_heads, room="", submit="Declare")
    page = page_text(desk.post(new_url(hotel), data=data))
    assert '<a href="#guests">Guests: A family or group has exactly one head' in page
    assert '<a href="#room">Room: Choose the room.</a>' in page
    assert re.search(r'id="room-error">Choose the room.<', page)


def test_add_another_guest_keeps_what_was_typed_and_makes_the_first_the_head(desk, hotel):
    data = the_form(desk, hotel, FAMILY[0] | {"role": "single"}, add_guest="Add")
    page = page_text(desk.post(new_url(hotel), data=data))
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    assert selected(page, "guests-0-role") == "head"
    assert selected(page, "guests-1-role") == "member"
    assert input_value(page, "guests-1-full_name") == ""


def test_remove_takes_out_that_guest_only(desk, hotel):
    data = the_form(desk, hotel, *FAMILY[:3], **{"guests-1-remove": "Remove"})
    page = page_text(desk.post(new_url(hotel), data=data))
    assert "Lê Thị Mai" not in page
    assert input_value(page, "guests-0-full_name") == "Nguyễn Văn Hùng"
    assert input_value(page, "guests-2-full_name") == "Nguyễn Lê Thảo"


def test_the_form_opens_with_now_and_one_guest(desk, hotel):
    page = page_text(desk.get(new_url(hotel)))
    today = utcnow().astimezone(VIETNAM).date()
    assert input_value(page, "arrival_date") == today.isoformat()
    assert input_value(page, "expected_departure") == (today + dt.timedelta(days=1)).isoformat()
    assert "guests-0-full_name" in page
    assert "guests-1-full_name" not in page
    assert selected(page, "guests-0-nationality") == "VN"
    # Vietnam first, then every other country; the scanner's Enter fills, not declares.
    options = re.findall(
        r'<option[^>]*value="([A-Z]{2})"', page.split('name="guests-0-nationality"')[1]
    )
    assert options[0] == "VN"
    assert len(options) > 240
    first_button = re.search(
        r"<button[^>]*>|<input[^>]*type=\"submit\"[^>]*>", page.split("<form")[-1]
    )
    assert first_button
    assert 'name="fill_pasted"' in first_button.group(0)


def test_desk_shows_the_overdue_count_and_the_fine_band(desk, hotel, owner, db_session):
    # Noon three days ago: due at 23:00 that day, so overdue by 2 to 3 days at any hour.
    today = utcnow().astimezone(VIETNAM).date()
    three_days_ago = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(12), VIETNAM)
    late = stay_input(
        citizen(role=GuestRole.HEAD),
        citizen(
            full_name="Trần Văn Bình",
            birth_date=dt.date(1990, 6, 15),
            sex=Sex.M,
            document_number="022090123456",
            role=GuestRole.MEMBER,
            relationship="husband",
        ),
        arrival=three_days_ago,
        expected_departure=today + dt.timedelta(days=1),
    )
    declare(db_session, hotel, late, by=owner)
    declare(db_session, hotel, stay_input(foreigner(), room="102"), by=owner)

    page = page_text(desk.get("/en/desk/"))
    assert "2 guests are overdue at the police" in page
    assert "Fine band: 1 to 3 guests not reported" in page
    assert re.search(r"overdue by [23] days", page)
    assert re.search(r"KIM MIN-JUN.*?\d+ h \d+ min left", page, re.S)  # 12 h from an hour ago
    assert "Today's arrivals" in page
    assert page.count('class="overdue"') == 2


def test_self_checked_in_guests_wait_for_confirmation_with_a_link(desk, hotel, db_session):
    stay = declare(db_session, hotel, confirmed=False)
    page = page_text(desk.get("/en/desk/"))
    assert f'href="/en/desk/guests/{stay.guests[0].id}/confirm"' in page
    assert "Every guest has reached the police." in page  # not reported: nothing due yet


def test_an_owner_of_several_places_chooses_one(client, db_session, owner, hotel):
    other = make_establishment(db_session, owner=owner)
    log_in(client, owner.email)
    chooser = page_text(client.get("/en/desk/"))
    assert hotel.name in chooser
    assert other.name in chooser
    page = page_text(client.get(f"/en/desk/?establishment={other.id}"))
    assert f'href="/en/desk/{other.id}/stays/new"' in page


def test_staff_use_the_desk_too(client, db_session, hotel):
    staff = make_user(db_session, Role.LODGING_STAFF)
    make_establishment(db_session, staff=(staff,))
    log_in(client, staff.email)
    assert client.get("/en/desk/").status_code == 200
    assert client.get(new_url(hotel)).status_code == 404  # not their place


def test_vietnamese_pages_render(desk, hotel, owner, db_session):
    stay = declare(db_session, hotel, by=owner)
    for path in (
        "/vi/desk/",
        new_url(hotel, "vi"),
        f"/vi/desk/stays/{stay.id}",
        f"/vi/desk/stays/{stay.id}/edit",
        f"/vi/desk/stays/{stay.id}/cancel",
        f"/vi/desk/{hotel.id}/history",
    ):
        response = desk.get(path)
        assert response.status_code == 200, path
        assert '<html lang="vi">' in response.get_data(as_text=True), path
    assert "Việt Nam" in page_text(desk.get(new_url(hotel, "vi")))  # countries in Vietnamese
