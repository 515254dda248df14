"""Hand-over at the desk: each portal's batch, its file number, and who is notified then."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from lodging.feeds import batch_templates, handover, handover_batches
from lodging.feeds.handover import HandoverError
from lodging.feeds.models import HandoverBatch
from lodging.properties.models import Establishment
from lodging.registration import services
from lodging.registration.desk import overview as desk
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, GuestRole, Stay
from portal.dashboard.compliance import late_declarations
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

CITIZENS, FOREIGNERS = batch_templates.CITIZENS_PORTAL, batch_templates.FOREIGNERS_PORTAL


@pytest.fixture
def family(db_session: Session, hotel: Establishment) -> Stay:
    """A Vietnamese wife and her Korean husband in room 101, not notified yet."""
    data = stay_input(
        citizen(role=GuestRole.HEAD), foreigner(role=GuestRole.MEMBER, relationship="chồng")
    )
    return declare(db_session, hotel, data)


@pytest.fixture
def desk_client(client: FlaskClient, owner: User) -> FlaskClient:
    log_in(client, owner.email)
    return client


def make(session: Session, hotel: Establishment, portal: str, now: dt.datetime | None = None):
    return handover_batches.make_batch(
        session,
        hotel,
        portal,
        cipher=TEST_CIPHER,
        now=now or utcnow(),
        actor_id=None,
        actor_label="owner@example.com",
        address="127.0.0.1",
    )


def hand_over(session: Session, hotel: Establishment, portal: str, number: str, now=None):
    return handover_batches.record_file_number(
        session, hotel, portal, number, now=now or utcnow(), actor_id=None, actor_label="owner"
    )


def card(session: Session, hotel: Establishment, portal: str) -> handover.PortalCard:
    board = handover.board(session, hotel.id, TEST_CIPHER, utcnow())
    return next(c for c in board.cards if c.portal == portal)


def cells(content: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert isinstance(sheet, Worksheet)
    return list(sheet.iter_rows(values_only=True))


def test_the_due_guests_are_grouped_per_portal(db_session, hotel, family):
    assert [g.full_name for g in card(db_session, hotel, CITIZENS).due] == ["Nguyễn Thị Ánh"]
    assert [g.full_name for g in card(db_session, hotel, FOREIGNERS).due] == ["KIM MIN-JUN"]


def test_a_self_checked_in_guest_is_due_only_once_confirmed(db_session, hotel):
    declare(db_session, hotel, stay_input(citizen()), confirmed=False)
    assert card(db_session, hotel, CITIZENS).due == ()


def test_each_portal_batch_holds_its_guests_in_its_template(db_session, hotel, family):
    for portal, name, number in (
        (CITIZENS, "Nguyễn Thị Ánh", "001190012345"),
        (FOREIGNERS, "KIM MIN-JUN", "M12345678"),
    ):
        download = make(db_session, hotel, portal)
        rows = cells(download.content)
        assert list(rows[0]) == batch_templates.current(portal).headers
        assert len(rows) == 2
        assert name in rows[1]
        assert number in rows[1]
        assert number not in download.filename


def test_recording_the_file_number_notifies_the_batch_at_that_moment(db_session, hotel, family):
    make(db_session, hotel, FOREIGNERS)
    at = utcnow()
    batch = hand_over(db_session, hotel, FOREIGNERS, "  XNC-2026/001.7 ", now=at)

    assert batch.file_number == "XNC-2026/001.7"
    korean = next(g for g in family.guests if g.is_foreigner)
    assert korean.reported_at == at
    assert card(db_session, hotel, FOREIGNERS).due == ()
    handed = card(db_session, hotel, FOREIGNERS).handed_over[0]
    assert (handed.file_number, handed.names, handed.handed_over_by) == (
        "XNC-2026/001.7",
        ("KIM MIN-JUN",),
        "owner",
    )
    # The desk's "not reported yet" list and the fine count agree.
    left = desk.overview(db_session, hotel.id, utcnow()).unreported
    assert [g.full_name for g in left] == ["Nguyễn Thị Ánh"]


def test_a_batch_downloaded_twice_waits_no_more_once_the_newer_is_handed_over(
    db_session, hotel, family
):
    make(db_session, hotel, FOREIGNERS)
    make(db_session, hotel, FOREIGNERS)  # downloaded again before the upload
    assert card(db_session, hotel, FOREIGNERS).open_batch is not None

    hand_over(db_session, hotel, FOREIGNERS, "XNC-1")

    assert card(db_session, hotel, FOREIGNERS).open_batch is None


def test_a_hand_over_does_not_move_an_earlier_notification(db_session, hotel, family):
    korean = next(g for g in family.guests if g.is_foreigner)
    make(db_session, hotel, FOREIGNERS)
    earlier = utcnow() - dt.timedelta(minutes=5)
    korean.reported_at = earlier  # the receiver delivered it meanwhile
    hand_over(db_session, hotel, FOREIGNERS, "A1")
    assert korean.reported_at == earlier


def test_a_late_hand_over_counts_as_late_and_no_longer_overdue(db_session, hotel):
    family = declare(db_session, hotel, stay_input(citizen()))  # a citizen alone
    make(db_session, hotel, CITIZENS)
    wife = next(g for g in family.guests if not g.is_foreigner)
    assert wife.deadline is not None
    late = wife.deadline + dt.timedelta(hours=2)
    before = late_declarations(
        db_session,
        since=family.arrival - dt.timedelta(days=1),
        now=late,
        establishment_ids=[hotel.id],
    )
    assert (before[0].late, before[0].overdue) == (0, 1)
    overdue = handover.board(db_session, hotel.id, TEST_CIPHER, late)
    assert overdue.overdue_count == 1
    assert overdue.fine_band is not None
    assert overdue.fine_band.minimum_fine == 2_000_000

    hand_over(db_session, hotel, CITIZENS, "DVC-1", now=late)

    after = late_declarations(
        db_session,
        since=family.arrival - dt.timedelta(days=1),
        now=late,
        establishment_ids=[hotel.id],
    )
    assert (after[0].late, after[0].overdue) == (1, 0)
    assert handover.board(db_session, hotel.id, TEST_CIPHER, late).overdue_count == 0


def test_a_guest_changed_after_hand_over_is_due_again_for_a_corrected_notice(
    db_session, hotel, family, owner
):
    make(db_session, hotel, CITIZENS)
    hand_over(db_session, hotel, CITIZENS, "DVC-1")
    assert card(db_session, hotel, CITIZENS).due == ()

    changed = stay_input(
        citizen(role=GuestRole.HEAD, full_name="Nguyễn Thị Ánh Hồng"),
        foreigner(role=GuestRole.MEMBER, relationship="chồng"),
        arrival=family.arrival,
        expected_departure=family.expected_departure,
    )
    actor = Actor(owner.id, owner.email, Channel.DESK)
    later = utcnow() + dt.timedelta(seconds=1)
    services.correct_stay(db_session, family, changed, actor=actor, cipher=TEST_CIPHER, now=later)

    due = card(db_session, hotel, CITIZENS).due
    assert [(g.full_name, g.correction, g.overdue) for g in due] == [
        ("Nguyễn Thị Ánh Hồng", True, False)
    ]
    batch = make(db_session, hotel, CITIZENS, now=later)
    assert "Nguyễn Thị Ánh Hồng" in cells(batch.content)[1]
    hand_over(db_session, hotel, CITIZENS, "DVC-2", now=later + dt.timedelta(seconds=1))
    assert card(db_session, hotel, CITIZENS).due == ()


def test_a_batch_downloads_again_with_the_same_guests_on_the_audit_log(db_session, hotel, family):
    first = make(db_session, hotel, CITIZENS)
    declare(
        db_session,
        hotel,
        stay_input(
            citizen(
                full_name="Lê Văn Cường",
                sex=Sex.M,
                birth_date=dt.date(1990, 3, 14),
                document_number="001090012345",
            ),
            room="102",
        ),
    )
    again = handover_batches.download_batch(
        db_session,
        hotel,
        first.batch_id,
        cipher=TEST_CIPHER,
        now=utcnow(),
        actor_id=None,
        actor_label="staff",
        address="",
    )
    assert cells(again.content) == cells(first.content)
    logged = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "guest.export_handover")
    ).all()
    assert [entry.detail["batch_id"] for entry in logged] == [first.batch_id] * 2
    assert all("001190012345" not in str(entry.detail) for entry in logged)


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "x" * 65, "DVC<script>", "số-1"],
)
def test_a_file_number_must_be_letters_digits_and_separators(db_session, hotel, family, typed):
    make(db_session, hotel, CITIZENS)
    with pytest.raises(HandoverError) as raised:
        hand_over(db_session, hotel, CITIZENS, typed)
    assert "file_number" in raised.value.errors
    assert db_session.scalars(select(HandoverBatch)).one().handed_over_at is None


def test_a_file_number_needs_a_downloaded_batch(db_session, hotel, family):
    with pytest.raises(HandoverError):
        hand_over(db_session, hotel, CITIZENS, "DVC-1")


# --- The page --------------------------------------------------------------------------


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ("Hand over to the police portals", "Download the batch (1 guest)")),
        ("vi", ("Nộp lên cổng của công an", "Tải tệp danh sách (1 khách)")),
    ],
)
def test_the_owner_hands_a_batch_over_on_the_page(desk_client, hotel, family, lang, words):
    page = desk_client.get(f"/{lang}/desk/{hotel.id}/handover")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for word in words:
        assert word in text
    token = csrf(text)
    download = desk_client.post(
        f"/{lang}/desk/{hotel.id}/handover/{FOREIGNERS}/batch", data={"csrf_token": token}
    )
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "KIM MIN-JUN" in cells(download.data)[1]

    done = desk_client.post(
        f"/{lang}/desk/{hotel.id}/handover/{FOREIGNERS}/file-number",
        data={"csrf_token": token, f"{FOREIGNERS}-file_number": "XNC-77"},
        follow_redirects=True,
    )
    text = done.get_data(as_text=True)
    assert done.status_code == 200
    assert ("file no. XNC-77" if lang == "en" else "số hồ sơ XNC-77") in text
    assert "001190012345" not in text
    assert "M12345678" not in text
    desk_page = desk_client.get(f"/{lang}/desk/?establishment={hotel.id}").get_data(as_text=True)
    to_report = desk_page.split('id="due-heading"')[1].split("</section>")[0]
    assert "KIM MIN-JUN" not in to_report
    assert "Nguyễn Thị Ánh" in to_report


def test_a_bad_file_number_is_refused_and_kept_on_the_page(desk_client, hotel, family):
    text = desk_client.get(f"/en/desk/{hotel.id}/handover").get_data(as_text=True)
    token = csrf(text)
    desk_client.post(f"/en/desk/{hotel.id}/handover/{CITIZENS}/batch", data={"csrf_token": token})
    refused = desk_client.post(
        f"/en/desk/{hotel.id}/handover/{CITIZENS}/file-number",
        data={"csrf_token": token, f"{CITIZENS}-file_number": "DVC#1"},
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "letters, digits, spaces and - / . only" in text
    assert 'value="DVC#1"' in text


def test_another_establishment_gets_404(db_session, client, hotel, family):
    other = make_user(db_session, Role.LODGING_OWNER)
    make_establishment(db_session, owner=other)
    batch = make(db_session, hotel, CITIZENS)
    db_session.commit()
    log_in(client, other.email)
    token = csrf(client.get("/en/desk/").get_data(as_text=True))
    assert client.get(f"/en/desk/{hotel.id}/handover").status_code == 404
    assert (
        client.get(f"/en/desk/{hotel.id}/handover/batches/{batch.batch_id}.xlsx").status_code == 404
    )
    posted = client.post(
        f"/en/desk/{hotel.id}/handover/{CITIZENS}/file-number",
        data={"csrf_token": token, f"{CITIZENS}-file_number": "X1"},
    )
    assert posted.status_code == 404
    assert db_session.get(HandoverBatch, batch.batch_id).handed_over_at is None
