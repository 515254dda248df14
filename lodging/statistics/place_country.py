"""Guests per establishment and country of residence over a range, in two queries.

The disclosure rule's cross solve needs every establishment's guests by country; asking
``measures.occupancy`` for each establishment in turn costs a query per establishment
per range. This gives the same figures (``occupancy``'s ``guests`` of a year-period row,
summed over the range's years) from the daily ledger at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select

from core.database import DbSession
from lodging.properties.models import Establishment
from lodging.statistics import periods
from lodging.statistics.measures import Scope, scope_conditions
from lodging.statistics.models import StatisticsDayResidence


def guests_by_place_and_country(
    session: DbSession, *, first_day: dt.date, last_day: dt.date, scope: Scope
) -> dict[tuple[int, str], int]:
    """Guests of the range by (establishment, country of residence); no zero entries.

    A guest counts when arriving (overnight or same-day) in the range, or when already
    there the first night of each calendar year the range spans, as ``occupancy``
    counts a year period's guests.
    """
    conditions = scope_conditions(scope)
    if conditions is None or last_day < first_day:
        return {}
    r = StatisticsDayResidence
    keys = (r.establishment_id, r.residence_country)
    firsts = [first for first, _last in periods.spans(first_day, last_day, "year")]
    arrived = select(*keys, func.sum(r.arrivals) + func.sum(r.same_day)).where(
        r.day.between(first_day, last_day)
    )
    carried = select(*keys, func.sum(r.nights) - func.sum(r.arrivals)).where(r.day.in_(firsts))
    guests: dict[tuple[int, str], int] = defaultdict(int)
    for stmt in (arrived, carried):
        placed = stmt.join(Establishment, Establishment.id == r.establishment_id)
        for establishment_id, country, n in session.execute(
            placed.where(*conditions).group_by(*keys)
        ):
            guests[establishment_id, country] += int(n or 0)
    return {cell: n for cell, n in guests.items() if n}
