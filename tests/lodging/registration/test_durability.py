"""A declaration answered 201 is in the database, even when the server dies right after.

The portal runs as in production (gunicorn, two workers) on its own SQLite file,
built by the benchmark's set-up (``bench.instance``); clients post declarations, and
the whole process group is SIGKILLed mid-load: no shutdown code, no flush, no commit
that was not already done. Then the file is opened directly.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bench.declarations import Declarations, Load
from bench.instance import Instance, prepare, start_gunicorn

LOAD_SECONDS = 2.0


@pytest.fixture(autouse=True)
def db_session() -> None:
    """Override the root rollback fixture: the server commits into its own database."""


@pytest.fixture
def sqlite_only(request: pytest.FixtureRequest) -> None:
    if request.config.getoption("--database-url"):
        pytest.skip("runs its own SQLite database: the same test on PostgreSQL adds nothing")


def _stored(database: Path) -> tuple[set[int], set[tuple[int, int]], set[int]]:
    """Stay ids, (guest id, stay id) pairs, and stay ids with a queued declaration report."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        stays = {row[0] for row in connection.execute("SELECT id FROM lodging_stay")}
        guests = set(connection.execute("SELECT id, stay_id FROM lodging_guest"))
        reported = {
            json.loads(payload)["stay_id"]
            for (payload,) in connection.execute(
                "SELECT payload FROM core_outbox_message"
                " WHERE kind = 'lodging.stay.citizens.declare'"
            )
        }
    return stays, guests, reported


@pytest.mark.usefixtures("sqlite_only")
def test_every_acknowledged_declaration_survives_a_sigkill_mid_load(tmp_path: Path) -> None:
    instance = Instance(tmp_path / "instance")
    target = prepare(instance)
    server = start_gunicorn(
        "wsgi:app", instance.environ(), tmp_path / "portal.log", probe="/api/v1/health"
    )
    acknowledged: list[dict[str, Any]] = []
    lock = threading.Lock()

    def keep(answer: dict[str, Any]) -> None:
        with lock:
            acknowledged.append(answer)

    load = Load(server.address, target, Declarations(target.rooms), concurrency=4, on_created=keep)
    try:
        load.start()
        time.sleep(LOAD_SECONDS)
        server.kill()  # master and workers, while the clients keep posting
        time.sleep(0.3)
        result = load.stop("crash")
    finally:
        server.stop()

    assert len(acknowledged) >= 10, server.log_tail()
    assert any(not outcome.isdigit() for outcome in result.failures), "killed after the load"
    stays, guests, reported = _stored(instance.database)
    answered = {answer["id"] for answer in acknowledged}
    assert answered - stays == set()
    answered_guests = {(g["id"], answer["id"]) for answer in acknowledged for g in answer["guests"]}
    assert answered_guests - guests == set()
    assert answered - reported == set()
