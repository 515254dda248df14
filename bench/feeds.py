"""How fast the feeds drain a backlog, against the receiver's own pace; how long a report waits.

    .venv/bin/python -m bench.feeds [--reports 5000] [--workers 2] [--rate 20]

Builds a throw-away instance (``bench.instance``: a SQLite file, migrated, a hotel),
declares REPORTS stays with the registration services (citizens and foreigners, so
both police channels), and starts ``flask feeds receiver`` on loopback. Then:

1. **capacity**: WORKERS client processes post signed payloads (built from the
   declared stays, each under a fresh key) straight to the receiver in a tight loop;
   what it accepts per second is the most any sender could get from it;
2. **drain**: WORKERS ``flask outbox work --drain`` processes deliver the backlog; the
   rate counts from the first attempt to the end of the last one. Target: at least
   half the receiver's capacity;
3. **steady load**: the workers run as in production while stays are declared at
   RATE per second for STEADY seconds; the time from each declaration (the stay's
   outbox row) to the end of its delivered attempt. Target: p95 within 60 s.

The figures are printed whether or not the targets hold; the exit status is 0 either
way. Ctrl-C or SIGTERM stops the receiver and the workers.
"""

from __future__ import annotations

import argparse
import itertools
import math
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from bench.instance import ROOT, Instance, free_port, prepare
from bench.stays import Declarer
from core.clock import utcnow
from core.crypto import PersonalDataCipher
from core.database import configure_sqlite
from core.outbox.messages import OutboxAttempt, OutboxMessage, OutboxState
from lodging.feeds.payloads import police_reports
from lodging.feeds.transports import HttpTransport
from lodging.registration.models import Stay
from lodging.registration.reports import FeedChannel

REPORTS = "lodging.stay."  # the police reports' outbox kinds

T = TypeVar("T")

TARGET_RATIO = 0.5
TARGET_P95_S = 60.0
URL_SETTINGS = {
    FeedChannel.CITIZENS: "POLICE_FEED_URL",
    FeedChannel.FOREIGNERS: "POLICE_FOREIGNERS_FEED_URL",
    FeedChannel.STATISTICS: "STATISTICS_FEED_URL",
}


@dataclass
class Portal:
    """The instance's database, the environment its processes run in, and its receiver."""

    workdir: Path
    environ: dict[str, str]
    engine: Engine
    receiver_port: int

    def url(self, channel: FeedChannel) -> str:
        return f"http://127.0.0.1:{self.receiver_port}/{channel.value}"

    def flask(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        with (self.workdir / log).open("ab") as output:
            return subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", *args],
                cwd=ROOT,
                env=self.environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def wait_until_delivered(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        waiting = select(func.count(OutboxMessage.id)).where(
            OutboxMessage.state != OutboxState.DELIVERED
        )
        while pending := _read(self.engine, lambda session: session.scalar(waiting)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{pending} reports still not delivered")
            time.sleep(0.1)


def _read(engine: Engine, query: Callable[[Session], T]) -> T:
    with Session(engine) as session:
        return query(session)


@contextmanager
def portal(workdir: Path) -> Iterator[tuple[Portal, int]]:
    """A migrated instance and its hotel's id, with a receiver running; both stopped after."""
    instance = Instance(workdir / "instance")
    target = prepare(instance)
    port = free_port()
    environ = instance.environ()  # once: its keys are drawn at random
    environ["FEED_SIGNING_KEY"] = secrets.token_urlsafe(48)
    engine = create_engine(f"sqlite:///{instance.database}")
    configure_sqlite(engine)
    bench = Portal(workdir, environ, engine, port)
    environ.update({name: bench.url(channel) for channel, name in URL_SETTINGS.items()})
    receiver = bench.flask("feeds", "receiver", "--port", str(port), log="receiver.log")
    try:
        log, deadline = workdir / "receiver.log", time.monotonic() + 30
        while b"Receiving on" not in log.read_bytes():
            if receiver.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the receiver did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield bench, target.establishment_id
    finally:
        _stop(receiver)
        engine.dispose()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# 1. The receiver's capacity


def sample_payloads(bench: Portal, count: int = 60) -> list[tuple[str, dict[str, Any]]]:
    """Real payloads of the first declared stays, as the workers will send them."""
    cipher = PersonalDataCipher(bench.environ["DATA_ENCRYPTION_KEY"])
    with Session(bench.engine) as session:
        stays = session.scalars(select(Stay).order_by(Stay.id).limit(count)).all()
        return [
            (channel.value, payload)
            for stay in stays
            for channel, payload in police_reports(
                stay, stay.guests, event="declare", amends={}, cipher=cipher
            )
        ]


def _post_in_a_loop(
    urls: dict[str, str], secret: str, payloads: list[tuple[str, dict[str, Any]]], seconds: float
) -> tuple[int, float]:
    """One client: post, each under a new key, for ``seconds``; (accepted, elapsed)."""
    transport = HttpTransport(urls, secret.encode())
    accepted, prefix = 0, f"capacity-{os.getpid()}"
    began = time.perf_counter()
    for n in itertools.count():
        if time.perf_counter() - began >= seconds:
            break
        channel, payload = payloads[n % len(payloads)]
        accepted += transport.send(channel, f"{prefix}-{n}", payload).kind == "delivered"
    return accepted, time.perf_counter() - began


def receiver_capacity(bench: Portal, clients: int, seconds: float) -> float:
    """Accepted requests per second from ``clients`` processes posting flat out."""
    urls = {channel.value: bench.url(channel) for channel in FeedChannel}
    work = (urls, bench.environ["FEED_SIGNING_KEY"], sample_payloads(bench), seconds)
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        results = pool.starmap(_post_in_a_loop, [work] * clients)
    return sum(accepted / elapsed for accepted, elapsed in results)


# 2. Draining the backlog, 3. a steady load


def start_workers(bench: Portal, count: int, *options: str) -> list[subprocess.Popen[bytes]]:
    return [
        bench.flask("outbox", "work", "--worker-id", f"bench-{n}", *options, log="workers.log")
        for n in range(count)
    ]


def drain(bench: Portal, workers: int, batch: int) -> tuple[int, float]:
    """Deliver the backlog with ``workers`` processes; (delivered, seconds of delivering)."""
    for process in start_workers(bench, workers, "--drain", "--batch", str(batch)):
        process.wait()
    # Police reports only, from their first attempt to their last: the search-index and
    # e-mail messages the same workers deliver (deadline alerts, when the backlog is near
    # its deadlines) are not counted, though any interleaved with the reports cost time.
    first, last = _read(
        bench.engine,
        lambda session: session.execute(
            select(func.min(OutboxAttempt.at), func.max(OutboxAttempt.at))
            .join(OutboxMessage, OutboxMessage.id == OutboxAttempt.message_id)
            .where(OutboxMessage.kind.startswith(REPORTS))
        ).one(),
    )
    delivered = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.state == OutboxState.DELIVERED, OutboxMessage.kind.startswith(REPORTS)
    )
    count = _read(bench.engine, lambda session: session.scalar(delivered))
    return count or 0, max((last - first).total_seconds(), 1e-3)


def steady_delays(
    bench: Portal, declarer: Declarer, *, workers: int, rate: float, seconds: float
) -> list[float]:
    """Seconds from declaration to delivery of stays declared at ``rate`` per second."""
    processes = start_workers(bench, workers)
    try:
        declarer.declare(1)  # a probe: once delivered, the workers are up
        bench.wait_until_delivered(timeout=60)
        started = utcnow()
        for n in range(math.ceil(rate * seconds)):
            time.sleep(max(0.0, n / rate - (utcnow() - started).total_seconds()))
            declarer.declare(1)
        bench.wait_until_delivered(timeout=TARGET_P95_S * 5)
    finally:
        for process in processes:
            _stop(process)
    delivered = (
        select(OutboxMessage.created_at, OutboxAttempt.at, OutboxAttempt.duration_ms)
        .join(OutboxAttempt, OutboxAttempt.message_id == OutboxMessage.id)
        .where(
            OutboxMessage.created_at >= started,
            OutboxAttempt.outcome == "delivered",
            OutboxMessage.kind.startswith(REPORTS),
        )
    )
    rows = _read(bench.engine, lambda session: session.execute(delivered).all())
    return [(at - created).total_seconds() + ms / 1000 for created, at, ms in rows]


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(percent / 100 * len(ordered)), 1) - 1]


@dataclass
class Figures:
    """What one run measured."""

    declaring: float = 0.0  # seconds to declare the backlog
    capacity: float = 0.0  # reports per second the receiver took from the clients
    delivered: int = 0
    draining: float = 0.0  # seconds from the first attempt to the last
    draining_overall: float = 0.0  # with the workers' start-up
    delays: list[float] = field(default_factory=list)

    @property
    def drain_rate(self) -> float:
        return self.delivered / self.draining if self.draining else 0.0

    @property
    def ratio(self) -> float:
        return self.drain_rate / self.capacity if self.capacity else 0.0


def measure(options: argparse.Namespace, workdir: Path) -> Figures:
    figures = Figures()
    with portal(workdir) as (bench, establishment_id):
        cipher = PersonalDataCipher(bench.environ["DATA_ENCRYPTION_KEY"])
        declarer = Declarer(bench.engine, cipher, establishment_id)
        began = time.perf_counter()
        declarer.declare(options.reports)
        figures.declaring = time.perf_counter() - began
        figures.capacity = receiver_capacity(bench, options.workers, options.seconds)
        began = time.perf_counter()
        figures.delivered, figures.draining = drain(bench, options.workers, options.batch)
        figures.draining_overall = time.perf_counter() - began
        figures.delays = steady_delays(
            bench, declarer, workers=options.workers, rate=options.rate, seconds=options.steady
        )
    return figures


def report(options: argparse.Namespace, figures: Figures) -> str:
    """The figures as printed, then whether the targets hold."""
    delays = figures.delays
    p95 = percentile(delays, 95)
    ratio_met, p95_met = figures.ratio >= TARGET_RATIO, p95 <= TARGET_P95_S
    lines = [
        f"{os.cpu_count()} CPUs shared by the receiver, the workers and the clients; SQLite",
        f"backlog: {options.reports} stays declared and queued in {figures.declaring:.1f} s",
        (
            f"receiver capacity: {figures.capacity:.0f} reports/s"
            f" ({options.workers} clients posting flat out for {options.seconds:g} s)"
        ),
        (
            f"drain: {figures.delivered} of {options.reports} delivered"
            f" by {options.workers} workers in {figures.draining:.1f} s"
            f" ({figures.draining_overall:.1f} s with start-up):"
            f" {figures.drain_rate:.0f} reports/s"
        ),
        f"drain/capacity: {figures.ratio:.2f} (target ≥ {TARGET_RATIO}): {_verdict(ratio_met)}",
        (
            f"steady load: {len(delays)} stays at {options.rate:g}/s for {options.steady:g} s;"
            f" declaration to delivery p50 {percentile(delays, 50):.2f} s,"
            f" p95 {p95:.2f} s, max {max(delays, default=math.nan):.2f} s"
        ),
        f"p95: {p95:.2f} s (target ≤ {TARGET_P95_S:g} s): {_verdict(p95_met)}",
        "targets met" if ratio_met and p95_met else "TARGET MISSED",
    ]
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.feeds", description=__doc__)
    parser.add_argument("--reports", type=int, default=5000, help="the backlog to drain")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (and clients)")
    parser.add_argument("--batch", type=int, default=50, help="messages per claim")
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring the receiver")
    parser.add_argument("--rate", type=float, default=20.0, help="steady declarations per second")
    parser.add_argument("--steady", type=float, default=20.0, help="seconds of steady load")
    args = parser.parse_args(argv)
    if min(args.reports, args.workers, args.batch, args.seconds, args.rate, args.steady) <= 0:
        parser.error("every figure must be positive")
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-feeds-") as workdir:
            print(report(args, measure(args, Path(workdir))))
    except KeyboardInterrupt:
        print("interrupted; receiver and workers stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
