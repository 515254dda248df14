"""From the outbox to the police: which payloads a stay's messages become, and the outcome."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from lodging.feeds.channels import FeedChannel, validation_errors
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
from lodging.registration.models import Channel, GuestRole, Stay
from lodging.registration.services import Actor, report_key
from portal.core import outbox
from portal.core.clock import utcnow
from portal.core.outbox import OutboxMessage, OutboxState, Outcome
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
    keys = [report_key(event.id) for event in stay.events]
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
    return make_handler(transport, TEST_CIPHER)(session, message, utcnow())


def test_the_outbox_keys_are_the_ones_the_registration_gives(db_session: Session) -> None:
    stay = declare(db_session, make_establishment(db_session))
    (message,) = db_session.scalars(select(OutboxMessage)).all()
    assert message.key == report_key(stay.events[0].id)


def test_a_family_declaration_reaches_both_police_channels_under_one_key(
    db_session: Session,
) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    transport = Recorder()
    outcome = deliver(db_session, transport, message)
    assert outcome == Outcome(
        "delivered",
        receipt_id="vn-luutru:R-vn-luutru vn-tamtru:R-vn-tamtru",
        detail="vn-luutru: delivered; vn-tamtru: delivered",
    )
    assert [(ch, key) for ch, key, _ in transport.sent] == [
        ("vn-luutru", message.key),
        ("vn-tamtru", message.key),
    ]
    citizens = transport.payload("vn-luutru")
    assert [g["id_number"] for g in citizens["guests"]] == ["001190012345"]
    assert transport.payload("vn-tamtru")["guests"][0]["passport"]["number"] == "M12345678"
    for channel, _key, payload in transport.sent:
        assert validation_errors(channel, payload) == {}


def test_a_checkout_amends_the_declaration_it_follows(db_session: Session) -> None:
    stay = family(db_session)
    services.check_out(db_session, stay, departed_at=utcnow(), actor=DESK, now=utcnow())
    db_session.commit()
    declared, left = messages(db_session, stay)
    transport = Recorder()
    deliver(db_session, transport, left)
    for channel in ("vn-luutru", "vn-tamtru"):
        payload = transport.payload(channel)
        assert (payload["event"], payload["amends"]) == ("early_departure", declared.key)
        assert payload["status"] == "checked_out"
        assert payload["guests"][0]["period"]["departed_at"] is not None
    deliver(db_session, transport := Recorder(), declared)
    assert transport.payload("vn-luutru")["amends"] is None


def test_each_channel_amends_its_own_last_report(db_session: Session) -> None:
    stay = family(db_session)
    data = sealed.stay_input(stay, TEST_CIPHER)
    fixed = replace(data, guests=(data.guests[0], replace(data.guests[1], full_name="KIM MINJUN")))
    services.correct_stay(db_session, stay, fixed, actor=DESK, cipher=TEST_CIPHER, now=utcnow())
    services.check_out(db_session, stay, departed_at=utcnow(), actor=DESK, now=utcnow())
    db_session.commit()
    declared, corrected, left = messages(db_session, stay)
    transport = Recorder()
    deliver(db_session, transport, corrected)
    assert [channel for channel, _key, _payload in transport.sent] == ["vn-tamtru"]
    assert transport.payload("vn-tamtru")["guests"][0]["full_name_ascii"] == "KIM MINJUN"
    deliver(db_session, transport := Recorder(), left)
    assert transport.payload("vn-luutru")["amends"] == declared.key
    assert transport.payload("vn-tamtru")["amends"] == corrected.key


def test_the_worst_channel_decides_and_errors_point_at_the_declaration(
    db_session: Session,
) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    refusal = Outcome(
        "rejected",
        errors={"guests[0].passport.number": "Unknown passport.", "room": "No such room."},
        detail="HTTP 422",
    )
    outcome = deliver(db_session, Recorder({"vn-tamtru": refusal}), message)
    assert outcome.kind == "rejected"
    assert outcome.receipt_id == ""
    # The foreigner is the stay's second guest: the owner sees the error on that field.
    assert outcome.errors == {
        "guests[1].document_number": "Unknown passport.",
        "room": "No such room.",
    }
    assert outcome.detail == "vn-luutru: delivered; vn-tamtru: rejected (HTTP 422)"


def test_one_channel_down_makes_the_message_retry_and_resend_the_same_key(
    db_session: Session,
) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    transport = Recorder({"vn-luutru": Outcome("retry", detail="HTTP 503")})
    assert deliver(db_session, transport, message).kind == "retry"
    del transport.answers["vn-luutru"]
    transport.answers["vn-tamtru"] = Outcome("unverified", detail="timeout")
    assert deliver(db_session, transport, message).kind == "unverified"
    assert len(transport.sent) == 4
    assert {key for _ch, key, _p in transport.sent} == {message.key}


def test_a_family_goes_through_the_real_receiver_once_per_channel(
    db_session: Session,
) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    with Receiver(secret=SECRET) as receiver:
        transport = HttpTransport(receiver.urls(), SECRET, read_timeout=2)
        first = deliver(db_session, transport, message)
        again = deliver(db_session, transport, message)
        assert first.kind == again.kind == "delivered"
        assert again.receipt_id == first.receipt_id
        assert receiver.accepted_keys("vn-luutru") == receiver.accepted_keys("vn-tamtru")
        assert receiver.accepted_keys("vn-tamtru") == {message.key}
        assert (receiver.counters.accepted, receiver.counters.duplicates) == (2, 2)


def test_delivery_state_shows_on_the_guests(db_session: Session) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    assert [g.report_status for g in stay.guests] == ["queued", "queued"]
    now = utcnow()
    follow_delivery(db_session, message, OutboxState.DELIVERED, now)
    assert [(g.report_status, g.reported_at) for g in stay.guests] == [("delivered", now)] * 2
    follow_delivery(db_session, message, OutboxState.REJECTED, now + dt.timedelta(hours=1))
    assert [(g.report_status, g.reported_at) for g in stay.guests] == [("rejected", now)] * 2


def test_a_days_statistics_are_queued_and_dropped_as_a_file(
    db_session: Session, tmp_path: Path
) -> None:
    stay = family(db_session)
    day = stay.arrival.date()
    message = enqueue_daily_stats(db_session, stay.establishment, day, now=utcnow())
    db_session.flush()
    handler = make_stats_handler(FileDropTransport(tmp_path, SECRET))
    outcome = handler(db_session, message, utcnow())
    assert outcome.kind == "delivered"
    dropped = json.loads((tmp_path / outcome.receipt_id).read_text())
    assert dropped["channel"] == FeedChannel.STATISTICS
    assert validation_errors("stats", dropped) == {}


def test_the_workers_find_a_handler_for_every_stay_event_and_the_statistics() -> None:
    app = Flask(__name__)
    register_feeds(app, Recorder(), TEST_CIPHER)
    registry = outbox.handlers_of(app)
    for event in EVENTS:
        assert registry.channel_of(f"lodging.stay.{event}") == "police"
    assert registry.channel_of(STATS_KIND) == "stats"
    assert registry.channel_of("search.index") is None


@pytest.mark.parametrize(
    ("outcomes", "kind"),
    [
        (("delivered", "unverified"), "unverified"),
        (("unverified", "rejected"), "rejected"),
        (("rejected", "retry"), "retry"),
        (("retry", "unverified"), "retry"),
    ],
)
def test_a_channel_failing_in_passing_keeps_the_message_moving(
    db_session: Session, outcomes: tuple[Any, Any], kind: str
) -> None:
    stay = family(db_session)
    (message,) = messages(db_session, stay)
    citizens, foreigners = (Outcome(o, receipt_id="R") for o in outcomes)
    transport = Recorder({"vn-luutru": citizens, "vn-tamtru": foreigners})
    assert deliver(db_session, transport, message).kind == kind
