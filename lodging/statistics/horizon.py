"""How far ahead the ledger counts, and moving that day on.

The ledger counts every day up to a stored horizon (``StatisticsHorizon``) and none
after it. A stay announcing a departure years away (or 9999-12-31) then costs a
change at most the days up to the horizon, not one cell per night it announces. The
periodic task ``ledger.extend_horizon`` keeps the horizon ``HORIZON_DAYS`` ahead of today, counting
the guests the new days hold; every change to a stay reads the same stored day, so the
incremental ledger always equals a rebuild up to it.

Why 90 days: the dashboards, exports and the IOC read today and the past; days ahead
are a forecast from expected departures, and a quarter ahead covers a season's
forecast. It is also how long the periodic task may fail before a day anyone reads
loses a guest who stays longer. At 90 days a change writes at most some 4 times 90 cells
(the day, its residences and the two province roll-ups) plus a few months.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import Select, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.clock import local_now
from core.database import DbSession
from lodging.statistics.models import StatisticsHorizon

HORIZON_DAYS = 90
HORIZON_ROW = 1


def wanted(today: dt.date) -> dt.date:
    """The horizon the ledger should have on ``today``."""
    return today + dt.timedelta(days=HORIZON_DAYS)


def current(session: DbSession, *, for_update: bool = False) -> dt.date:
    """The stored horizon, locked against ``ledger.extend_horizon`` until this transaction ends.

    A change holds a key-share lock (changes do not wait for each other); ``ledger.extend_horizon``
    takes the row for update, so it never counts the new days from a projection a
    change in flight has not committed yet (PostgreSQL; SQLite runs one writer).
    """
    found = session.scalar(_stored(for_update=for_update))
    if found is not None:
        return found
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(StatisticsHorizon)
        .values(id=HORIZON_ROW, last_day=wanted(local_now().date()))
        .on_conflict_do_nothing()
    )
    return current(session, for_update=for_update)


@cache
def _stored(*, for_update: bool) -> Select[tuple[dt.date]]:
    """Built once: every stay change reads it (see ``ledger``'s statements)."""
    query = select(StatisticsHorizon.last_day).where(StatisticsHorizon.id == HORIZON_ROW)
    return (
        query.with_for_update() if for_update else query.with_for_update(read=True, key_share=True)
    )


def move_to(session: DbSession, last_day: dt.date) -> None:
    """Store the new horizon (``ledger.extend_horizon`` has counted its days)."""
    session.execute(
        update(StatisticsHorizon)
        .where(StatisticsHorizon.id == HORIZON_ROW)
        .values(last_day=last_day)
    )
