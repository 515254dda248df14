"""An establishment's monthly statistics report (form 01CS/LTDL): prepare, submit, correct.

Owned by the dashboard work (H8), beside the ledger it reads; the ledger's own
modules do not import it.

The figures come from the ledger; the owner adds the revenue, which the portal
cannot know. A draft follows the ledger until it is submitted; a submitted version
is locked for good. A correction is a new version (with its reason) that replaces
the previous one once submitted, and every version stays in the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, DbSession, enum_type
from lodging.properties.models import Establishment
from lodging.statistics.monthly_figures import MonthlyFigures, monthly_figures


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class MonthlyReport(Base):
    """One version of one establishment's report for one month."""

    __tablename__ = "statistics_monthly_report"
    __table_args__ = (
        UniqueConstraint("establishment_id", "year", "month", "version"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        CheckConstraint("revenue_international >= 0", name="revenue_international"),
        CheckConstraint("revenue_domestic >= 0", name="revenue_domestic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int]
    month: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus))
    # Arrivals (lượt khách): overnight and same-day, each international and domestic.
    overnight_international: Mapped[int] = mapped_column(default=0)
    overnight_domestic: Mapped[int] = mapped_column(default=0)
    same_day_international: Mapped[int] = mapped_column(default=0)
    same_day_domestic: Mapped[int] = mapped_column(default=0)
    # Guest-nights (ngày khách), overnight guests only.
    nights_international: Mapped[int] = mapped_column(default=0)
    nights_domestic: Mapped[int] = mapped_column(default=0)
    room_nights: Mapped[int] = mapped_column(default=0)  # ngày buồng sử dụng
    bed_nights: Mapped[int] = mapped_column(default=0)  # ngày giường sử dụng
    rooms_available: Mapped[int] = mapped_column(default=0)  # room-days, net of closures
    bed_places_available: Mapped[int] = mapped_column(default=0)
    # Net revenue in VND, as the owner states it; None until entered.
    revenue_international: Mapped[int | None]
    revenue_domestic: Mapped[int | None]
    correction_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))


class ReportError(ValueError):
    """What the owner tried cannot be done to this report; the message says why."""

    def __init__(self, message: LazyString | str) -> None:
        super().__init__(str(message))
        self.message = message


def history(
    session: DbSession, establishment_id: int, year: int, month: int
) -> Sequence[MonthlyReport]:
    """Every version of the month's report, newest first."""
    return session.scalars(
        select(MonthlyReport)
        .where(
            MonthlyReport.establishment_id == establishment_id,
            MonthlyReport.year == year,
            MonthlyReport.month == month,
        )
        .order_by(MonthlyReport.version.desc())
    ).all()


def current_submitted(versions: Sequence[MonthlyReport]) -> MonthlyReport | None:
    """The version in force: the newest submitted one."""
    return next((v for v in versions if v.status is ReportStatus.SUBMITTED), None)


def in_force(
    session: DbSession, year: int, month: int, establishment_ids: Sequence[int] | None = None
) -> dict[int, MonthlyReport]:
    """The version in force of every establishment's report for the month, by establishment.

    An establishment that has submitted nothing for the month is absent; ``None`` means
    every establishment.
    """
    newest = (
        select(MonthlyReport.establishment_id, func.max(MonthlyReport.version).label("version"))
        .where(
            MonthlyReport.year == year,
            MonthlyReport.month == month,
            MonthlyReport.status == ReportStatus.SUBMITTED,
        )
        .group_by(MonthlyReport.establishment_id)
    )
    if establishment_ids is not None:
        newest = newest.where(MonthlyReport.establishment_id.in_(establishment_ids))
    latest = newest.subquery()
    rows = session.scalars(
        select(MonthlyReport)
        .join(
            latest,
            (MonthlyReport.establishment_id == latest.c.establishment_id)
            & (MonthlyReport.version == latest.c.version),
        )
        .where(MonthlyReport.year == year, MonthlyReport.month == month)
    )
    return {report.establishment_id: report for report in rows}


def _apply(report: MonthlyReport, figures: MonthlyFigures) -> None:
    report.overnight_international = figures.overnight_international
    report.overnight_domestic = figures.overnight_domestic
    report.same_day_international = figures.same_day_international
    report.same_day_domestic = figures.same_day_domestic
    report.nights_international = figures.nights_international
    report.nights_domestic = figures.nights_domestic
    report.room_nights = figures.room_nights
    report.bed_nights = figures.bed_nights
    report.rooms_available = figures.rooms_available
    report.bed_places_available = figures.bed_places_available


def _check_month(year: int, month: int, today: dt.date) -> None:
    if not 1 <= month <= 12 or year < 2000:
        raise ReportError(_l("There is no such month."))
    if (year, month) >= (today.year, today.month):
        raise ReportError(_l("A month can be reported once it is over."))


def save_draft(
    session: DbSession,
    establishment: Establishment,
    year: int,
    month: int,
    *,
    revenue: tuple[int | None, int | None],
    correction_reason: str,
    by_id: int,
    now: dt.datetime,
    today: dt.date,
) -> MonthlyReport:
    """Create or update the month's draft with the ledger's figures and the revenue.

    After a submission the draft is a correction: it needs a reason.
    """
    _check_month(year, month, today)
    if any(value is not None and value < 0 for value in revenue):
        raise ReportError(_l("Revenue cannot be negative."))
    versions = history(session, establishment.id, year, month)
    draft = next((v for v in versions if v.status is ReportStatus.DRAFT), None)
    if current_submitted(versions) is not None and not correction_reason.strip():
        raise ReportError(_l("Say what the correction changes and why."))
    if draft is None:
        draft = MonthlyReport(
            establishment_id=establishment.id,
            year=year,
            month=month,
            version=(versions[0].version + 1) if versions else 1,
            status=ReportStatus.DRAFT,
            created_at=now,
            created_by_id=by_id,
        )
        session.add(draft)
    _apply(draft, monthly_figures(session, establishment.id, year, month))
    draft.revenue_international, draft.revenue_domestic = revenue
    draft.correction_reason = correction_reason.strip()
    session.flush()
    return draft


def submit(
    session: DbSession, report: MonthlyReport, *, by_id: int, now: dt.datetime
) -> MonthlyReport:
    """Lock the draft as submitted, with the ledger's figures as they are now."""
    if report.status is not ReportStatus.DRAFT:
        raise ReportError(_l("This version was already submitted; make a correction instead."))
    _apply(report, monthly_figures(session, report.establishment_id, report.year, report.month))
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by_id = by_id
    session.flush()
    return report
