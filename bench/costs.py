"""Where a declaration's time goes: per-request cost in one process, no network.

    .venv/bin/python -m bench.costs [--requests 400]

Runs each request through the application in-process (Flask's test client) on a
throw-away SQLite instance and prints the mean time of:

- ``baseline``: the minimal Flask endpoint with one raw insert (``bench.baseline``);
- ``token``: an authenticated no-op (``GET /api/v1/me``): the portal's request
  pipeline and token check, the floor of any API call;
- ``declaration``: ``POST /api/v1/establishments/{id}/stays``.

The gap between ``token`` and ``declaration`` is the declaration's own work (checks,
encryption, ORM, history, outbox); the ratio in ``bench.declarations`` follows from it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade
from werkzeug.test import TestResponse

from bench import baseline
from bench.declarations import Declarations
from bench.instance import Instance, seed
from portal import create_app
from portal.core.settings import Settings


def _expect(status: int, response: TestResponse) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.status_code}: {response.get_data(as_text=True)}")


def _mean_ms(request: Callable[[], None], count: int) -> float:
    for _ in range(count // 10):  # warm caches and the connection pool
        request()
    started = time.perf_counter()
    for _ in range(count):
        request()
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    count = parser.parse_args().requests
    workdir = Path(tempfile.mkdtemp(prefix="bench-costs-"))
    instance = Instance(workdir)
    url = f"sqlite:///{instance.database}"
    app = create_app(Settings(instance_path=str(workdir), database_url=url).resolved())
    with app.app_context():
        upgrade()
    target = seed(instance)
    declarations = Declarations(target.rooms)
    portal, auth = app.test_client(), {"Authorization": f"Bearer {target.token}"}
    os.environ[baseline.DATABASE_VARIABLE] = str(workdir / "baseline.sqlite3")
    baseline.create_database(workdir / "baseline.sqlite3")
    raw = baseline.app.test_client()

    def baseline_request() -> None:
        _expect(201, raw.post(target.stays_path, json=declarations()))

    def token_request() -> None:
        _expect(200, portal.get("/api/v1/me", headers=auth))

    def declaration_request() -> None:
        headers = {**auth, "Idempotency-Key": uuid.uuid4().hex}
        _expect(201, portal.post(target.stays_path, json=declarations(), headers=headers))

    figures = {
        "baseline": _mean_ms(baseline_request, count),
        "token": _mean_ms(token_request, count),
        "declaration": _mean_ms(declaration_request, count),
    }
    for name, ms in figures.items():
        print(f"{name:<12} {ms:6.2f} ms  ({ms / figures['baseline']:.1f}× baseline)")


if __name__ == "__main__":
    main()
