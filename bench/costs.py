"""Where a declaration's time goes: per-request cost in one process, no network.

    .venv/bin/python -m bench.costs [--requests 400] [--present 500]

Runs each request through the application in-process (Flask's test client) on a
throw-away SQLite instance and prints the mean and median time of:

- ``baseline``: the minimal Flask endpoint with one raw insert (``bench.baseline``);
- ``token``: an authenticated no-op (``GET /api/v1/me``): the portal's request
  pipeline and token check, the floor of any API call;
- ``declaration``: ``POST /api/v1/establishments/{id}/stays``.

The gap between ``token`` and ``declaration`` is the declaration's own work (checks,
encryption, ORM, history, outbox); the ratio in ``bench.declarations`` follows from it.

Then a declaration into an empty hotel and into one where PRESENT guests stay over
the same days, in turns (each timed alone and cancelled after, so the hotels hold the
same guests every time; medians of REQUESTS/4). Target: the full hotel's at most 1.2
times the empty one's. Last, the longest stay a declaration may announce (730 nights)
declared, extended, moved and cancelled (``bench.long_stay``) beside a two-night stay,
target ≤ 200 ms each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.test import TestResponse

from bench import baseline, long_stay
from bench.declarations import Declarations
from bench.instance import OWNER_EMAIL, ROOMS, Instance, seed
from bench.stays import Declarer
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from core.settings import Settings
from lodging.properties import services as properties
from lodging.properties.models import EstablishmentKind
from lodging.properties.services import EstablishmentInput
from portal import create_app

TARGET_PRESENT_RATIO = 1.2


def _expect(status: int, response: TestResponse) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)}")


def _timed_ms(request: Callable[[], object], count: int) -> tuple[float, float]:
    """The mean and the median of ``count`` calls, in ms (the median resists the noise)."""
    for _ in range(count // 10):  # warm caches and the connection pool
        request()
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        request()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.mean(samples), statistics.median(samples)


class Portal:
    """The throw-away portal in one process, two hotels of one owner, requests to them."""

    def __init__(self, workdir: Path) -> None:
        instance = Instance(workdir)
        url = f"sqlite:///{instance.database}"
        self.app = create_app(Settings(instance_path=str(workdir), database_url=url).resolved())
        with self.app.app_context():
            upgrade()
        self.target = seed(instance)
        self.other = _another_hotel(self.app)  # kept empty, for the comparison
        self.declarations = Declarations(self.target.rooms)
        self.client = self.app.test_client()
        self.auth = {"Authorization": f"Bearer {self.target.token}"}
        self.present = 0  # guests in the first hotel's live stays

    def declare(self, hotel_id: int | None = None) -> int:
        headers = {**self.auth, "Idempotency-Key": uuid.uuid4().hex}
        path = f"/api/v1/establishments/{hotel_id or self.target.establishment_id}/stays"
        response = self.client.post(path, json=self.declarations(), headers=headers)
        _expect(201, response)
        self.present += hotel_id is None
        return int(response.get_json()["id"])

    def cancel(self, stay_id: int) -> None:
        path = f"/api/v1/stays/{stay_id}/cancel"
        _expect(200, self.client.post(path, json={"reason": "bench"}, headers=self.auth))

    def fill(self, guests: int) -> None:
        """Stays of one guest each over the benchmark's days until ``guests`` are present."""
        with self.app.app_context():
            cipher = self.app.extensions["personal_data_cipher"]
            declarer = Declarer(db.engine, cipher, self.target.establishment_id)
            declarer.declare(max(guests - self.present, 0))
        self.present = max(guests, self.present)


def _another_hotel(app: Flask) -> int:
    """A second hotel of the benchmark's owner, with the same 50 rooms."""
    with app.app_context():
        session = db.session
        owner = session.scalars(select(User).where(User.email == OWNER_EMAIL)).one()
        admin = session.scalars(select(User).where(User.role == Role.ADMIN)).first()
        hotel = properties.register_establishment(
            session,
            EstablishmentInput(
                name="Khách sạn Trống",
                kind=EstablishmentKind.HOTEL,
                street_address="2 Đường Hạ Long",
                province="Quảng Ninh",
                commune="Bãi Cháy",
                stars=3,
            ),
            now=utcnow(),
            owner=owner,
            approved_by=admin,
        )
        double = properties.add_room_type(session, hotel, name="Double", bed_places=2)
        properties.add_rooms(session, hotel, double, list(ROOMS))
        session.commit()
        return hotel.id


def _empty_against_full(portal: Portal, count: int) -> tuple[float, float]:
    """Median ms of a declaration into the empty hotel and into the full one, in turns.

    Each is cancelled after it is timed, so the hotels hold the same guests every time;
    the turns share whatever the machine's load does meanwhile.
    """
    samples: dict[int | None, list[float]] = {portal.other: [], None: []}
    warm = max(count // 10, 2)
    for _ in range(count + warm):
        for hotel_id, timed in samples.items():
            started = time.perf_counter()
            stay_id = portal.declare(hotel_id)
            timed.append((time.perf_counter() - started) * 1000)
            portal.cancel(stay_id)
    empty, full = (statistics.median(timed[warm:]) for timed in samples.values())
    return empty, full


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--present", type=int, default=500, help="guests in the full hotel")
    args = parser.parse_args()
    count = args.requests
    workdir = Path(tempfile.mkdtemp(prefix="bench-costs-"))
    portal = Portal(workdir)
    target, declarations = portal.target, portal.declarations
    os.environ[baseline.DATABASE_VARIABLE] = str(workdir / "baseline.sqlite3")
    baseline.create_database(workdir / "baseline.sqlite3")
    raw = baseline.app.test_client()

    def baseline_request() -> None:
        _expect(201, raw.post(target.stays_path, json=declarations()))

    def token_request() -> None:
        _expect(200, portal.client.get("/api/v1/me", headers=portal.auth))

    figures = {
        "baseline": _timed_ms(baseline_request, count),
        "token": _timed_ms(token_request, count),
        "declaration": _timed_ms(portal.declare, count),
    }
    portal.fill(args.present)
    empty, full = _empty_against_full(portal, count // 4)
    print(f"{count} requests each (Flask test client, SQLite, one process): mean, median")
    for name, (mean, median) in figures.items():
        ratio = median / figures["baseline"][1]
        print(f"{name:<12} {mean:6.2f} ms {median:6.2f} ms  ({ratio:.1f}× baseline's median)")
    over = figures["declaration"][1] - figures["token"][1]
    print(f"a declaration's own work (median over the token's): {over:.2f} ms")
    print(
        f"declaration (median of {count // 4} in turns, each cancelled after): empty hotel"
        f" {empty:.2f} ms, {args.present} guests present over the same days {full:.2f} ms;"
        f" ratio {full / empty:.2f} (target ≤ {TARGET_PRESENT_RATIO}):"
        f" {'met' if full / empty <= TARGET_PRESENT_RATIO else 'MISSED'}"
    )
    print(long_stay.report(portal.app, target.establishment_id))


if __name__ == "__main__":
    main()
