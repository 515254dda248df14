"""The workers' periodic tasks: run when due, each in its own transaction, failures contained."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from core.database import DbSession
from core.outbox import messages as outbox
from core.outbox.periodic import (
    Periodic,
    PeriodicRunner,
    already_queued,
    periodic_tasks,
    register_periodic,
)

NOW = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


def queue(name: str) -> Periodic:
    def task(session: DbSession, now: dt.datetime) -> None:
        if not already_queued(session, f"periodic-test:{name}"):
            outbox.enqueue(
                session, kind="test.periodic", key=f"periodic-test:{name}", payload={}, now=now
            )

    return Periodic(name, dt.timedelta(minutes=10), task)


def broken(session: DbSession, now: dt.datetime) -> None:
    outbox.enqueue(
        session, kind="test.periodic", key="periodic-test:half-done", payload={}, now=now
    )
    session.flush()
    raise RuntimeError("a bug in a task")


def test_a_task_runs_at_once_then_only_when_its_interval_is_over(db_session: Session) -> None:
    runner = PeriodicRunner([queue("a")])
    assert runner.run_due(db_session, NOW) == 1
    assert runner.run_due(db_session, NOW + dt.timedelta(minutes=9)) == 0
    assert runner.run_due(db_session, NOW + dt.timedelta(minutes=10)) == 1
    assert already_queued(db_session, "periodic-test:a")


def test_a_failing_task_leaves_nothing_behind_and_the_others_still_run(db_session: Session) -> None:
    runner = PeriodicRunner([Periodic("broken", dt.timedelta(minutes=1), broken), queue("b")])
    assert runner.run_due(db_session, NOW) == 1
    assert not already_queued(db_session, "periodic-test:half-done")
    assert already_queued(db_session, "periodic-test:b")


def test_a_task_name_is_registered_once() -> None:
    app = Flask(__name__)
    register_periodic(app, "x", dt.timedelta(minutes=1), broken)
    with pytest.raises(ValueError, match="already registered"):
        register_periodic(app, "x", dt.timedelta(minutes=1), broken)


def test_the_portal_schedules_alerts_daily_statistics_the_hold_sweeper_and_the_horizon(
    app: Flask,
) -> None:
    names = {task.name for task in periodic_tasks(app)}
    assert names == {"deadline-alerts", "daily-statistics", "lapsed-holds", "statistics-horizon"}
