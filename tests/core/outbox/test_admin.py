"""The admins' page on the outbox: counts, what needs attention, evidence and replays."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.auth.roles import Role
from core.clock import utcnow
from core.outbox import messages as outbox
from core.outbox.messages import OutboxAttempt, OutboxMessage, OutboxState
from lodging.registration.models import Guest, GuestRole
from tests.factories import (
    citizen,
    csrf_token,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)

STATUS = "/en/admin/feeds/"
POLICE = "lodging.stay.citizens.declare"
STATS = "lodging.stats.day"


@pytest.fixture
def admin(client, db_session):
    user = make_user(db_session, Role.ADMIN)
    log_in(client, user.email)
    return user


def add_message(session, state, *, kind=POLICE, age=dt.timedelta(0), **values):
    created = utcnow() - age
    key = values.pop("key", f"test-{state.value}-{next_key()}")
    message = outbox.enqueue(
        session, kind=kind, key=key, payload=values.pop("payload", {}), now=created
    )
    message.state = state
    for name, value in values.items():
        setattr(message, name, value)
    session.commit()
    return message


_keys = iter(range(1, 10_000))


def next_key():
    return next(_keys)


def add_attempt(session, message, *, at, outcome="retry", detail="HTTP 500", worker="w1"):
    session.add(
        OutboxAttempt(
            message_id=message.id,
            at=at,
            worker=worker,
            outcome=outcome,
            detail=detail,
            duration_ms=1234,
        )
    )
    session.commit()


class TableReader(HTMLParser):
    """The cells' text of the first table with ``class_``, row by row."""

    def __init__(self, class_: str) -> None:
        super().__init__()
        self.class_ = class_
        self.inside = False
        self.rows: list[list[str]] = []
        self.cell: str | None = None  # the text of the cell being read

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", self.class_) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in {"th", "td"}:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in {"th", "td"} and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def counts_table(page):
    """{row heading: {channel: cell}} from the counts table."""
    reader = TableReader("counts")
    reader.feed(page)
    header, *rows = reader.rows
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows}


def message_ids_listed(page):
    return [
        int(part.split('"')[0])
        for part in page.split('href="/en/admin/feeds/')[1:]
        if part[0].isdigit()
    ]


# --- Who may see it ------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, db_session):
    message = add_message(db_session, OutboxState.DEAD)
    for path in (STATUS, f"/en/admin/feeds/{message.id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/en/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.TOURISM_OFFICER, Role.LODGING_OWNER])
def test_officers_and_owners_are_refused(client, db_session, role):
    message = add_message(db_session, OutboxState.DEAD)
    user = make_user(db_session, role)
    log_in(client, user.email)
    token = csrf_token(client, "/en/account")
    assert client.get(STATUS).status_code == 403
    assert client.get(f"/en/admin/feeds/{message.id}").status_code == 403
    for path in (f"/en/admin/feeds/{message.id}/replay", "/en/admin/feeds/replay-dead"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
    db_session.refresh(message)
    assert message.state is OutboxState.DEAD


# --- Counts and what needs attention ---------------------------------------------------


def test_counts_per_channel_and_state_match_the_messages(client, db_session, admin):
    for state in (OutboxState.QUEUED, OutboxState.QUEUED, OutboxState.DEAD, OutboxState.REJECTED):
        add_message(db_session, state)
    add_message(db_session, OutboxState.DELIVERED, kind=STATS)
    add_message(db_session, OutboxState.QUEUED, kind=STATS, age=dt.timedelta(hours=3))
    add_message(db_session, OutboxState.QUEUED, kind="test.nobody")

    page = client.get(STATUS).get_data(as_text=True)
    table = counts_table(page)
    columns = ("vn-luutru", "stats", "No handler (test.nobody)")
    assert [table["Queued"][column] for column in columns] == ["2", "1", "1"]
    assert [table["Dead"][column] for column in columns] == ["1", "0", "0"]
    assert table["Rejected"]["vn-luutru"] == "1"
    assert table["Delivered"]["stats"] == "1"
    assert table["Oldest waiting"]["stats"] == "3 hours"
    assert "The oldest message still waiting has waited 3 hours" in page
    assert "<caption" in page


def test_an_empty_outbox_says_so(client, admin):
    page = client.get(STATUS).get_data(as_text=True)
    assert "The outbox is empty." in page
    assert "Nothing needs attention." in page
    assert "No message is waiting to be sent." in page


def test_only_dead_unverified_and_rejected_are_listed_most_recent_first(client, db_session, admin):
    old_dead = add_message(db_session, OutboxState.DEAD, age=dt.timedelta(days=2))
    rejected = add_message(db_session, OutboxState.REJECTED, age=dt.timedelta(days=1))
    unverified = add_message(db_session, OutboxState.UNVERIFIED, age=dt.timedelta(hours=5))
    add_attempt(db_session, old_dead, at=utcnow() - dt.timedelta(minutes=1))  # failed just now
    add_message(db_session, OutboxState.DELIVERED)
    add_message(db_session, OutboxState.QUEUED)

    listed = message_ids_listed(client.get(STATUS).get_data(as_text=True))
    assert listed == [old_dead.id, unverified.id, rejected.id]
    dead_only = client.get(STATUS + "?state=dead").get_data(as_text=True)
    assert message_ids_listed(dead_only) == [old_dead.id]
    assert "Send all dead again" in dead_only


def test_the_list_shows_50_a_page(client, db_session, admin):
    for n in range(51):
        add_message(db_session, OutboxState.DEAD, age=dt.timedelta(minutes=n))
    first = client.get(STATUS).get_data(as_text=True)
    second = client.get(STATUS + "?page=2").get_data(as_text=True)
    assert len(message_ids_listed(first)) == 50
    assert len(message_ids_listed(second)) == 1
    assert "Page 2 of 2" in second
    assert not set(message_ids_listed(first)) & set(message_ids_listed(second))


# --- One message ------------------------------------------------------------------------


def test_a_message_page_lists_its_attempts_in_vietnam_time(client, db_session, admin):
    message = add_message(db_session, OutboxState.DEAD, attempts=2, last_error="HTTP 503")
    first = dt.datetime(2026, 1, 5, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
    add_attempt(db_session, message, at=first, detail="could not connect", worker="host-a:41")
    add_attempt(db_session, message, at=first + dt.timedelta(minutes=5), detail="HTTP 503")

    page = client.get(f"/en/admin/feeds/{message.id}").get_data(as_text=True)
    reader = TableReader("attempts")
    reader.feed(page)
    rows = reader.rows[1:]
    assert len(rows) == 2
    assert rows[0][0] == "Jan 5, 2026, 10:00:00 AM"
    assert rows[0][1:] == ["host-a:41", "Failed, to be retried", "could not connect", "1,234 ms"]
    assert rows[1][0] == "Jan 5, 2026, 10:05:00 AM"
    assert message.key in page
    assert "Send again (same key)" in page


def test_an_unknown_message_is_not_found(client, admin):
    assert client.get("/en/admin/feeds/999999").status_code == 404


def test_a_delivered_message_offers_no_resend(client, db_session, admin):
    message = add_message(db_session, OutboxState.DELIVERED, receipt_id="R-77")
    page = client.get(f"/en/admin/feeds/{message.id}").get_data(as_text=True)
    assert "R-77" in page
    assert "Send again (same key)" not in page


# --- Replays ---------------------------------------------------------------------------


def replays(session):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.replay")).all()


def test_replaying_a_dead_report_queues_it_again_with_its_key_and_audits_it(
    client, db_session, admin
):
    stay = declare(db_session, make_establishment(db_session))
    message = db_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind.startswith("lodging.stay."))
    )
    message.state, message.attempts, message.last_error = OutboxState.DEAD, 12, "HTTP 500"
    db_session.commit()
    key, path = message.key, f"/en/admin/feeds/{message.id}"

    response = client.post(f"{path}/replay", data={"csrf_token": csrf_token(client, path)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(path)
    db_session.refresh(message)
    assert (message.state, message.key, message.attempts) == (OutboxState.QUEUED, key, 0)
    [entry] = replays(db_session)
    assert (entry.actor_id, entry.target_id, entry.detail["from"]) == (
        admin.id,
        str(message.id),
        "dead",
    )
    guest = db_session.scalar(select(Guest).where(Guest.stay_id == stay.id))
    assert guest.report_status == "queued"  # the desk shows it moving again
    assert "is queued again with the same key" in client.get(path).get_data(as_text=True)


def test_replaying_a_delivered_message_is_refused_and_changes_nothing(client, db_session, admin):
    message = add_message(db_session, OutboxState.DELIVERED, receipt_id="R-1")
    path = f"/en/admin/feeds/{message.id}"
    response = client.post(
        f"{path}/replay", data={"csrf_token": csrf_token(client, path)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "was not sent again: its state is “Delivered”" in page
    db_session.refresh(message)
    assert (message.state, message.receipt_id) == (OutboxState.DELIVERED, "R-1")
    assert replays(db_session) == []


def test_a_replay_without_the_form_token_is_refused(client, db_session, admin):
    message = add_message(db_session, OutboxState.DEAD)
    assert client.post(f"/en/admin/feeds/{message.id}/replay").status_code == 400
    db_session.refresh(message)
    assert message.state is OutboxState.DEAD


def test_send_all_dead_again_replays_the_dead_only(client, db_session, admin):
    dead = [add_message(db_session, OutboxState.DEAD) for _ in range(2)]
    unverified = add_message(db_session, OutboxState.UNVERIFIED)
    response = client.post(
        "/en/admin/feeds/replay-dead",
        data={"csrf_token": csrf_token(client, STATUS)},
        follow_redirects=True,
    )
    assert "2 dead messages are queued again." in response.get_data(as_text=True)
    for message in (*dead, unverified):
        db_session.refresh(message)
    assert [m.state for m in dead] == [OutboxState.QUEUED, OutboxState.QUEUED]
    assert unverified.state is OutboxState.UNVERIFIED
    assert len(replays(db_session)) == 2


# --- No personal data ------------------------------------------------------------------


def test_pages_show_ids_but_no_guest_names_or_document_numbers(client, db_session, admin):
    data = stay_input(
        citizen(role=GuestRole.HEAD), foreigner(role=GuestRole.MEMBER, relationship="husband")
    )
    stay = declare(db_session, make_establishment(db_session), data)
    message = db_session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind.startswith("lodging.stay."))
    )
    # A JSON Schema message repeats the value it refused.
    message.state = OutboxState.REJECTED
    # A payload that carried personal data (none of ours do) would still show its ids only.
    message.payload = {
        **message.payload,
        "full_name": "Nguyễn Thị Ánh",
        "document_id": "M12345678",
    }
    message.errors = {
        "guests[0].full_name": "'Nguyễn Thị Ánh' is too long",
        "guests[1].document_number": "'M12345678' does not match '^[0-9]+$'",
        "vn-luutru:id_number": "001190012345 is not valid",
    }
    db_session.commit()
    guest_ids = db_session.scalars(
        select(Guest.id).where(Guest.stay_id == stay.id).order_by(Guest.id)
    ).all()

    for path in (STATUS, f"/en/admin/feeds/{message.id}"):
        page = client.get(path).get_data(as_text=True)
        for secret in (
            "Nguyễn Thị Ánh",
            "Nguyen Thi Anh",
            "KIM MIN-JUN",
            "M12345678",
            "001190012345",
        ):
            assert secret not in page, (path, secret)
        assert f"<code>stay_id</code> {stay.id}" in page
        assert f"<code>guest_ids</code> {guest_ids[0]}</" in page  # the citizens' report
        assert "<code>guests[0].full_name</code>: … is too long" in page


def test_the_pages_render_in_vietnamese(client, db_session, admin):
    message = add_message(db_session, OutboxState.DEAD)
    add_attempt(db_session, message, at=utcnow())
    for path in ("/vi/admin/feeds/", f"/vi/admin/feeds/{message.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert '<html lang="vi">' in response.get_data(as_text=True)
