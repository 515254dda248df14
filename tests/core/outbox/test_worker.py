"""The delivery worker as it runs: its own connections, real commits, threads side by side."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import delete, func, make_url, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.extensions import db
from core.outbox.delivery import RetryPolicy
from core.outbox.messages import (
    HANDLERS,
    HandlerRegistry,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    Outcome,
    enqueue,
)
from core.outbox.worker import CircuitBreaker, CircuitState, run_worker
from tests.conftest import TEST_SECRET
from tests.test_keep_running import children_of

T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)
WAIT = 10.0  # seconds a test waits for a worker before calling it stuck
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def db_session():
    """Override the root rollback fixture: workers commit, on their own connections."""


@pytest.fixture
def registry(app, monkeypatch):
    registry = HandlerRegistry()
    monkeypatch.setitem(app.extensions, HANDLERS, registry)
    return registry


@pytest.fixture
def committed(app):
    """A session whose writes the workers see; what the test queued is removed after it."""
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
    yield session
    session.rollback()
    ours = select(OutboxMessage.id).where(OutboxMessage.kind.startswith("test."))
    session.execute(delete(OutboxAttempt).where(OutboxAttempt.message_id.in_(ours)))
    session.execute(delete(OutboxMessage).where(OutboxMessage.kind.startswith("test.")))
    session.commit()
    session.close()


def add(session, keys, kind="test.police.declare", now=None):
    for key in keys:
        enqueue(session, kind=kind, key=key, payload={}, now=now or utcnow())
    session.commit()


def messages(session):
    """Every message as it now stands; the read ends at once (on SQLite it holds the lock)."""
    session.expire_all()
    found = {m.key: m for m in session.scalars(select(OutboxMessage))}
    session.commit()
    return found


def states(session):
    return {key: message.state for key, message in messages(session).items()}


def delivering(calls=None):
    def handler(session, message, now):
        if calls is not None:
            calls.append((message.key, threading.current_thread().name))
        return Outcome("delivered", receipt_id=f"R-{message.key}")

    return handler


class WorkerThread(threading.Thread):
    """``run_worker`` in a thread, whose failure fails the test."""

    def __init__(self, app, name="w1", **options):
        super().__init__(name=name, daemon=True)
        options.setdefault("stop", threading.Event())
        options.setdefault("drain", True)
        self.stop = options["stop"]
        self.options = {"app": app, "worker_id": name, "poll_interval": 0.01, **options}
        self.outcomes: Counter[str] = Counter()
        self.error = None

    def run(self):
        try:
            self.outcomes = run_worker(**self.options)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread by finish()
            self.error = exc

    def finish(self):
        self.join(WAIT)
        assert not self.is_alive(), "the worker did not stop"
        if self.error is not None:
            raise self.error
        return self.outcomes


def run(app, **options):
    worker = WorkerThread(app, **options)
    worker.start()
    return worker.finish()


def test_drain_delivers_everything_due_then_returns(app, registry, committed):
    calls: list[tuple[str, str]] = []
    heard: list[OutboxState] = []
    registry.add("test.", delivering(calls), "police")
    registry.listen(lambda session, message, state, now: heard.append(state))
    due = [f"due-{n}" for n in range(25)]
    add(committed, due)
    add(committed, ["tomorrow"], now=utcnow() + dt.timedelta(days=1))

    assert run(app, batch=10) == Counter(delivered=25)
    assert sorted(key for key, _ in calls) == sorted(due)
    assert heard == [OutboxState.DELIVERED] * 25
    found = messages(committed)
    assert {found[key].state for key in due} == {OutboxState.DELIVERED}
    assert found["due-3"].receipt_id == "R-due-3"
    assert found["tomorrow"].state is OutboxState.QUEUED


def test_concurrent_workers_never_deliver_one_message_twice(app, registry, committed):
    calls: list[tuple[str, str]] = []

    def slowish(session, message, now):
        time.sleep(0.001)  # a receiver's round trip: lets the other workers in
        return delivering(calls)(session, message, now)

    registry.add("test.", slowish, "police")
    keys = [f"stay-{n}" for n in range(150)]
    add(committed, keys)
    workers = [WorkerThread(app, name=f"w{n}", batch=5) for n in range(4)]
    for worker in workers:
        worker.start()
    total: Counter[str] = sum((worker.finish() for worker in workers), Counter())

    assert sorted(key for key, _ in calls) == sorted(keys)
    assert total == Counter(delivered=150)
    assert len({name for _, name in calls}) >= 2, "the workers did not run side by side"
    assert set(states(committed).values()) == {OutboxState.DELIVERED}


def blocking(started, release):
    def handler(session, message, now):
        session.scalar(select(func.count()).select_from(OutboxMessage))  # reads, as handlers do
        started.set()
        assert release.wait(WAIT)
        return Outcome("delivered")

    return handler


def test_stop_lets_the_delivery_under_way_finish_and_hands_back_the_rest(app, registry, committed):
    started, release = threading.Event(), threading.Event()
    registry.add("test.", blocking(started, release), "police")
    add(committed, [f"stay-{n}" for n in range(5)])
    worker = WorkerThread(app, drain=False, batch=5)
    worker.start()
    assert started.wait(WAIT)
    worker.stop.set()  # SIGTERM, as the CLI's handler does
    release.set()

    assert worker.finish() == Counter(delivered=1)
    found = messages(committed).values()
    assert sorted(m.state for m in found) == [OutboxState.DELIVERED] + [OutboxState.QUEUED] * 4
    handed_back = [m for m in found if m.state is OutboxState.QUEUED]
    assert {(m.attempts, m.claimed_by, m.claimed_until) for m in handed_back} == {(0, "", None)}


def test_a_slow_receiver_does_not_hold_up_other_writers(app, registry, committed):
    started, release = threading.Event(), threading.Event()
    registry.add("test.", blocking(started, release), "police")
    add(committed, ["slow"])
    worker = WorkerThread(app, drain=False)
    worker.start()
    try:
        assert started.wait(WAIT)
        began = time.monotonic()
        add(committed, ["declared-meanwhile"], kind="test.other")
        waited = time.monotonic() - began
    finally:
        release.set()
        worker.stop.set()
    worker.finish()
    assert waited < 1.0
    assert states(committed)["slow"] is OutboxState.DELIVERED


def test_an_open_circuit_leaves_its_messages_queued_until_a_probe_gets_through(
    app, registry, committed
):
    receiver_up = False
    calls: Counter[str] = Counter()

    def police(session, message, now):
        calls["police"] += 1
        return Outcome("delivered") if receiver_up else Outcome("retry", detail="HTTP 503")

    def stats(session, message, now):
        calls["stats"] += 1
        return Outcome("delivered")

    registry.add("test.police.", police, "police")
    registry.add("test.stats.", stats, "stats")
    add(committed, [f"p{n}" for n in range(10)])
    add(committed, [f"s{n}" for n in range(3)], kind="test.stats.day")
    breaker = CircuitBreaker(threshold=3, cooldown=5 * MINUTE)
    start = utcnow()

    def at(offset):
        return lambda: start + offset

    run(app, breaker=breaker, clock=at(dt.timedelta(0)))
    assert calls == Counter(police=3, stats=3)
    police_messages = [m for k, m in messages(committed).items() if k.startswith("p")]
    assert {m.state for m in police_messages} == {OutboxState.QUEUED}
    assert sorted(m.attempts for m in police_messages) == [0] * 7 + [1] * 3

    run(app, breaker=breaker, clock=at(6 * MINUTE))  # half-open: one probe, which fails
    assert calls["police"] == 4

    receiver_up = True
    run(app, breaker=breaker, clock=at(12 * MINUTE))  # the probe gets through: all flow
    assert calls["police"] == 4 + 10
    assert set(states(committed).values()) == {OutboxState.DELIVERED}


def test_flask_outbox_work_drain_delivers_and_says_what_it_did(app, registry, committed):
    registry.add("test.", delivering(), "police")
    add(committed, ["a", "b", "c"])
    result = app.test_cli_runner().invoke(
        args=["outbox", "work", "--drain", "--worker-id", "cron-1"]
    )
    assert result.exit_code == 0, result.output
    assert "delivered 3" in result.output
    workers = committed.scalars(select(OutboxAttempt.worker)).all()
    committed.commit()
    assert workers == ["cron-1"] * 3


def test_flask_feeds_work_takes_its_retry_policy_from_its_options(app, registry, committed):
    registry.add("test.", lambda session, message, now: Outcome("retry", detail="HTTP 503"), "p")
    add(committed, ["a"])
    result = app.test_cli_runner().invoke(
        args=["outbox", "work", "--drain", "--max-attempts", "1", "--backoff-base", "0.01"]
    )
    assert result.exit_code == 0, result.output
    assert "retry 1" in result.output
    assert states(committed) == {"a": OutboxState.DEAD}


def test_a_worker_resends_an_unverified_report_under_its_key_until_it_is_delivered(
    app, registry, committed
):
    sent: list[str] = []
    heard: list[OutboxState] = []

    def answer_lost_twice(session, message, now):
        sent.append(message.key)
        if len(sent) <= 2:
            return Outcome("unverified", detail="no answer within 0.3 s")
        return Outcome("delivered", receipt_id="R-1")

    registry.add("test.", answer_lost_twice, "police", resend_unverified=True)
    registry.listen(lambda session, message, state, now: heard.append(state))
    add(committed, ["lodging-stay-event-9"])
    policy = RetryPolicy(base=dt.timedelta(milliseconds=20))
    worker = WorkerThread(app, drain=False, policy=policy)
    worker.start()
    deadline = time.monotonic() + WAIT
    while states(committed)["lodging-stay-event-9"] is not OutboxState.DELIVERED:
        assert time.monotonic() < deadline, "never delivered"
        time.sleep(0.01)
    worker.stop.set()

    assert worker.finish() == Counter(unverified=2, delivered=1)
    assert sent == ["lodging-stay-event-9"] * 3
    assert heard == [OutboxState.UNVERIFIED, OutboxState.UNVERIFIED, OutboxState.DELIVERED]


class Killed(BaseException):
    """The worker dies on the spot: nothing after it runs, as with SIGKILL."""


@pytest.mark.parametrize(
    ("deduplicates", "first"),
    [
        (False, OutboxState.DELIVERED),  # recorded at once: never sent twice
        (True, OutboxState.SENDING),  # recorded with its batch: sent again after the lease
    ],
)
def test_an_outcome_is_recorded_before_the_next_attempt_unless_the_receiver_deduplicates(
    app, registry, committed, deduplicates, first
):
    def dies_on_the_second(session, message, now):
        if message.key == "second":
            raise Killed
        return Outcome("delivered", receipt_id="R-1")

    registry.add("test.", dies_on_the_second, "police", resend_unverified=deduplicates)
    add(committed, ["first", "second"])
    worker = WorkerThread(app)
    worker.start()
    with pytest.raises(Killed):
        worker.finish()
    assert states(committed) == {"first": first, "second": OutboxState.SENDING}


def start_worker(settings, marker, *options, supervisor=()):
    """``flask outbox work`` in its own process, with the slow handler of ``delivery_app``."""
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "INSTANCE_PATH": settings.instance_path,
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": TEST_SECRET,
        "SLOW_HANDLER_MARKER": str(marker),
    }
    app = "tests.core.outbox.delivery_app:create_app"
    command = ["outbox", "work", "--poll", "0.05", "--worker-id", "proc", *options]
    return subprocess.Popen(
        [*supervisor, sys.executable, "-m", "flask", "--app", app, *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_delivering(worker, marker):
    deadline = time.monotonic() + 2 * WAIT
    while not marker.exists():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail(f"the worker never started a delivery:\n{worker.communicate()[0]}")
        time.sleep(0.02)


def test_sigterm_lets_the_delivery_under_way_finish_then_the_worker_exits(
    settings, committed, tmp_path
):
    add(committed, ["first", "second", "third"], kind="test.slow.declare")
    marker = tmp_path / "delivering"
    worker = start_worker(settings, marker)
    try:
        wait_until_delivering(worker, marker)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=WAIT)
    finally:
        worker.kill()
    assert worker.returncode == 0, output
    assert "delivered 1" in output
    found = messages(committed)
    assert found.pop(marker.read_text()).state is OutboxState.DELIVERED
    assert {(m.state, m.claimed_by) for m in found.values()} == {(OutboxState.QUEUED, "")}


def test_a_killed_workers_message_is_delivered_by_the_next_one_after_its_lease(
    app, settings, registry, committed, tmp_path
):
    add(committed, ["stay-1"], kind="test.slow.declare")
    marker = tmp_path / "delivering"
    worker = start_worker(settings, marker, "--lease", "1")
    wait_until_delivering(worker, marker)
    worker.kill()  # SIGKILL: no handler runs, nothing is handed back
    worker.communicate(timeout=WAIT)
    [stuck] = messages(committed).values()
    assert (stuck.state, stuck.claimed_by) == (OutboxState.SENDING, "proc")

    time.sleep(max(0.0, (stuck.claimed_until - utcnow()).total_seconds()))
    registry.add("test.slow.", delivering(), "slow")
    assert run(app) == Counter(delivered=1)
    kept = committed.execute(
        select(OutboxAttempt.outcome, OutboxAttempt.worker).order_by(OutboxAttempt.id)
    ).all()
    committed.commit()
    assert kept == [("abandoned", "proc"), ("delivered", "w1")]


def test_the_circuit_opens_after_consecutive_failures_only():
    breaker = CircuitBreaker(threshold=3, cooldown=MINUTE)
    for outcome in ("retry", "unverified", "delivered", "retry", "retry"):
        breaker.record("police", outcome, T0)
    assert breaker.state("police", T0) is CircuitState.CLOSED
    breaker.record("police", "unverified", T0)
    assert breaker.state("police", T0) is CircuitState.OPEN
    assert not breaker.admit("police", T0 + MINUTE / 2)
    assert breaker.admit("stats", T0), "another channel is not held up"


def test_a_half_open_circuit_admits_one_probe_whose_answer_decides():
    breaker = CircuitBreaker(threshold=1, cooldown=MINUTE)
    breaker.record("police", "retry", T0)
    assert breaker.state("police", T0 + MINUTE) is CircuitState.HALF_OPEN
    assert breaker.admit("police", T0 + MINUTE)
    assert not breaker.admit("police", T0 + MINUTE), "one probe at a time"

    breaker.record("police", "retry", T0 + MINUTE)  # the probe failed: another cool-down
    assert not breaker.admit("police", T0 + 2 * MINUTE - dt.timedelta(seconds=1))
    assert breaker.admit("police", T0 + 2 * MINUTE)
    breaker.record("police", "rejected", T0 + 2 * MINUTE)  # an answer: the receiver is up
    assert breaker.state("police", T0 + 2 * MINUTE) is CircuitState.CLOSED


LOCK_HELD_SECONDS = 10.0  # issue 15: a lock held this long must not stop the worker


def hold_write_lock(path, seconds, taken):
    """Another process's writer: BEGIN IMMEDIATE on the same file, held for ``seconds``."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def wait_for(predicate, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.02)


def test_a_worker_outlives_a_write_lock_held_by_another_connection(
    app, settings, registry, committed, caplog
):
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("SQLite's one write lock; PostgreSQL's row locks are SKIP LOCKED")
    registry.add("test.", delivering(), "police")
    add(committed, ["before-the-lock"])
    worker = WorkerThread(app, drain=False)
    worker.start()
    # Its periodic tasks have run (they catch their own errors): the lock hits a claim.
    wait_for(lambda: states(committed) == {"before-the-lock": OutboxState.DELIVERED}, "stuck")
    taken = threading.Event()
    path = make_url(settings.database_url).database
    holder = threading.Thread(target=hold_write_lock, args=(path, LOCK_HELD_SECONDS, taken))
    holder.start()
    try:
        assert taken.wait(WAIT)
        holder.join(LOCK_HELD_SECONDS + WAIT)
        assert worker.is_alive(), f"the worker died on the lock: {worker.error!r}"
        add(committed, ["after-the-lock"])
        wait_for(lambda: states(committed)["after-the-lock"] is OutboxState.DELIVERED, "stuck")
    finally:
        worker.stop.set()
    worker.finish()
    failed = [r for r in caplog.records if r.name == "core.outbox.worker"]
    assert failed, "the lock never reached the worker: the test tested nothing"
    assert "locked" in str(failed[0].exc_info[1])


def test_a_worker_survives_any_error_in_one_pass_and_goes_on(app, registry, committed, caplog):
    broken = [True]

    def listener_with_a_bug(session, message, state, now):
        if broken.pop() if broken else False:
            raise ZeroDivisionError("a listener's bug")

    registry.add("test.", delivering(), "police")
    registry.listen(listener_with_a_bug)
    add(committed, ["hit-the-bug"])
    worker = WorkerThread(app, drain=False, lease=dt.timedelta(seconds=0.5))
    worker.start()
    try:
        wait_for(lambda: not broken, "the listener was never called")
        add(committed, ["after-the-bug"])
        everything = {"hit-the-bug": OutboxState.DELIVERED, "after-the-bug": OutboxState.DELIVERED}
        wait_for(lambda: states(committed) == everything, "the worker stopped delivering")
    finally:
        worker.stop.set()
    worker.finish()
    [logged] = [r for r in caplog.records if r.name == "core.outbox.worker"]
    assert isinstance(logged.exc_info[1], ZeroDivisionError)


def test_a_keyboard_interrupt_in_a_pass_still_stops_the_worker(app, registry, committed):
    def interrupted(session, message, state, now):
        raise KeyboardInterrupt

    registry.add("test.", delivering(), "police")
    registry.listen(interrupted)
    add(committed, ["a"])
    worker = WorkerThread(app, drain=False)
    worker.start()
    with pytest.raises(KeyboardInterrupt):
        worker.finish()


def test_make_runs_worker_is_started_again_after_it_is_killed(settings, committed, tmp_path):
    """``make run`` keeps the worker under ``bin/keep-running``: kill -9, and it comes back."""
    add(committed, ["stay-1"], kind="test.slow.declare")
    marker = tmp_path / "delivering"
    supervisor = start_worker(
        settings, marker, "--lease", "1", supervisor=(str(ROOT / "bin" / "keep-running"), "0.1")
    )
    try:
        wait_until_delivering(supervisor, marker)
        [first] = children_of(supervisor.pid)
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: states(committed)["stay-1"] is OutboxState.DELIVERED, "not delivered")
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=WAIT)
    finally:
        supervisor.kill()
    assert supervisor.returncode == 0, output
    assert "exited with status 137; starting it again" in output
    workers = committed.scalars(select(OutboxAttempt.worker).order_by(OutboxAttempt.id)).all()
    committed.commit()
    assert workers == ["proc", "proc"]  # the killed one's abandoned attempt, then the new one's
