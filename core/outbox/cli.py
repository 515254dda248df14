"""Operators' commands for the outbox: ``flask outbox work``, ``status`` and ``replay``."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo

from core.clock import utcnow
from core.extensions import db
from core.outbox.delivery import DEFAULT_POLICY, RetryPolicy
from core.outbox.messages import (
    ChannelStatus,
    OutboxState,
    ReplayError,
    delivery_status,
    handlers_of,
    replay_all,
    replay_message,
)
from core.outbox.worker import DEFAULT_COOLDOWN, DEFAULT_LEASE, CircuitBreaker, run_worker

F = TypeVar("F", bound=Callable[..., Any])

outbox_cli = AppGroup(
    "outbox",
    help="Deliver what the outbox holds (reports, e-mail, refunds, search) and look after it.",
)


def _seconds(name: str, default: dt.timedelta, help_text: str) -> Callable[[F], F]:
    """An option in seconds, passed to the command as ``<name>_seconds``."""
    return click.option(
        f"--{name}",
        f"{name.replace('-', '_')}_seconds",
        default=default.total_seconds(),
        show_default=True,
        type=click.FloatRange(min=0.001),
        help=f"{help_text} In seconds.",
    )


@outbox_cli.command("work")
@click.option("--drain", is_flag=True, help="Deliver everything due, then exit (cron, tests).")
@click.option("--worker-id", default="", help="This worker's name in leases and evidence.")
@click.option(
    "--batch", default=20, show_default=True, type=click.IntRange(min=1), help="Messages per claim."
)
@_seconds("lease", DEFAULT_LEASE, "Before a dead worker's messages are claimed again.")
# A quarter second: an edit shows in search well within a second (measured ~0.2 s
# from commit to searchable); an idle claim query 4 times a second costs little.
@_seconds("poll", dt.timedelta(seconds=0.25), "The wait when nothing is due.")
@_seconds("backoff-base", DEFAULT_POLICY.base, "The longest wait after a first failure (doubles).")
@_seconds("backoff-cap", DEFAULT_POLICY.cap, "The longest wait between two attempts.")
@click.option(
    "--max-attempts",
    default=DEFAULT_POLICY.max_attempts,
    show_default=True,
    type=click.IntRange(min=1),
    help="Attempts before a message goes dead (or, unverified, waits for an operator).",
)
@_seconds("cooldown", DEFAULT_COOLDOWN, "How long a failing channel's circuit stays open.")
def work_command(
    drain: bool,
    worker_id: str,
    batch: int,
    max_attempts: int,
    **seconds: float,
) -> None:
    """Deliver due messages until SIGTERM or SIGINT (with --drain: until none is due).

    A signal lets the delivery under way finish, then the worker exits; a second one
    interrupts at once (the message is claimed again when its lease is over).
    """
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    policy = RetryPolicy(
        base=dt.timedelta(seconds=seconds["backoff_base_seconds"]),
        cap=dt.timedelta(seconds=seconds["backoff_cap_seconds"]),
        max_attempts=max_attempts,
    )
    stop = threading.Event()
    with _stopping_on_signals(stop):
        outcomes = run_worker(
            app,
            drain=drain,
            worker_id=worker_id or f"{socket.gethostname()}:{os.getpid()}",
            stop=stop,
            policy=policy,
            poll_interval=seconds["poll_seconds"],
            lease=dt.timedelta(seconds=seconds["lease_seconds"]),
            batch=batch,
            breaker=CircuitBreaker(cooldown=dt.timedelta(seconds=seconds["cooldown_seconds"])),
        )
    done = ", ".join(f"{kind} {count}" for kind, count in sorted(outcomes.items()))
    click.echo(f"attempts: {done or 'none'}")


@contextmanager
def _stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@outbox_cli.command("status")
def status_command() -> None:
    """Messages per channel and state, and how long the oldest waiting one has waited."""
    channels = delivery_status(db.session, handlers_of(current_app).channel_of)
    if not channels:
        click.echo("the outbox is empty")
        return
    now = utcnow()
    states = list(OutboxState)
    rows = [["channel", *states, "oldest waiting"]]
    for channel in channels:
        counts = [str(channel.counts.get(state, 0)) for state in states]
        rows.append([_channel_name(channel), *counts, _age(channel, now)])
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


def _channel_name(channel: ChannelStatus) -> str:
    return channel.channel or f"(no handler: {', '.join(channel.kinds)})"


def _age(channel: ChannelStatus, now: dt.datetime) -> str:
    if channel.oldest_waiting_since is None:
        return "-"
    seconds = max(0, int((now - channel.oldest_waiting_since).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


@outbox_cli.command("replay")
@click.argument("message_id", type=int, required=False)
@click.option("--dead", is_flag=True, help="Every dead message.")
@click.option("--unverified", is_flag=True, help="Every message whose outcome is unknown.")
def replay_command(message_id: int | None, dead: bool, unverified: bool) -> None:
    """Queue messages again with the same key: one by ID, or every dead or unverified one."""
    if [message_id is not None, dead, unverified].count(True) != 1:
        raise click.UsageError("give one of: a message ID, --dead, --unverified")
    now = utcnow()
    notify = handlers_of(current_app).notify
    if message_id is not None:
        try:
            replay_message(db.session, message_id, now=now, actor_label="cli", on_state=notify)
        except ReplayError as exc:
            raise click.ClickException(str(exc)) from exc
        count = 1
    else:
        state = OutboxState.DEAD if dead else OutboxState.UNVERIFIED
        count = replay_all(db.session, state, now=now, actor_label="cli", on_state=notify)
    db.session.commit()
    click.echo(f"queued again: {count}")
