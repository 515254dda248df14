"""Who has sent the month's report (form 01CS/LTDL), late or in time, and who has not.

The department's view over the owners' monthly reports: one row per approved
establishment, whatever it has done for the month. A report is due by the 12th of the
following month (Asia/Ho_Chi_Minh); whether it came in time is judged on the first
submitted version, since a correction after the deadline does not make a report that
arrived in time late. The figures in force are the newest submitted version's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, select

from core.auth.models import User
from core.clock import VIETNAM
from core.database import DbSession
from lodging.properties.models import Establishment, EstablishmentStatus, Membership
from lodging.statistics.monthly_report import MonthlyReport, ReportStatus
from lodging.statistics.report_reminders import (
    Compose,
    Officer,
    ReminderResult,
    last_reminders,
    remind,
)
from lodging.statistics.report_versions import user_names

# The report of a month is due by the end of this day of the next month.
DEADLINE_DAY = 12


class ReportState(StrEnum):
    """Where an establishment stands for the month, the most urgent first."""

    NOTHING = "nothing"
    DRAFT = "draft"
    LATE = "late"
    ON_TIME = "on_time"


# The page's status filter: a name for a set of states.
STATE_FILTERS: dict[str, frozenset[ReportState]] = {
    "missing": frozenset({ReportState.NOTHING, ReportState.DRAFT}),
    "draft": frozenset({ReportState.DRAFT}),
    "submitted": frozenset({ReportState.LATE, ReportState.ON_TIME}),
    "late": frozenset({ReportState.LATE}),
}
MISSING = STATE_FILTERS["missing"]
_ORDER = {state: index for index, state in enumerate(ReportState)}


@dataclass(frozen=True)
class EstablishmentReport:
    """One establishment's report for the month, as the department sees it."""

    establishment_id: int
    name: str
    commune_code: int
    state: ReportState
    versions: int
    in_force_version: int | None
    in_force_submitted_at: dt.datetime | None
    in_force_submitted_by: str  # the person's name only, "" if unknown
    first_submitted_at: dt.datetime | None
    last_reminder_at: dt.datetime | None
    has_address: bool

    @property
    def missing(self) -> bool:
        return self.state in MISSING


@dataclass(frozen=True)
class Tally:
    submitted: int
    late: int
    missing: int


def due_day(year: int, month: int) -> dt.date:
    """The last day the month's report is in time: the 12th of the next month."""
    return dt.date(year + month // 12, month % 12 + 1, DEADLINE_DAY)


def deadline(year: int, month: int) -> dt.datetime:
    """The moment the month's report becomes late: the end of its due day, in Vietnam."""
    return dt.datetime.combine(due_day(year, month) + dt.timedelta(days=1), dt.time(), VIETNAM)


def month_reports(
    session: DbSession,
    year: int,
    month: int,
    *,
    commune_code: int | None = None,
    establishment_ids: Collection[int] | None = None,
) -> list[EstablishmentReport]:
    """Every approved establishment (in the commune, among the ids) and its month's report.

    The ones that have sent nothing come first, then drafts, late, in time; by name.
    """
    places = _establishments(session, commune_code, establishment_ids)
    ids = [place.id for place in places]
    versions = _versions(session, year, month, ids)
    names = user_names(session, {v.submitted_by_id for vs in versions.values() for v in vs})
    reminded = last_reminders(session, year, month, ids)
    addressed = _with_address(session, ids) | {place.id for place in places if place.email}
    due = deadline(year, month)
    rows = [
        _row(
            place,
            versions.get(place.id, []),
            names=names,
            reminded=reminded.get(place.id),
            due=due,
            addressed=addressed,
        )
        for place in places
    ]
    return sorted(rows, key=lambda row: (_ORDER[row.state], row.name.casefold(), row.name))


def remind_missing(
    session: DbSession,
    year: int,
    month: int,
    *,
    commune_code: int | None,
    now: dt.datetime,
    today: dt.date,
    by: Officer,
    compose: Compose,
) -> Counter[ReminderResult]:
    """Remind every establishment (in the commune) that has not submitted the month's report.

    Each is reminded as ``remind`` would: not twice in 24 hours, not without an address.
    """
    results: Counter[ReminderResult] = Counter()
    for row in month_reports(session, year, month, commune_code=commune_code):
        if row.missing:
            place = session.get_one(Establishment, row.establishment_id)
            results[
                remind(session, place, year, month, now=now, today=today, by=by, compose=compose)
            ] += 1
    return results


def _row(
    place: Establishment,
    versions: Sequence[MonthlyReport],
    *,
    names: dict[int, str],
    reminded: dt.datetime | None,
    due: dt.datetime,
    addressed: set[int],
) -> EstablishmentReport:
    submitted = [v for v in versions if v.status is ReportStatus.SUBMITTED]
    in_force = max(submitted, key=lambda v: v.version) if submitted else None
    first = min((v.submitted_at for v in submitted if v.submitted_at), default=None)
    return EstablishmentReport(
        establishment_id=place.id,
        name=place.name,
        commune_code=place.commune_code,
        state=_state(bool(versions), first, due),
        versions=len(versions),
        in_force_version=in_force.version if in_force else None,
        in_force_submitted_at=in_force.submitted_at if in_force else None,
        in_force_submitted_by=names.get(in_force.submitted_by_id or 0, "") if in_force else "",
        first_submitted_at=first,
        last_reminder_at=reminded,
        has_address=place.id in addressed,
    )


def _state(any_version: bool, first: dt.datetime | None, due: dt.datetime) -> ReportState:
    if first is not None:
        return ReportState.LATE if first >= due else ReportState.ON_TIME
    return ReportState.DRAFT if any_version else ReportState.NOTHING


def only(rows: Iterable[EstablishmentReport], wanted: str) -> list[EstablishmentReport]:
    """The rows whose state is in the named filter (``STATE_FILTERS``); every row for ""."""
    states = STATE_FILTERS.get(wanted)
    return [row for row in rows if states is None or row.state in states]


def tally(rows: Iterable[EstablishmentReport]) -> Tally:
    states = [row.state for row in rows]
    return Tally(
        submitted=sum(1 for s in states if s in STATE_FILTERS["submitted"]),
        late=states.count(ReportState.LATE),
        missing=sum(1 for s in states if s in MISSING),
    )


def _establishments(
    session: DbSession, commune_code: int | None, ids: Collection[int] | None
) -> Sequence[Establishment]:
    where: list[ColumnElement[bool]] = [Establishment.status == EstablishmentStatus.APPROVED]
    if commune_code is not None:
        where.append(Establishment.commune_code == commune_code)
    if ids is not None:
        where.append(Establishment.id.in_(ids))
    return session.scalars(select(Establishment).where(*where).order_by(Establishment.id)).all()


def _versions(
    session: DbSession, year: int, month: int, ids: Sequence[int]
) -> dict[int, list[MonthlyReport]]:
    if not ids:
        return {}
    found: dict[int, list[MonthlyReport]] = defaultdict(list)
    for report in session.scalars(
        select(MonthlyReport).where(
            MonthlyReport.year == year,
            MonthlyReport.month == month,
            MonthlyReport.establishment_id.in_(ids),
        )
    ):
        found[report.establishment_id].append(report)
    return found


def _with_address(session: DbSession, ids: Sequence[int]) -> set[int]:
    """The establishments with somebody active to write to."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Membership.establishment_id)
            .join(User, User.id == Membership.user_id)
            .where(Membership.establishment_id.in_(ids), User.active.is_(True))
            .distinct()
        )
    )


def communes(session: DbSession) -> list[int]:
    """The communes that have an approved establishment: the commune filter's choices."""
    rows = session.scalars(
        select(Establishment.commune_code)
        .where(Establishment.status == EstablishmentStatus.APPROVED)
        .distinct()
    )
    return sorted(int(code) for code in rows)
