"""The delivery engine, one step at a time: claims, outcomes, retries, leases, replays."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from core.audit import AuditEntry
from core.outbox.delivery import RetryPolicy, claim_due, deliver, release
from core.outbox.messages import (
    HANDLERS,
    HandlerRegistry,
    OutboxAttempt,
    OutboxState,
    Outcome,
    ReplayError,
    delivery_status,
    enqueue,
    replay_message,
)

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)
SECOND = dt.timedelta(seconds=1)


def answering(outcome):
    def handler(session, message, now):
        return outcome

    return handler


DELIVERING = answering(Outcome("delivered", receipt_id="R-1"))
FAILING = answering(Outcome("retry", detail="HTTP 503"))


def registry_of(*routes):
    registry = HandlerRegistry()
    for prefix, handler, channel in routes:
        registry.add(prefix, handler, channel)
    return registry


POLICE = registry_of(("test.police.", DELIVERING, "police"))


def queued(session, key="stay-1", kind="test.police.declare", now=T0):
    message = enqueue(session, kind=kind, key=key, payload={"stay_id": 1}, now=now)
    session.commit()
    return message


def claim(session, registry=POLICE, now=T0, worker="w1", **options):
    options.setdefault("limit", 10)
    return claim_due(session, now=now, worker_id=worker, lease=LEASE, registry=registry, **options)


def attempt(session, message, handler, now=T0, policy=None):
    assert claim(session, now=now) == [message.id]
    return deliver(
        session, message.id, handler, now=now, policy=policy or RetryPolicy(), worker_id="w1"
    )


def evidence(session, message):
    return session.scalars(
        select(OutboxAttempt)
        .where(OutboxAttempt.message_id == message.id)
        .order_by(OutboxAttempt.id)
    ).all()


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        (Outcome("delivered", receipt_id="R-1"), OutboxState.DELIVERED),
        (Outcome("rejected", errors={"guests[0].name": "required"}), OutboxState.REJECTED),
        (Outcome("unverified", detail="read timeout"), OutboxState.UNVERIFIED),
        (Outcome("retry", detail="HTTP 503"), OutboxState.QUEUED),
    ],
)
def test_each_outcome_moves_the_message_on_and_is_kept_as_evidence(db_session, outcome, state):
    message = queued(db_session)
    assert attempt(db_session, message, answering(outcome)) == outcome
    assert message.state is state
    assert (message.claimed_by, message.claimed_until) == ("", None)
    [kept] = evidence(db_session, message)
    assert (kept.outcome, kept.detail, kept.worker, kept.at) == (
        outcome.kind,
        outcome.detail,
        "w1",
        T0,
    )


def test_a_delivery_keeps_the_receipt_and_when_it_was_delivered(db_session):
    message = queued(db_session)
    attempt(db_session, message, DELIVERING, now=T0 + SECOND)
    assert (message.receipt_id, message.delivered_at) == ("R-1", T0 + SECOND)


def test_a_rejection_keeps_the_receivers_field_errors_for_the_owner(db_session):
    message = queued(db_session)
    errors = {"guests[0].document_number": "not a valid CCCD"}
    attempt(db_session, message, answering(Outcome("rejected", errors=errors, detail="HTTP 422")))
    assert message.errors == errors
    assert message.last_error == "HTTP 422"
    assert claim(db_session, now=T0 + dt.timedelta(days=1)) == []


def test_a_retry_waits_at_most_the_first_backoff_before_it_is_due_again(db_session):
    policy = RetryPolicy(base=dt.timedelta(seconds=10))
    message = queued(db_session)
    attempt(db_session, message, FAILING, policy=policy)
    assert T0 <= message.next_attempt_at < T0 + dt.timedelta(seconds=10)
    assert message.last_error == "HTTP 503"
    assert claim(db_session, now=T0 + dt.timedelta(seconds=10)) == [message.id]


def test_a_handler_that_raises_counts_as_a_retry_with_the_error_as_evidence(db_session):
    def unreachable(session, message, now):
        raise ConnectionRefusedError("receiver down")

    message = queued(db_session)
    assert attempt(db_session, message, unreachable).kind == "retry"
    assert message.state is OutboxState.QUEUED
    assert message.last_error == "ConnectionRefusedError: receiver down"
    assert [kept.detail for kept in evidence(db_session, message)] == [message.last_error]


def test_backoff_doubles_up_to_the_cap_and_is_jittered_below_it():
    policy = RetryPolicy(base=SECOND, cap=dt.timedelta(seconds=10))
    assert [policy.ceiling(n).total_seconds() for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]
    assert policy.ceiling(500) == policy.cap
    waits = [policy.backoff(4, random.Random(seed)) for seed in range(200)]
    assert all(dt.timedelta(0) <= wait < dt.timedelta(seconds=8) for wait in waits)
    assert min(waits) < dt.timedelta(seconds=1)
    assert max(waits) > dt.timedelta(seconds=7)


def test_a_message_goes_dead_after_its_last_allowed_attempt(db_session):
    policy = RetryPolicy(max_attempts=3)
    message = queued(db_session)
    now = T0
    for _ in range(3):
        [message_id] = claim(db_session, now=now)
        deliver(db_session, message_id, FAILING, now=now, policy=policy, worker_id="w1")
        now += dt.timedelta(hours=1)
    assert message.state is OutboxState.DEAD
    assert len(evidence(db_session, message)) == 3
    assert claim(db_session, now=now + dt.timedelta(days=1)) == []


def test_unverified_to_a_receiver_that_does_not_deduplicate_waits_for_an_operator(db_session):
    message = queued(db_session, key="lodging-stay-event-7")
    attempt(db_session, message, answering(Outcome("unverified", detail="read timeout")))
    assert claim(db_session, now=T0 + dt.timedelta(days=7)) == []
    assert message.state is OutboxState.UNVERIFIED

    later = T0 + dt.timedelta(hours=1)
    replay_message(db_session, message.id, now=later, actor_label="cli")
    db_session.commit()
    assert (message.state, message.key, message.attempts) == (
        OutboxState.QUEUED,
        "lodging-stay-event-7",
        0,
    )
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.replay"))
    assert (entry.target_id, entry.actor_label) == (str(message.id), "cli")
    assert entry.detail["from"] == "unverified"
    assert claim(db_session, now=later) == [message.id]


# The police and statistics receivers de-duplicate by key: an unknown outcome is resent.
RESENDING = HandlerRegistry()
RESENDING.add("test.police.", DELIVERING, "police", resend_unverified=True)
UNVERIFIED = answering(Outcome("unverified", detail="no answer within 0.3 s"))


def test_unverified_to_a_deduplicating_receiver_is_resent_with_its_key_after_a_backoff(
    db_session,
):
    policy = RetryPolicy(base=dt.timedelta(seconds=10))
    message = queued(db_session, key="lodging-stay-event-8")
    claim(db_session, RESENDING)
    deliver(db_session, message.id, UNVERIFIED, now=T0, policy=policy, worker_id="w1")
    assert message.state is OutboxState.UNVERIFIED, "unknown until the next attempt decides"
    assert T0 < message.next_attempt_at < T0 + dt.timedelta(seconds=10)
    assert claim(db_session, RESENDING, now=message.next_attempt_at - SECOND / 1000) == []

    later = T0 + dt.timedelta(seconds=10)
    assert claim(db_session, RESENDING, now=later, worker="w2") == [message.id]
    deliver(db_session, message.id, DELIVERING, now=later, policy=policy, worker_id="w2")
    assert (message.state, message.key, message.attempts) == (
        OutboxState.DELIVERED,
        "lodging-stay-event-8",
        2,
    )
    assert [kept.outcome for kept in evidence(db_session, message)] == ["unverified", "delivered"]


def test_an_unverified_message_that_used_up_its_attempts_waits_for_an_operator(db_session):
    policy = RetryPolicy(base=SECOND, max_attempts=2)
    message = queued(db_session)
    now = T0
    for _ in range(2):
        assert claim(db_session, RESENDING, now=now, max_attempts=2) == [message.id]
        deliver(db_session, message.id, UNVERIFIED, now=now, policy=policy, worker_id="w1")
        now += dt.timedelta(minutes=1)
    assert claim(db_session, RESENDING, now=now + dt.timedelta(days=1), max_attempts=2) == []
    assert message.state is OutboxState.UNVERIFIED, "not dead: the receiver may have it"

    replay_message(db_session, message.id, now=now, actor_label="cli")
    assert claim(db_session, RESENDING, now=now, max_attempts=2) == [message.id]


def test_a_claimed_message_handed_back_unattempted_is_again_what_it_was(db_session):
    was_unverified = queued(db_session, key="u")
    was_queued = queued(db_session, key="q", now=T0 + SECOND)
    claim(db_session, RESENDING, limit=1)
    deliver(db_session, was_unverified.id, UNVERIFIED, now=T0, worker_id="w1")
    later = T0 + dt.timedelta(hours=1)
    assert claim(db_session, RESENDING, now=later) == [was_unverified.id, was_queued.id]

    release(db_session, [was_unverified.id, was_queued.id], worker_id="w1")
    assert (was_unverified.state, was_unverified.attempts) == (OutboxState.UNVERIFIED, 1)
    assert (was_queued.state, was_queued.attempts) == (OutboxState.QUEUED, 0)
    assert {m.claimed_by for m in (was_unverified, was_queued)} == {""}
    assert claim(db_session, RESENDING, now=later) == [was_unverified.id, was_queued.id]


def test_a_state_listener_hears_every_new_state_of_a_message(db_session):
    heard = []

    def listener(session, message, state, now):
        heard.append((message.key, state, message.state, now))

    message = queued(db_session, key="k")
    claim(db_session)
    unverified = answering(Outcome("unverified"))
    deliver(db_session, message.id, unverified, now=T0, worker_id="w1", on_state=listener)
    later = T0 + dt.timedelta(hours=1)
    replay_message(db_session, message.id, now=later, actor_label="cli", on_state=listener)
    assert heard == [
        ("k", OutboxState.UNVERIFIED, OutboxState.UNVERIFIED, T0),
        ("k", OutboxState.QUEUED, OutboxState.QUEUED, later),
    ]


def test_replay_refuses_a_message_that_is_not_finished_or_does_not_exist(db_session):
    message = queued(db_session)
    with pytest.raises(ReplayError, match="queued"):
        replay_message(db_session, message.id, now=T0, actor_label="cli")
    with pytest.raises(ReplayError, match="no outbox message"):
        replay_message(db_session, message.id + 1000, now=T0, actor_label="cli")


def test_claims_take_due_messages_oldest_first_up_to_the_limit(db_session):
    first = queued(db_session, key="a", now=T0)
    second = queued(db_session, key="b", now=T0 + SECOND)
    later = queued(db_session, key="c", now=T0 + dt.timedelta(minutes=5))
    assert claim(db_session, now=T0 + SECOND, limit=1) == [first.id]
    assert claim(db_session, now=T0 + SECOND, worker="w2") == [second.id]
    assert later.state is OutboxState.QUEUED
    assert (first.claimed_by, second.claimed_by) == ("w1", "w2")
    assert first.claimed_until == T0 + SECOND + LEASE


def test_a_killed_workers_message_is_claimed_again_once_its_lease_is_over(db_session):
    message = queued(db_session)
    assert claim(db_session, worker="w1") == [message.id]
    # w1 is killed here, without a word.
    assert claim(db_session, worker="w2", now=T0 + LEASE - SECOND) == []
    assert claim(db_session, worker="w2", now=T0 + LEASE) == [message.id]
    late = T0 + LEASE + SECOND
    assert deliver(db_session, message.id, DELIVERING, now=late, worker_id="w1") is None
    outcome = deliver(db_session, message.id, DELIVERING, now=late, worker_id="w2")
    assert outcome == Outcome("delivered", receipt_id="R-1")
    assert [(kept.outcome, kept.worker) for kept in evidence(db_session, message)] == [
        ("abandoned", "w1"),
        ("delivered", "w2"),
    ]
    assert message.attempts == 2


def test_a_worker_does_not_start_a_delivery_once_its_lease_is_over(db_session):
    calls = []

    def handler(session, message, now):
        calls.append(message.id)
        return Outcome("delivered")

    message = queued(db_session)
    claim(db_session)
    assert deliver(db_session, message.id, handler, now=T0 + LEASE, worker_id="w1") is None
    assert calls == []
    assert message.state is OutboxState.SENDING


def test_a_message_that_keeps_killing_its_workers_goes_dead(db_session):
    message = queued(db_session)
    now = T0
    for worker in ("w1", "w2", "w3"):
        assert claim(db_session, worker=worker, now=now, max_attempts=3) == [message.id]
        now += LEASE
    assert claim(db_session, worker="w4", now=now, max_attempts=3) == []
    assert message.state is OutboxState.DEAD
    assert [kept.outcome for kept in evidence(db_session, message)] == ["abandoned"] * 3


def test_the_longest_matching_prefix_takes_a_message(db_session):
    registry = registry_of(("test.", DELIVERING, "general"), ("test.police.", FAILING, "police"))
    assert registry.route_for("test.police.declare").channel == "police"
    assert registry.route_for("test.stats.day").channel == "general"
    assert registry.route_for("lodging.stay.declare") is None
    police = queued(db_session, key="p", kind="test.police.declare")
    stats = queued(db_session, key="s", kind="test.stats.day")
    assert claim(db_session, registry, channels={"general"}) == [stats.id]
    assert claim(db_session, registry, channels={"police"}) == [police.id]
    assert (police.channel, stats.channel) == ("police", "general")


def test_a_prefix_takes_one_handler_only():
    with pytest.raises(ValueError, match="already registered"):
        registry_of(("test.", DELIVERING, "a"), ("test.", FAILING, "b"))


def test_a_message_no_handler_takes_stays_queued_and_status_shows_it(app, db_session, monkeypatch):
    monkeypatch.setitem(app.extensions, HANDLERS, POLICE)
    police = queued(db_session, key="p", kind="test.police.declare")
    orphan = queued(db_session, key="o", kind="test.nobody")
    assert claim(db_session) == [police.id]
    assert orphan.state is OutboxState.QUEUED

    result = app.test_cli_runner().invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    header, *rows = (line.split() for line in result.output.splitlines())
    assert header == ["channel", *OutboxState, "oldest", "waiting"]
    orphans, police = sorted(rows)
    assert orphans[:9] == ["(no", "handler:", "test.nobody)", "1", "0", "0", "0", "0", "0"]
    assert police[:7] == ["police", "0", "1", "0", "0", "0", "0"]


def test_status_counts_each_channel_by_state_and_dates_its_oldest_waiting(db_session):
    registry = registry_of(
        ("test.police.", DELIVERING, "police"), ("test.stats.", DELIVERING, "stats")
    )
    sent = queued(db_session, key="p1", now=T0)
    queued(db_session, key="p2", now=T0 + SECOND)
    queued(db_session, key="s1", kind="test.stats.day", now=T0 + 2 * SECOND)
    assert claim(db_session, registry, now=T0, channels={"police"}) == [sent.id]
    deliver(db_session, sent.id, DELIVERING, now=T0)

    police, stats = delivery_status(db_session, registry.channel_of)
    assert police.channel == "police"
    assert police.counts == {OutboxState.DELIVERED: 1, OutboxState.QUEUED: 1}
    assert police.oldest_waiting_since == T0 + SECOND
    assert (stats.channel, stats.counts) == ("stats", {OutboxState.QUEUED: 1})
    assert stats.oldest_waiting_since == T0 + 2 * SECOND


def test_replay_dead_from_the_cli_queues_every_dead_message_again_and_audits_it(app, db_session):
    dead = [queued(db_session, key=f"d{n}") for n in range(2)]
    delivered = queued(db_session, key="ok")
    for message in dead:
        message.state, message.attempts = OutboxState.DEAD, 12
    delivered.state = OutboxState.DELIVERED
    db_session.commit()

    result = app.test_cli_runner().invoke(args=["outbox", "replay", "--dead"])
    assert result.exit_code == 0, result.output
    assert "queued again: 2" in result.output
    assert [(m.state, m.attempts) for m in dead] == [(OutboxState.QUEUED, 0)] * 2
    assert delivered.state is OutboxState.DELIVERED
    audited = db_session.scalars(
        select(AuditEntry.target_id).where(AuditEntry.action == "outbox.replay")
    ).all()
    assert sorted(audited) == sorted(str(m.id) for m in dead)


def test_replaying_a_message_still_under_way_fails_with_the_reason(app, db_session):
    message = queued(db_session)
    result = app.test_cli_runner().invoke(args=["outbox", "replay", str(message.id)])
    assert result.exit_code != 0
    assert "not replayable" in result.output
    assert message.state is OutboxState.QUEUED
