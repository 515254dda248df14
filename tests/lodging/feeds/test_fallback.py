"""The fallback files: NA17 for foreigners, the stay register for citizens, downloaded."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from lodging.feeds import fallback
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration.declarations import ForeignerInput
from lodging.registration.models import GuestRole, PassportType, Stay, StayStatus, VisaType
from tests.factories import (
    TEST_CIPHER,
    citizen,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)

TODAY = utcnow().astimezone(VIETNAM).date()


def day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def korean_with_visa() -> ForeignerInput:
    return ForeignerInput(
        passport_type=PassportType.OFFICIAL,
        visa_type=VisaType.VISA,
        visa_number="DL1234567",
        visa_valid_until=TODAY + dt.timedelta(days=60),
        visa_issued_on=TODAY - dt.timedelta(days=30),
        visa_issuer="Đại sứ quán Việt Nam tại Hàn Quốc",
        entry_date=TODAY - dt.timedelta(days=2),
        entry_port="Nội Bài",
        entry_purpose="Du lịch",
    )


def sheet_of(content: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def table(content: bytes) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The header row and every row after it, as the cells' values."""
    rows = list(sheet_of(content).iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "STT")
    return rows[start], rows[start + 1 :]


def heading_text(content: bytes) -> str:
    rows = sheet_of(content).iter_rows(values_only=True)
    return "\n".join(str(row[0]) for row in rows if row[0] != "STT" and row[0] is not None)


@pytest.fixture
def hotel(db_session: Session, owner: User) -> Establishment:
    return make_establishment(db_session, owner=owner, phone="0203 3846 123")


@pytest.fixture
def family(db_session: Session, hotel: Establishment) -> Stay:
    """A Vietnamese wife and her Korean husband in room 101, neither report delivered yet."""
    data = stay_input(
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="chồng", foreigner=korean_with_visa()),
    )
    return declare(db_session, hotel, data)


@pytest.fixture
def desk(client: FlaskClient, owner: User) -> FlaskClient:
    """A client signed in as the hotel's owner."""
    log_in(client, owner.email)
    return client


def export(db_session: Session, hotel: Establishment, kind: str, **dates: dt.date) -> bytes:
    document = fallback.export(
        db_session,
        hotel,
        kind,
        cipher=TEST_CIPHER,
        now=utcnow(),
        actor_id=None,
        actor_label="test",
        address="",
        **dates,
    )
    return document.content


def test_na17_holds_the_foreigner_only_with_the_declared_details_in_vietnamese(
    db_session, hotel, family
):
    content = export(db_session, hotel, fallback.NA17)

    header, rows = table(content)
    assert header == fallback.NA17_HEADERS
    assert rows == [
        (
            1,
            "KIM MIN-JUN",
            "Nam",
            "02/07/1985",
            "KOR",
            "M12345678",
            "công vụ",
            "thị thực",
            "DL1234567",
            day(TODAY + dt.timedelta(days=60)),
            day(TODAY - dt.timedelta(days=30)),
            "Đại sứ quán Việt Nam tại Hàn Quốc",
            day(TODAY - dt.timedelta(days=2)),
            "Nội Bài",
            "Du lịch",
            day(family.arrival.astimezone(VIETNAM).date()),
            day(family.expected_departure),
            "101",
        )
    ]


def test_na17_heading_names_the_establishment_and_the_receiving_commune_police(
    db_session, hotel, family
):
    heading = heading_text(export(db_session, hotel, fallback.NA17))

    assert f"Tên cơ sở lưu trú: {hotel.name}" in heading
    assert f"Địa chỉ: {hotel.street_address}, Phường Bãi Cháy, Quảng Ninh" in heading
    assert "Điện thoại: 0203 3846 123" in heading
    assert "Kính gửi: Công an phường Bãi Cháy, Quảng Ninh" in heading


def test_visa_exempt_foreigner_says_so_in_vietnamese(db_session, hotel):
    declare(db_session, hotel, stay_input(foreigner()))

    _header, rows = table(export(db_session, hotel, fallback.NA17))

    assert [row[6:9] for row in rows] == [("phổ thông", "miễn thị thực", None)]  # an empty cell


def test_register_holds_the_citizen_only_with_her_province_of_residence(db_session, hotel, family):
    content = export(db_session, hotel, fallback.REGISTER)

    header, rows = table(content)
    assert header == fallback.REGISTER_HEADERS
    assert len(rows) == 1
    assert rows[0][:10] == (
        1,
        "Nguyễn Thị Ánh",
        "14/03/1990",
        "Nữ",
        "Việt Nam",
        "001190012345",
        "Hà Nội",
        day(family.arrival.astimezone(VIETNAM).date()),
        day(family.expected_departure),
        "101",
    )
    assert "ngày đi dự kiến" in str(rows[0][10])
    assert "không lưu địa chỉ chi tiết" in heading_text(content)


def test_delivered_and_cancelled_guests_are_left_out(db_session, hotel, family):
    for guest in family.guests:
        guest.report_status = "delivered"
        guest.reported_at = utcnow()  # what the feed worker does with it
    both = (citizen(role=GuestRole.HEAD), foreigner(role=GuestRole.MEMBER, relationship="bạn"))
    cancelled = declare(db_session, hotel, stay_input(*both, room="102"))
    cancelled.status = StayStatus.CANCELLED
    db_session.commit()

    assert table(export(db_session, hotel, fallback.NA17))[1] == []
    assert table(export(db_session, hotel, fallback.REGISTER))[1] == []


def test_other_establishments_guests_are_left_out(db_session, hotel, family):
    elsewhere = make_establishment(db_session)
    declare(db_session, elsewhere, stay_input(citizen(full_name="Trần Văn Bình")))

    _header, rows = table(export(db_session, hotel, fallback.REGISTER))

    assert [row[1] for row in rows] == ["Nguyễn Thị Ánh"]


def test_register_for_dates_holds_every_citizen_who_arrived_then_delivered_or_not(
    db_session, hotel, family
):
    family.guests[0].report_status = "delivered"
    family.guests[0].reported_at = utcnow()
    db_session.commit()
    arrived = family.arrival.astimezone(VIETNAM).date()

    whole = export(db_session, hotel, fallback.REGISTER, arrived_from=arrived, arrived_to=arrived)
    later = export(db_session, hotel, fallback.REGISTER, arrived_from=arrived + dt.timedelta(1))

    assert [row[1] for row in table(whole)[1]] == ["Nguyễn Thị Ánh"]
    assert table(later)[1] == []


def test_a_name_that_looks_like_a_formula_stays_text(db_session, hotel, family):
    family.guests[0].full_name = '=HYPERLINK("http://evil.example","x")'
    db_session.commit()

    sheet = sheet_of(export(db_session, hotel, fallback.REGISTER))
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == 1)

    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","x")'


# --- Downloading ---------------------------------------------------------------------


def download_url(hotel: Establishment, kind: str, lang: str = "en") -> str:
    return f"/{lang}/desk/{hotel.id}/fallback/{kind}.xlsx"


@pytest.mark.parametrize("kind", [fallback.NA17, fallback.REGISTER])
def test_download_is_a_private_attachment_and_goes_on_the_audit_log(
    desk, db_session, owner, family, kind
):
    hotel = family.establishment

    response = desk.get(download_url(hotel, kind))

    assert response.status_code == 200
    assert response.mimetype == fallback.XLSX_MIME
    prefix = "NA17" if kind == fallback.NA17 else "DD10"
    assert re.fullmatch(
        rf'attachment; filename="{prefix}-{hotel.id}-\d{{8}}-\d{{4}}\.xlsx"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "no-store"
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "guest.export_fallback")
    )
    assert entry is not None
    assert entry.actor_id == owner.id
    assert entry.target_id == str(hotel.id)
    foreign = family.guests[1].id if kind == fallback.NA17 else family.guests[0].id
    assert entry.detail == {"kind": kind, "guest_ids": [foreign]}
    assert len(table(response.data)[1]) == 1


def test_staff_may_download_too(client, db_session, family, hotel):
    staff = make_user(db_session, Role.LODGING_STAFF)
    properties.add_member(db_session, hotel, staff, now=utcnow())
    db_session.commit()
    log_in(client, staff.email)

    assert client.get(download_url(hotel, fallback.REGISTER, lang="vi")).status_code == 200


@pytest.mark.parametrize("kind", [fallback.NA17, fallback.REGISTER])
def test_another_establishments_owner_gets_404_and_nothing_is_logged(
    client, db_session, hotel, family, kind
):
    stranger = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=stranger)
    log_in(client, stranger.email)

    assert client.get(download_url(hotel, kind)).status_code == 404
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action.like("guest.%"))) is None


def test_register_dates_in_the_wrong_order_send_back_to_the_desk_with_them(
    desk, db_session, hotel, family
):
    response = desk.get(
        download_url(hotel, fallback.REGISTER),
        query_string={"from": "2026-05-03", "to": "2026-05-01"},
    )

    assert response.status_code == 302
    page = desk.get(response.headers["Location"]).get_data(as_text=True)
    assert "the first not after the last" in page
    assert 'value="2026-05-03"' in page
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action.like("guest.%"))) is None


def test_register_for_dates_downloads_from_the_desk_form(desk, db_session, hotel, family):
    family.guests[0].report_status = "delivered"
    family.guests[0].reported_at = utcnow()
    db_session.commit()
    arrived = family.arrival.astimezone(VIETNAM).date().isoformat()

    response = desk.get(
        download_url(hotel, fallback.REGISTER), query_string={"from": arrived, "to": arrived}
    )

    assert response.status_code == 200
    assert [row[1] for row in table(response.data)[1]] == ["Nguyễn Thị Ánh"]
    entry = db_session.scalar(
        select(AuditEntry).where(AuditEntry.action == "guest.export_fallback")
    )
    assert entry is not None
    assert entry.detail["arrived_from"] == arrived
