"""Chaos: every report reaches its receiver once in effect, in time, through faults.

Hundreds of citizens and foreigners are declared with the registration services into
a database of the test's own (a SQLite file; on PostgreSQL, a schema of its own in the
suite's database), committed, as the desk would. Then two ``flask outbox work``
processes deliver them side by side to a real receiver on loopback that answers 500
to a fifth of the requests and keeps a twentieth but hangs past the workers' read
timeout, while one worker or the other is SIGKILLed with messages in hand, again and
again, and a fresh one started in its place. At the end every report is delivered,
the receiver holds exactly one copy of each (what it got twice came with the same
key), and every guest whose deadline left time to deliver was reported before it.
Rejections and dead reports are then fixed by an operator's replay.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from core.extensions import db
from core.outbox.messages import OutboxAttempt, OutboxMessage, OutboxState
from core.settings import DEVELOPMENT_FEED_KEY, Settings
from lodging.feeds.handlers import STATS_KIND
from lodging.feeds.receiver import Receiver
from lodging.feeds.transports import HttpTransport
from lodging.registration import services
from lodging.registration.declarations import GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.hooks import stay_listeners
from lodging.registration.models import Actor, Channel, Guest, GuestRole, Purpose, Stay, StayEvent
from lodging.registration.reports import FeedChannel, report_keys
from portal import create_app
from tests.conftest import TEST_SECRET, make_settings
from tests.factories import TEST_CIPHER, citizen, foreigner, make_establishment, make_user
from tests.own_database import drop_schema, own_schema

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).parent / "golden"
SECRET = DEVELOPMENT_FEED_KEY.encode()  # what the test settings sign with
SCHEMA = "chaos_feeds"  # on PostgreSQL: the test's own schema, dropped afterwards
SEED = 20261122

DECLARATIONS = 520
FAIL_SHARE = 0.2  # answered 500
HANG_SHARE = 0.05  # kept, but answered only after the worker gave up waiting
READ_TIMEOUT = 0.3  # seconds the worker waits for an answer
HANG_SECONDS = 1.0
KILLS = 10
WORKERS = 2  # running at once; one of them is killed at a time
TIME_LIMIT = dt.timedelta(seconds=60)  # the worker's whole budget, kills and restarts included
TIGHT = 20  # foreigners declared 90 to 150 s before their deadline
WORKER_OPTIONS = (
    *("--lease", "2", "--batch", "5", "--poll", "0.05", "--cooldown", "0.5"),
    *("--backoff-base", "0.05", "--backoff-cap", "0.5"),
)
ROOMS = tuple(f"{floor}{number:02d}" for floor in range(1, 4) for number in range(1, 11))
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
GIVEN_NAMES = ("An", "Bình", "Dũng", "Hà", "Khánh", "Lan", "Mai", "Nam")
FOREIGN_NAMES = ("KIM MIN-JUN", "TANAKA YUKI", "JOHN SMITH", "MARIE DUPONT", "LI WEI")


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Override the root rollback fixture: the workers commit into the test's own database."""


@dataclass(frozen=True)
class ChaosInstance:
    """The test's own database, and a portal on it whose channels point at ``receiver``."""

    app: Flask
    settings: Settings
    receiver: Receiver

    def session(self) -> Session:
        with self.app.app_context():
            return Session(db.engine, expire_on_commit=False, info=stay_listeners(self.app))

    def cli(self, *args: str) -> Result:
        """A ``flask`` command run in this process, on the test's database."""
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result

    def environ(self, receiver: Receiver) -> dict[str, str]:
        """What ``flask outbox work`` needs to run on this database against ``receiver``."""
        return {
            **os.environ,
            "PORTAL_ENV": "test",
            "INSTANCE_PATH": self.settings.instance_path,
            "DATABASE_URL": self.settings.database_url,
            "SECRET_KEY": TEST_SECRET,
            "POLICE_FEED_URL": receiver.url(FeedChannel.CITIZENS),
            "POLICE_FOREIGNERS_FEED_URL": receiver.url(FeedChannel.FOREIGNERS),
            "STATISTICS_FEED_URL": receiver.url(FeedChannel.STATISTICS),
            "FEED_CONNECT_TIMEOUT": str(READ_TIMEOUT),
            "FEED_READ_TIMEOUT": str(READ_TIMEOUT),
            "FLASK_SKIP_DOTENV": "1",
        }


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with Receiver(secret=SECRET, seed=SEED) as running:
        yield running


@pytest.fixture(scope="module")
def instance(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, receiver: Receiver
) -> Iterator[ChaosInstance]:
    folder = tmp_path_factory.mktemp("chaos")
    suite_url = request.config.getoption("--database-url")
    database_url = (
        own_schema(make_settings(folder, suite_url).database_url, SCHEMA) if suite_url else ""
    )
    settings = make_settings(folder, database_url).with_overrides(
        police_feed_url=receiver.url(FeedChannel.CITIZENS),
        police_foreigners_feed_url=receiver.url(FeedChannel.FOREIGNERS),
        statistics_feed_url=receiver.url(FeedChannel.STATISTICS),
    )
    app = create_app(settings)
    with app.app_context():
        upgrade()
    try:
        yield ChaosInstance(app, settings, receiver)
    finally:
        with app.app_context():
            db.engine.dispose()
        if suite_url:
            drop_schema(make_settings(folder, suite_url).database_url, SCHEMA)


# Declarations


def a_citizen(n: int, rng: random.Random, **overrides: Any) -> GuestInput:
    """A citizen whose CCCD (birth province, century and sex, year, serial) is consistent."""
    sex = rng.choice((Sex.M, Sex.F))
    birth = dt.date(1950 + rng.randrange(50), rng.randrange(1, 13), rng.randrange(1, 29))
    century_sex = "0" if sex is Sex.M else "1"  # born 1900-1999
    return citizen(
        full_name=f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}",
        sex=sex,
        birth_date=birth,
        document_number=f"001{century_sex}{birth.year % 100:02d}{n:06d}",
        **overrides,
    )


def a_foreigner(n: int, rng: random.Random, **overrides: Any) -> GuestInput:
    return foreigner(full_name=rng.choice(FOREIGN_NAMES), document_number=f"C{n:07d}", **overrides)


def a_declaration(
    n: int, now: dt.datetime, rng: random.Random, *, tight: bool, kind: str | None
) -> StayInput:
    """One stay (``kind``: citizen, foreigner, family or any); arrivals spread, some past."""
    if tight:  # a foreigner whose 12 hours are nearly over
        ago = dt.timedelta(hours=12) - dt.timedelta(seconds=rng.uniform(90, 150))
        guests: tuple[GuestInput, ...] = (a_foreigner(n, rng),)
    else:
        kind = kind or rng.choices(("citizen", "foreigner", "family"), weights=(6, 3, 1))[0]
        ago = dt.timedelta(hours=rng.uniform(0, 20 if kind == "citizen" else 14))
        guests = {
            "citizen": lambda: (a_citizen(n, rng),),
            "foreigner": lambda: (a_foreigner(n, rng),),
            "family": lambda: (
                a_citizen(n, rng, role=GuestRole.HEAD),
                a_foreigner(n, rng, role=GuestRole.MEMBER, relationship="wife"),
            ),
        }[kind]()
    arrival = now - ago
    return StayInput(
        room=rng.choice(ROOMS),
        arrival=arrival,
        expected_departure=arrival.astimezone(VIETNAM).date() + dt.timedelta(days=2),
        purpose=Purpose.TOURISM,
        guests=guests,
    )


def declare_many(
    instance: ChaosInstance, count: int, *, tight: int = 0, kind: str | None = None
) -> list[int]:
    """Declare ``count`` confirmed stays at two hotels (one remote), committed; their ids."""
    rng = random.Random(SEED + count)
    with instance.session() as session:
        owner = make_user(session, Role.LODGING_OWNER)
        hotel = make_establishment(session, owner=owner, rooms=ROOMS)
        remote = make_establishment(session, owner=owner, rooms=ROOMS, remote_commune=True)
        actor = Actor(owner.id, owner.email, Channel.DESK)
        pressed = set(rng.sample(range(count), tight))
        serial = session.scalar(select(func.count(Guest.id))) or 0  # document numbers differ
        stay_ids = []
        for n in range(count):
            now = utcnow()
            data = a_declaration(serial + n, now, rng, tight=n in pressed, kind=kind)
            where = remote if n % 5 == 0 and n not in pressed else hotel
            stay, _ = services.declare_stay(
                session, where, data, actor=actor, cipher=TEST_CIPHER, now=now
            )
            stay_ids.append(stay.id)
            if n % 50 == 49:
                session.commit()
        session.commit()
    return stay_ids


def reports_of(session: Session, stay_ids: list[int]) -> dict[str, OutboxMessage]:
    """The outbox messages reporting these stays, by key."""
    event_ids = session.scalars(select(StayEvent.id).where(StayEvent.stay_id.in_(stay_ids)))
    keys = report_keys(event_ids)
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.key.in_(keys)))
    return {message.key: message for message in messages}


# The workers, killed and started again


@dataclass
class Workers:
    """``flask outbox work`` processes side by side, each under a name of its own."""

    instance: ChaosInstance
    receiver: Receiver
    log: Path
    started: int = 0

    def start(self) -> tuple[str, subprocess.Popen[str]]:
        self.started += 1
        name = f"chaos-{self.started}"
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work"]
        command += ["--worker-id", name, *WORKER_OPTIONS]
        with self.log.open("a") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.instance.environ(self.receiver),
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        return name, process

    def kill_mid_delivery(self, name: str, process: subprocess.Popen[str], after: float) -> None:
        """SIGKILL ``process`` ``after`` seconds after it has claimed messages."""
        give_up = time.monotonic() + 30
        while not self.claims_of(name):
            assert process.poll() is None, f"{name} exited on its own:\n{self.log.read_text()}"
            assert time.monotonic() < give_up, f"{name} claimed nothing"
            time.sleep(0.01)
        time.sleep(after)
        process.kill()
        process.wait()

    def claims_of(self, name: str) -> int:
        with self.instance.session() as session:
            return (
                session.scalar(
                    select(func.count(OutboxMessage.id)).where(
                        OutboxMessage.state == OutboxState.SENDING, OutboxMessage.claimed_by == name
                    )
                )
                or 0
            )


def undelivered(instance: ChaosInstance, stay_ids: list[int]) -> Counter[OutboxState]:
    with instance.session() as session:
        states = Counter(message.state for message in reports_of(session, stay_ids).values())
    states.pop(OutboxState.DELIVERED, None)
    return states


def run_with_kills(workers: Workers, stay_ids: list[int]) -> list[str]:
    """Run workers until every report is delivered, killing one now and then; the killed."""
    rng = random.Random(SEED)
    give_up = time.monotonic() + TIME_LIMIT.total_seconds()
    running = [workers.start() for _ in range(WORKERS)]
    killed = []
    try:
        for _ in range(KILLS):
            victim = rng.randrange(WORKERS)
            workers.kill_mid_delivery(*running[victim], after=rng.uniform(0, 0.3))
            killed.append(running[victim][0])
            running[victim] = workers.start()
        while waiting := undelivered(workers.instance, stay_ids):
            assert time.monotonic() < give_up, f"not delivered in time: {waiting}"
            time.sleep(0.2)
        for _, process in running:
            process.terminate()  # SIGTERM: a clean stop, this time
        for _, process in running:
            assert process.wait(timeout=10) == 0, workers.log.read_text()
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return killed


def test_every_report_arrives_once_and_in_time_while_the_receiver_fails_and_workers_die(
    instance: ChaosInstance, tmp_path: Path
) -> None:
    stay_ids = declare_many(instance, DECLARATIONS, tight=TIGHT)
    chaos = Receiver(
        secret=SECRET,
        fail_share=FAIL_SHARE,
        hang_share=HANG_SHARE,
        hang_seconds=HANG_SECONDS,
        seed=SEED,
    )
    with chaos:
        killed = run_with_kills(Workers(instance, chaos, tmp_path / "workers.log"), stay_ids)

    assert len(killed) >= KILLS
    with instance.session() as session:
        reports = reports_of(session, stay_ids)
        guests = list(
            session.execute(
                select(Guest, Stay.created_at).join(Stay).where(Stay.id.in_(stay_ids))
            ).tuples()
        )
        attempts = session.execute(
            select(OutboxAttempt.outcome, OutboxAttempt.worker).where(
                OutboxAttempt.message_id.in_([m.id for m in reports.values()])
            )
        ).all()
        # The workers' periodic task queued yesterday's statistics: delivered once too.
        stats = set(
            session.scalars(select(OutboxMessage.key).where(OutboxMessage.kind == STATS_KIND))
        )
    # One report per declaration and police channel it concerns (a family: two), none lost.
    routes = {(guest.stay_id, guest.is_foreigner) for guest, _ in guests}
    assert len({stay_id for stay_id, _ in routes}) == DECLARATIONS
    assert len(reports) == len(routes), "one report per declaration and channel, none lost"
    assert {message.state for message in reports.values()} == {OutboxState.DELIVERED}
    assert stats, "the workers queued no daily statistics"
    assert_one_copy_of_each(chaos, reports, {guest.id: guest for guest, _ in guests}, stats)
    assert_reported_in_time(guests)
    # The faults did happen: failures retried, lost answers resent, killed claims taken over.
    assert chaos.counters.failed > 0
    assert chaos.counters.hung > 0
    outcomes = Counter(outcome for outcome, _ in attempts)
    assert outcomes["retry"] > 0
    assert outcomes["unverified"] > 0
    abandoned_by = {worker for outcome, worker in attempts if outcome == "abandoned"}
    assert abandoned_by, "no kill caught a worker with messages in hand"
    assert abandoned_by <= set(killed)


def assert_one_copy_of_each(
    receiver: Receiver,
    reports: dict[str, OutboxMessage],
    guests: dict[int, Guest],
    stats: set[str],
) -> None:
    """Each channel holds each report once, under its key; nothing else, nothing twice."""
    expected: dict[FeedChannel, set[str]] = {channel: set() for channel in FeedChannel}
    expected[FeedChannel.STATISTICS] = stats
    for key, message in reports.items():
        for guest_id in message.payload["guest_ids"]:
            channel = (
                FeedChannel.FOREIGNERS if guests[guest_id].is_foreigner else FeedChannel.CITIZENS
            )
            expected[channel].add(key)
    for channel, keys in expected.items():
        assert receiver.accepted_keys(channel) == keys
        if channel is FeedChannel.STATISTICS:
            continue
        reported = [
            guest["guest_id"] for key in keys for guest in receiver.payload(channel, key)["guests"]
        ]
        assert len(reported) == len(set(reported)), f"a guest reported twice on {channel}"
    counters = receiver.counters
    assert counters.accepted == sum(map(len, expected.values()))
    assert counters.conflicts == 0, "a key came again with another body"
    # Every answer lost in a hang was followed by the same report again, under its key.
    assert counters.duplicates >= counters.hung


def assert_reported_in_time(guests: list[tuple[Guest, dt.datetime]]) -> None:
    """Whoever could be reported in time was: their deadline was beyond the run's budget."""
    assert {guest.report_status for guest, _ in guests} == {OutboxState.DELIVERED.value}
    timings = []  # (declared, deadline, reported) per guest
    for guest, declared in guests:
        assert guest.deadline is not None
        assert guest.reported_at is not None, f"guest {guest.id} has no report time"
        timings.append((declared, guest.deadline, guest.reported_at))
    could = [(due, reported) for declared, due, reported in timings if due >= declared + TIME_LIMIT]
    assert [(due, reported) for due, reported in could if reported > due] == []
    tight = [
        due
        for declared, due, _ in timings
        if declared + TIME_LIMIT <= due < declared + 3 * TIME_LIMIT
    ]
    assert len(tight) >= TIGHT, "the run had deadlines within its reach"
    overdue = [(due, reported) for declared, due, reported in timings if due < declared]
    assert overdue, "some were declared after their deadline"
    assert all(reported > due for due, reported in overdue), "reported_at is when it went"


# An operator's fixes


def one_report(instance: ChaosInstance, stay_id: int) -> OutboxMessage:
    with instance.session() as session:
        [message] = reports_of(session, [stay_id]).values()
        return message


def report_statuses(instance: ChaosInstance, stay_id: int) -> list[str | None]:
    with instance.session() as session:
        return list(session.scalars(select(Guest.report_status).where(Guest.stay_id == stay_id)))


def test_a_rejected_report_keeps_its_field_errors_and_is_delivered_after_a_replay(
    instance: ChaosInstance,
) -> None:
    [stay_id] = declare_many(instance, 1, kind="citizen")
    key = one_report(instance, stay_id).key
    receiver = instance.receiver
    receiver.control({"reject_keys": {key: {"guests[0].id_number": "Not on the register."}}})
    instance.cli("outbox", "work", "--drain")

    rejected = one_report(instance, stay_id)
    assert rejected.state is OutboxState.REJECTED
    # On the declaration's own field, for the owner to see where to look.
    assert rejected.errors == {"guests[0].document_number": "Not on the register."}
    assert report_statuses(instance, stay_id) == ["rejected"]

    receiver.control({"reject_keys": {}})
    assert "queued again: 1" in instance.cli("outbox", "replay", str(rejected.id)).output
    instance.cli("outbox", "work", "--drain")
    delivered = one_report(instance, stay_id)
    assert (delivered.state, delivered.key, delivered.errors) == (OutboxState.DELIVERED, key, {})
    assert report_statuses(instance, stay_id) == ["delivered"]
    assert key in receiver.accepted_keys(FeedChannel.CITIZENS)


def test_a_dead_report_is_delivered_once_after_a_replay(instance: ChaosInstance) -> None:
    [stay_id] = declare_many(instance, 1, kind="foreigner")
    receiver = instance.receiver
    receiver.control({"fail_share": 1.0})
    try:
        instance.cli("outbox", "work", "--drain", "--max-attempts", "1")
    finally:
        receiver.control({"fail_share": 0.0})
    dead = one_report(instance, stay_id)
    assert dead.state is OutboxState.DEAD

    accepted = receiver.counters.accepted
    assert "queued again: 1" in instance.cli("outbox", "replay", str(dead.id)).output
    instance.cli("outbox", "work", "--drain")
    assert one_report(instance, stay_id).state is OutboxState.DELIVERED
    assert receiver.counters.accepted == accepted + 1
    refused = instance.app.test_cli_runner().invoke(args=["outbox", "replay", str(dead.id)])
    assert refused.exit_code != 0
    assert "delivered, not replayable" in refused.output


# The receiver as an operator starts it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_flask_feeds_receiver_serves_until_sigterm_and_says_what_it_received(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SECRET_KEY": TEST_SECRET,
        "FLASK_SKIP_DOTENV": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "feeds", "receiver"]
    command += ["--port", str(port), "--fail-rate", "1"]
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as program:
        try:
            assert program.stdout is not None
            assert f"http://127.0.0.1:{port}/" in program.stdout.readline()
            transport = HttpTransport({"vn-luutru": f"http://127.0.0.1:{port}/vn-luutru"}, SECRET)
            payload = json.loads((GOLDEN / "vn-luutru-declare.json").read_text())
            outcome = transport.send("vn-luutru", "k-1", payload)
            assert (outcome.kind, outcome.detail) == ("retry", "HTTP 500: Failing on purpose.")
            program.terminate()
            output, _ = program.communicate(timeout=10)
        finally:
            program.kill()
    assert program.returncode == 0
    assert re.search(r"received: accepted 0, duplicates 0, rejected 0, failed 1\b", output)


def test_flask_feeds_receiver_refuses_shares_that_add_up_to_more_than_everything(
    instance: ChaosInstance,
) -> None:
    result = instance.app.test_cli_runner().invoke(
        args=["feeds", "receiver", "--fail-rate", "0.8", "--hang-rate", "0.3"]
    )
    assert result.exit_code == 2
    assert "add up to more than 1" in result.output
