"""What the in-process benchmarks share: a migrated throw-away portal, and timing a call."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade

from core.extensions import db
from core.settings import Settings
from portal import create_app

SECRET = "bench-in-process-secret-key-0123456789-not-for-production"  # noqa: S105 - throw-away


@contextmanager
def migrated_app(database_url: str = "") -> Iterator[Flask]:
    """A portal on a temporary instance (its SQLite file, or ``database_url``), migrated."""
    with tempfile.TemporaryDirectory() as instance:
        settings = Settings(
            environment="test",
            instance_path=instance,
            database_url=database_url,
            secret_key=SECRET,
        ).resolved()
        app = create_app(settings)
        with app.app_context():
            upgrade()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def percentiles(call: Callable[[], object], repeat: int, high: float) -> tuple[float, float]:
    """The median and the ``high`` quantile (0.95, 0.99) of ``repeat`` calls, in ms."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(high * len(samples)) - 1)]
