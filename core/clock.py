"""The one place that asks the time, so tests can move it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_now() -> dt.datetime:
    return utcnow().astimezone(VIETNAM)
