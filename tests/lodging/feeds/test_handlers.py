"""From the outbox to the police: which payloads a stay's messages become, and the outcome."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.outbox import messages as outbox
from core.outbox.messages import OutboxMessage, OutboxState, Outcome
from lodging.feeds.channels import validation_errors
from lodging.feeds.handlers import (
    STATS_KIND,
    enqueue_daily_stats,
    follow_delivery,
    make_handler,
    make_stats_handler,
    register_feeds,
)
from lodging.feeds.payloads import EVENTS
from lodging.feeds.receiver import Receiver
from lodging.feeds.transports import FileDropTransport, HttpTransport
from lodging.registration import sealed, services
from lodging.registration.models import Actor, Channel, GuestRole, Stay
from lodging.registration.reports import FeedChannel, report_key, report_keys
from tests.factories import TEST_CIPHER, citizen, declare, foreigner, make_establishment, stay_input

DESK = Actor(None, "test", Channel.DESK)
SECRET = b"handler-test-secret"


class Recorder:
    """A transport that keeps what it is given and answers as told per channel."""

    def __init__(self, answers: Mapping[str, Outcome] | None = None) -> None:
        self.answers = dict(answers or {})
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    def send(self, channel: str, key: str, payload: Mapping[str, Any]) -> Outcome:
        self.sent.append((channel, key, dict(payload)))
        return self.answers.get(channel, Outcome("delivered", receipt_id=f"R-{channel}"))

    def payload(self, channel: str) -> dict[str, Any]:
        return next(p for ch, _key, p in self.sent if ch == channel)


def messages(session: Session, stay: Stay) -> list[OutboxMessage]:
    keys = report_keys(event.id for event in stay.events)
    found = session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(keys)))
    return sorted(found, key=lambda m: m.id)


def family(session: Session) -> Stay:
    hotel = make_establishment(session)
    data = stay_input(
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="husband"),
    )
    return declare(session, hotel, data)


def deliver(session: Session, transport: Any, message: OutboxMessage) -> Outcome:
    route = FeedChannel[message.kind.split(".")[2].upper()]
    return make_handler(transport, TEST_CIPHER, route)(session, message, utcnow())


def test_the_outbox_keys_are_the_ones_the_registration_gives(db_session: Session) -> None:
    stay = declare(db_session, make_establishment(db_session))
    reports = select(OutboxMessage).where(OutboxMessage.kind.startswith("lodging.stay."))
    (message,) = db_session.scalars(reports).all()
    assert message.kind == "lodging.stay.citizens.declare"
    assert message.key == report_key(stay.events[0].id, FeedChannel.CITIZENS)


def test_a_family_declaration_is_one_report_per_police_channel_each_under_its_key(
    db_session: Session,
) -> None:
    stay = family(db_session)
    citizens, foreigners = messages(db_session, stay)
    transport = Recorder()
    assert deliver(db_session, transport, citizens) == Outcome("delivered", "R-vn-luutru")
    assert deliver(db_session, transport, foreigners) == Outcome("delivered", "R-vn-tamtru")
    assert [(ch, key) for ch, key, _ in transport.sent] == [
        ("vn-luutru", citizens.key),
        ("vn-tamtru", foreigners.key),
    ]
    assert [g["id_number"] for g in transport.payload("vn-luutru")["guests"]] == ["001190012345"]
    assert transport.payload("vn-tamtru")["guests"][0]["passport"]["number"] == "M12345678"
    for channel, _key, payload in transport.sent:
        assert validation_errors(channel, payload) == {}


def test_a_checkout_amends_the_declaration_it_follows_on_each_channel(db_session: Session) -> None:
    stay = family(db_session)
    services.check_out(db_session, stay, departed_at=utcnow(), actor=DESK, now=utcnow())
    db_session.commit()
    declared_c, declared_f, left_c, left_f = messages(db_session, stay)
    transport = Recorder()
    deliver(db_session, transport, left_c)
    deliver(db_session, transport, left_f)
    for channel, declared in (("vn-luutru", declared_c), ("vn-tamtru", declared_f)):
        payload = transport.payload(channel)
        assert (payload["event"], payload["amends"]) == ("early_departure", declared.key)
        assert payload["status"] == "checked_out"
        assert payload["guests"][0]["period"]["departed_at"] is not None
    deliver(db_session, transport := Recorder(), declared_c)
    assert transport.payload("vn-luutru")["amends"] is None


def test_each_channel_amends_its_own_last_report(db_session: Session) -> None:
    stay = family(db_session)
    data = sealed.stay_input(stay, TEST_CIPHER)
    fixed = replace(data, guests=(data.guests[0], replace(data.guests[1], full_name="KIM MINJUN")))
    services.correct_stay(db_session, stay, fixed, actor=DESK, cipher=TEST_CIPHER, now=utcnow())
    services.check_out(db_session, stay, departed_at=utcnow(), actor=DESK, now=utcnow())
    db_session.commit()
    declared_c, _declared_f, corrected, left_c, left_f = messages(db_session, stay)
    assert corrected.kind == "lodging.stay.foreigners.correction"  # only the foreigner changed
    transport = Recorder()
    deliver(db_session, transport, corrected)
    assert transport.payload("vn-tamtru")["guests"][0]["full_name_ascii"] == "KIM MINJUN"
    deliver(db_session, transport := Recorder(), left_c)
    deliver(db_session, transport, left_f)
    assert transport.payload("vn-luutru")["amends"] == declared_c.key
    assert transport.payload("vn-tamtru")["amends"] == corrected.key


def test_a_refusal_points_at_the_declarations_own_fields(db_session: Session) -> None:
    stay = family(db_session)
    _citizens, foreigners = messages(db_session, stay)
    refusal = Outcome(
        "rejected",
        errors={"guests[0].passport.number": "Unknown passport.", "room": "No such room."},
        detail="HTTP 422",
    )
    outcome = deliver(db_session, Recorder({"vn-tamtru": refusal}), foreigners)
    assert (outcome.kind, outcome.detail) == ("rejected", "HTTP 422")
    # The foreigner is the stay's second guest: the owner sees the error on that field.
    assert outcome.errors == {
        "guests[1].document_number": "Unknown passport.",
        "room": "No such room.",
    }


def test_one_channel_down_holds_up_only_its_own_reports(db_session: Session) -> None:
    stay = family(db_session)
    citizens, foreigners = messages(db_session, stay)
    transport = Recorder({"vn-tamtru": Outcome("retry", detail="HTTP 503")})
    assert deliver(db_session, transport, citizens).kind == "delivered"
    assert deliver(db_session, transport, foreigners).kind == "retry"
    app = Flask(__name__)
    register_feeds(app, transport, TEST_CIPHER)
    registry = outbox.handlers_of(app)
    # Separate channels: separate circuit breakers and status lines.
    assert registry.channel_of(citizens.kind) == "vn-luutru"
    assert registry.channel_of(foreigners.kind) == "vn-tamtru"


def test_a_family_goes_through_the_real_receiver_once_per_channel(
    db_session: Session,
) -> None:
    stay = family(db_session)
    citizens, foreigners = messages(db_session, stay)
    with Receiver(secret=SECRET) as receiver:
        transport = HttpTransport(receiver.urls(), SECRET, read_timeout=2)
        for message in (citizens, foreigners):
            first = deliver(db_session, transport, message)
            again = deliver(db_session, transport, message)
            assert first.kind == again.kind == "delivered"
            assert again.receipt_id == first.receipt_id
        assert receiver.accepted_keys("vn-luutru") == {citizens.key}
        assert receiver.accepted_keys("vn-tamtru") == {foreigners.key}
        assert (receiver.counters.accepted, receiver.counters.duplicates) == (2, 2)


def test_delivery_state_shows_on_the_guests_of_its_report(db_session: Session) -> None:
    stay = family(db_session)
    citizens, _foreigners = messages(db_session, stay)
    assert [g.report_status for g in stay.guests] == ["queued", "queued"]
    now = utcnow()
    follow_delivery(db_session, citizens, OutboxState.DELIVERED, now)
    assert [(g.report_status, g.reported_at) for g in stay.guests] == [
        ("delivered", now),
        ("queued", None),
    ]
    follow_delivery(db_session, citizens, OutboxState.REJECTED, now + dt.timedelta(hours=1))
    assert stay.guests[0].report_status == "rejected"
    assert stay.guests[0].reported_at == now


def test_a_report_delivered_only_into_the_file_drop_leaves_its_guests_not_notified(
    db_session: Session,
) -> None:
    stay = family(db_session)
    citizens, _foreigners = messages(db_session, stay)
    now = utcnow()
    citizens.receipt_id = "file-drop:vn-luutru/2026-12-07/" + citizens.key + ".json"
    follow_delivery(db_session, citizens, OutboxState.DELIVERED, now)
    assert (stay.guests[0].report_status, stay.guests[0].reported_at) == ("filed", None)
    # A later report that reaches the police makes them notified then, not before.
    citizens.receipt_id = "<abc@portal.example>"
    follow_delivery(db_session, citizens, OutboxState.DELIVERED, now + dt.timedelta(hours=1))
    assert stay.guests[0].reported_at == now + dt.timedelta(hours=1)


def test_a_days_statistics_are_queued_and_dropped_as_a_file(
    db_session: Session, tmp_path: Path
) -> None:
    stay = family(db_session)
    day = stay.arrival.date()
    message = enqueue_daily_stats(db_session, stay.establishment, day, now=utcnow())
    db_session.flush()
    files = FileDropTransport(tmp_path, SECRET)
    outcome = make_stats_handler(files)(db_session, message, utcnow())
    assert outcome.kind == "delivered"
    dropped = json.loads(files.path_of(outcome.receipt_id).read_text())
    assert dropped["channel"] == FeedChannel.STATISTICS
    assert validation_errors("stats", dropped) == {}


def test_the_workers_find_a_handler_for_every_stay_event_and_the_statistics() -> None:
    app = Flask(__name__)
    register_feeds(app, Recorder(), TEST_CIPHER)
    registry = outbox.handlers_of(app)
    for event in EVENTS:
        assert registry.channel_of(f"lodging.stay.citizens.{event}") == "vn-luutru"
        assert registry.channel_of(f"lodging.stay.foreigners.{event}") == "vn-tamtru"
        assert registry.channel_of(f"lodging.stay.{event}") is None
    assert registry.channel_of(STATS_KIND) == "stats"
    assert registry.channel_of("search.index") is None
