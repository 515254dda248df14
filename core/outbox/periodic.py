"""Work the delivery workers do on a clock, beside delivering: alerts, daily reports.

A feature registers a task with how often it should run (``register_periodic``). Every
worker runs each task when it is due, in a transaction of its own, committed after
the task returns. Several workers may run the same task at about the same time, so a
task must be idempotent: it queues outbox messages under keys that make a second run
a no-op (``already_queued``), never sends anything itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.database import DbSession
from core.outbox.messages import OutboxMessage

log = logging.getLogger(__name__)

PERIODIC = "periodic_tasks"  # the registry's key in app.extensions

PeriodicTask = Callable[[DbSession, dt.datetime], None]


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    task: PeriodicTask


def register_periodic(app: Flask, name: str, every: dt.timedelta, task: PeriodicTask) -> None:
    """Have every delivery worker run ``task`` once per ``every`` (and once at its start)."""
    tasks: list[Periodic] = app.extensions.setdefault(PERIODIC, [])
    if any(existing.name == name for existing in tasks):
        raise ValueError(f"a periodic task named {name!r} is already registered")
    tasks.append(Periodic(name, every, task))


def periodic_tasks(app: Flask) -> list[Periodic]:
    tasks: list[Periodic] = app.extensions.get(PERIODIC, [])
    return tasks


def already_queued(session: DbSession, key: str) -> bool:
    """Has a message with this outbox key been queued (by this run or an earlier one)?"""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


@dataclass
class PeriodicRunner:
    """One worker's schedule: when each task last ran."""

    tasks: Sequence[Periodic]
    last_run: dict[str, dt.datetime] = field(default_factory=dict)

    def run_due(self, session: Session, now: dt.datetime) -> int:
        """Run each task that is due; a failing task is logged and tried again next time."""
        ran = 0
        for periodic in self.tasks:
            last = self.last_run.get(periodic.name)
            if last is not None and now - last < periodic.every:
                continue
            self.last_run[periodic.name] = now
            try:
                periodic.task(session, now)
                session.commit()
            # A failing task (even a bug in it) must not stop the worker's deliveries.
            except Exception:
                session.rollback()
                log.exception("periodic task %s failed; it runs again later", periodic.name)
                continue
            ran += 1
        return ran
