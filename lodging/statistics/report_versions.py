"""Every version of an establishment's monthly report, and what each correction changed.

A correction is a whole new version; the department wants to see what it changed, so
each version after the first lists only the fields that differ from the one before,
old value and new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.auth.models import User
from core.database import DbSession
from lodging.statistics.monthly_report import (
    MonthlyReport,
    ReportStatus,
    current_submitted,
    history,
)

# The report's fields, in the form's order, with the labels the owner's page uses.
FIELDS: tuple[tuple[str, LazyString], ...] = (
    ("overnight_international", _l("Overnight guests, international")),
    ("overnight_domestic", _l("Overnight guests, domestic")),
    ("same_day_international", _l("Same-day guests, international")),
    ("same_day_domestic", _l("Same-day guests, domestic")),
    ("nights_international", _l("Guest-nights, international")),
    ("nights_domestic", _l("Guest-nights, domestic")),
    ("room_nights", _l("Room-nights used")),
    ("bed_nights", _l("Bed-nights used")),
    ("rooms_available", _l("Room-days available")),
    ("bed_places_available", _l("Bed-place-days available")),
    ("revenue_international", _l("Net revenue from international guests (VND)")),
    ("revenue_domestic", _l("Net revenue from domestic guests (VND)")),
)


@dataclass(frozen=True)
class Change:
    field: str
    label: LazyString
    old: int | None  # None: a revenue not entered
    new: int | None


@dataclass(frozen=True)
class Version:
    number: int
    status: ReportStatus
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    submitted_by: str  # the person's name only
    reason: str
    values: tuple[tuple[LazyString, int | None], ...]
    changes: tuple[Change, ...] | None  # None for the first version: nothing before it
    in_force: bool  # the newest submitted version: the figures the department uses


def changes(old: MonthlyReport, new: MonthlyReport) -> tuple[Change, ...]:
    """The fields whose value differs between two versions, in the form's order."""
    return tuple(
        Change(name, label, getattr(old, name), getattr(new, name))
        for name, label in FIELDS
        if getattr(old, name) != getattr(new, name)
    )


def versions(session: DbSession, establishment_id: int, year: int, month: int) -> list[Version]:
    """The month's versions, oldest first, each with what it changed from the one before."""
    reports = list(reversed(history(session, establishment_id, year, month)))
    names = user_names(session, {r.submitted_by_id for r in reports if r.submitted_by_id})
    current = current_submitted(list(reversed(reports)))
    result = []
    for index, report in enumerate(reports):
        result.append(
            Version(
                number=report.version,
                status=report.status,
                created_at=report.created_at,
                submitted_at=report.submitted_at,
                submitted_by=names.get(report.submitted_by_id or 0, ""),
                reason=report.correction_reason,
                values=tuple((label, getattr(report, name)) for name, label in FIELDS),
                changes=changes(reports[index - 1], report) if index else None,
                in_force=report is current,
            )
        )
    return result


def user_names(session: DbSession, user_ids: set[int | None]) -> dict[int, str]:
    """The names of the people who submitted: a name, never an e-mail or an account."""
    wanted = {user_id for user_id in user_ids if user_id}
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.full_name).where(User.id.in_(wanted)))
    return dict(rows.tuples().all())
