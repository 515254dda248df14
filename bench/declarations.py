"""Declarations per second and latency: the portal's API against a raw insert.

    .venv/bin/python -m bench.declarations [--seconds 10] [--concurrency 8] \
        [--database-url postgresql://…]

Builds a throw-away instance (SQLite, migrated, one hotel and its owner's API token),
serves it with ``gunicorn -w 2 wsgi:app`` and the baseline (``bench.baseline``, one
raw insert per request) with ``gunicorn -w 2`` as well, then has CONCURRENCY
keep-alive clients post valid, distinct declarations to each in turn. With
``--database-url`` the portal is measured on that PostgreSQL database too (its public
schema is emptied first), beside the SQLite one. Targets: the portal keeps at least a
quarter of the baseline's throughput, and its p99 stays within 50 ms.
The result is printed whether or not they hold; the exit status is 0 either way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import itertools
import json
import math
import os
import random
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from bench import baseline
from bench.instance import ROOMS, Instance, Server, Target, prepare, start_gunicorn
from core.clock import VIETNAM, utcnow

TARGET_RATIO = 0.25
TARGET_P99_MS = 50.0
FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Đặng", "Bùi")
MIDDLE_NAMES = {"M": ("Văn", "Đức", "Minh", "Quang"), "F": ("Thị", "Ngọc", "Thu", "Thanh")}
GIVEN_NAMES = ("An", "Bình", "Dũng", "Giang", "Hà", "Hải", "Khánh", "Lan", "Long", "Mai", "Nam")
PROVINCES = ("Hà Nội", "Quảng Ninh", "Hải Phòng", "Lào Cai", "Hồ Chí Minh", "Đà Nẵng", "Huế")
CCCD_PROVINCE = "001"  # Hà Nội, where the birth was registered
CENTURY_DIGIT = {"M": "0", "F": "1"}  # born 1900-1999


class Declarations:
    """Valid declarations of one Vietnamese guest each, no two with the same CCCD."""

    def __init__(self, rooms: tuple[str, ...], seed: int | None = None) -> None:
        self._rooms = rooms
        self._random = random.Random(seed)
        self._serials = itertools.count(self._random.randrange(1_000_000))
        self._lock = threading.Lock()

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            serial = next(self._serials) % 1_000_000
            pick = self._random.choice
            sex = pick(("M", "F"))
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=self._random.randrange(50 * 365))
            name = f"{pick(FAMILY_NAMES)} {pick(MIDDLE_NAMES[sex])} {pick(GIVEN_NAMES)}"
            room, province = pick(self._rooms), pick(PROVINCES)
        arrival = (utcnow() - dt.timedelta(minutes=10)).astimezone(VIETNAM)
        number = f"{CCCD_PROVINCE}{CENTURY_DIGIT[sex]}{birth.year % 100:02d}{serial:06d}"
        return {
            "room": room,
            "arrival": arrival.isoformat(timespec="seconds"),
            "expected_departure": (arrival.date() + dt.timedelta(days=2)).isoformat(),
            "purpose": "tourism",
            "guests": [
                {
                    "full_name": name,
                    "birth_date": birth.isoformat(),
                    "sex": sex,
                    "nationality": "VN",
                    "residence_country": "VN",
                    "residence_province": province,
                    "document_type": "cccd",
                    "document_number": number,
                    "role": "single",
                }
            ],
        }


@dataclass
class Result:
    """What one run of clients got: latencies of the 201 answers, and every outcome."""

    name: str
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return sum(self.outcomes.values())

    @property
    def created(self) -> int:
        return len(self.latencies)

    @property
    def failures(self) -> Counter[str]:
        return Counter({k: v for k, v in self.outcomes.items() if k != "201"})

    @property
    def throughput(self) -> float:
        return self.created / self.elapsed if self.elapsed else 0.0

    def percentile_ms(self, percent: float) -> float:
        """Nearest-rank percentile of the 201 answers' latencies, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(math.ceil(percent / 100 * len(ordered)), 1)
        return ordered[rank - 1] * 1000


class Load:
    """CONCURRENCY threads, each with one keep-alive connection, posting until stopped.

    Each request carries a fresh ``Idempotency-Key``, as careful hotel software sends.
    ``on_created`` gets every 201 answer's JSON (from the clients' threads).
    """

    def __init__(
        self,
        address: tuple[str, int],
        target: Target,
        declarations: Callable[[], dict[str, Any]],
        *,
        concurrency: int,
        on_created: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self._address = address
        self._target = target
        self._declarations = declarations
        self._on_created = on_created
        self._stop = threading.Event()
        self._results = [Result("client") for _ in range(concurrency)]
        self._threads = [
            threading.Thread(target=self._client, args=(result,), daemon=True)
            for result in self._results
        ]
        self._started = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()
        for thread in self._threads:
            thread.start()

    def stop(self, name: str) -> Result:
        """Stop sending, wait for the answers in flight, and add up what happened."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        total = Result(name, elapsed=time.perf_counter() - self._started)
        for result in self._results:
            total.latencies.extend(result.latencies)
            total.outcomes.update(result.outcomes)
        return total

    def run_for(self, seconds: float, name: str) -> Result:
        self.start()
        time.sleep(seconds)
        return self.stop(name)

    def _client(self, result: Result) -> None:
        connection = http.client.HTTPConnection(*self._address, timeout=30)
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self._target.token}",
        }
        try:
            while not self._stop.is_set():
                body = json.dumps(self._declarations()).encode()
                began = time.perf_counter()
                try:
                    connection.request(
                        "POST",
                        self._target.stays_path,
                        body,
                        {**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    result.outcomes[type(exc).__name__] += 1
                    connection.close()  # the next request reconnects
                    self._stop.wait(0.05)
                    continue
                self._record(result, response.status, time.perf_counter() - began, answer)
        finally:
            connection.close()

    def _record(self, result: Result, status: int, latency: float, answer: bytes) -> None:
        result.outcomes[str(status)] += 1
        if status == 201:
            result.latencies.append(latency)
            if self._on_created is not None:
                self._on_created(json.loads(answer))


def measure(
    server: Server, target: Target, name: str, *, seconds: float, concurrency: int
) -> Result:
    """Warm the workers up for a second, then measure for ``seconds``."""
    declarations = Declarations(target.rooms)
    Load(server.address, target, declarations, concurrency=concurrency).run_for(1.0, "warm-up")
    load = Load(server.address, target, declarations, concurrency=concurrency)
    return load.run_for(seconds, name)


def report(portals: list[Result], yardstick: Result, *, concurrency: int, seconds: float) -> str:
    """The comparison as printed: one line per server, then each portal's targets."""
    lines = [
        (
            f"{concurrency} clients, {seconds:g} s each, gunicorn 2 workers, SQLite WAL"
            f" synchronous=FULL, {os.cpu_count()} CPUs shared by clients and servers"
            f" (load average {os.getloadavg()[0]:.1f})"
        ),
        f"{'':12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}  failures",
    ]
    for result in (*portals, yardstick):
        failures = ", ".join(f"{k}×{v}" for k, v in sorted(result.failures.items())) or "none"
        lines.append(
            f"{result.name:12}{result.requests:>10}{result.throughput:>10.1f}"
            f"{result.percentile_ms(50):>10.1f}{result.percentile_ms(99):>10.1f}  {failures}"
        )
    met = True
    for portal in portals:
        ratio = portal.throughput / yardstick.throughput if yardstick.throughput else 0.0
        p99 = portal.percentile_ms(99)
        ratio_met = ratio >= TARGET_RATIO
        p99_met = p99 <= TARGET_P99_MS  # NaN (no 201 at all) never meets it
        met = met and ratio_met and p99_met and not portal.failures
        lines += [
            (
                f"{portal.name}: throughput ratio over the baseline {ratio:.2f}"
                f" (target ≥ {TARGET_RATIO}): {_verdict(ratio_met)};"
                f" p99 {p99:.1f} ms (target ≤ {TARGET_P99_MS:g} ms): {_verdict(p99_met)}"
            ),
        ]
        if portal.failures:
            lines.append(f"{portal.name} answered some requests with something other than 201")
    lines.append("targets met" if met else "TARGET MISSED")
    return "\n".join(lines)


def _verdict(met: bool) -> str:
    return "met" if met else "missed"


def _measure_portal(
    instance: Instance, name: str, workdir: Path, *, seconds: float, concurrency: int
) -> tuple[Result, str]:
    """Serve ``instance`` with gunicorn and load it; the result and the log's tail."""
    target = prepare(instance)
    server = start_gunicorn(
        "wsgi:app", instance.environ(), workdir / f"{name}.log", probe="/api/v1/health"
    )
    try:
        result = measure(server, target, name, seconds=seconds, concurrency=concurrency)
        return result, server.log_tail() if result.failures else ""
    finally:
        server.stop()


def run(seconds: float, concurrency: int, workdir: Path, database_url: str = "") -> str:
    """The portal on SQLite (and on ``database_url``), then the baseline, one at a time."""
    instances = {"portal": Instance(workdir / "instance")}
    if database_url:
        instances = {
            "portal/sqlite": instances["portal"],
            "portal/pg": Instance(workdir / "instance-pg", database_url=database_url),
        }
    portals, logs = [], []
    for name, instance in instances.items():
        result, log = _measure_portal(
            instance, name.replace("/", "-"), workdir, seconds=seconds, concurrency=concurrency
        )
        result.name = name
        portals.append(result)
        if log:
            logs.append(f"\n\n{name} log (last lines):\n{log}")
    baseline_database = workdir / "baseline.sqlite3"
    baseline.create_database(baseline_database)
    baseline_env = {**os.environ, baseline.DATABASE_VARIABLE: str(baseline_database)}
    server = start_gunicorn("bench.baseline:app", baseline_env, workdir / "baseline.log")
    try:
        target = Target(establishment_id=1, token="", rooms=ROOMS)  # the baseline checks neither
        yardstick = measure(server, target, "baseline", seconds=seconds, concurrency=concurrency)
    finally:
        server.stop()
    return report(portals, yardstick, concurrency=concurrency, seconds=seconds) + "".join(logs)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.declarations", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring time per server")
    parser.add_argument("--concurrency", type=int, default=8, help="clients at once")
    parser.add_argument(
        "--database-url", default="", help="also run the portal on this PostgreSQL database"
    )
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.concurrency < 1:
        parser.error("--seconds must be positive and --concurrency at least 1")
    # Ctrl-C and `kill` both stop the servers, even where SIGINT came in ignored (`cmd &`).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-declarations-") as workdir:
            print(run(args.seconds, args.concurrency, Path(workdir), args.database_url))
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
