"""``flask feeds enqueue-stats``: each approved establishment's day, queued once."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.outbox.messages import OutboxMessage
from lodging.feeds.handlers import STATS_KIND, schedule_daily_stats, stats_key
from tests.factories import make_establishment

DAY = dt.date(2026, 11, 21)


def stats_keys(session: Session) -> set[str]:
    query = select(OutboxMessage.key).where(OutboxMessage.kind == STATS_KIND)
    return set(session.scalars(query))


def test_each_approved_establishment_gets_one_report_per_day(
    app: Flask, db_session: Session
) -> None:
    open_hotel = make_establishment(db_session)
    homestay = make_establishment(db_session, rooms=())
    make_establishment(db_session, approved=False)  # not approved: reports nothing
    runner = app.test_cli_runner()

    first = runner.invoke(args=["feeds", "enqueue-stats", "--day", "2026-11-21"])
    again = runner.invoke(args=["feeds", "enqueue-stats", "--day", "2026-11-21"])

    assert first.exit_code == 0, first.output
    assert "queued for 2 establishment(s)" in first.output
    assert "queued for 0 establishment(s)" in again.output
    assert stats_keys(db_session) == {
        stats_key(open_hotel.id, DAY),
        stats_key(homestay.id, DAY),
    }


def test_an_impossible_day_is_refused(app: Flask, db_session: Session) -> None:
    result = app.test_cli_runner().invoke(args=["feeds", "enqueue-stats", "--day", "21/11/2026"])
    assert result.exit_code != 0
    assert stats_keys(db_session) == set()


def test_the_workers_queue_yesterday_once_the_day_is_over_in_vietnam(db_session: Session) -> None:
    hotel = make_establishment(db_session)
    # 00:30 on 22 November in Vietnam is still 21 November in UTC: the day that just
    # ended in Vietnam (the 21st) is queued, not the UTC day before.
    just_after_midnight = dt.datetime(2026, 11, 21, 17, 30, tzinfo=dt.UTC)
    schedule_daily_stats(db_session, just_after_midnight)
    schedule_daily_stats(db_session, just_after_midnight + dt.timedelta(minutes=15))
    assert stats_keys(db_session) == {stats_key(hotel.id, DAY)}
