"""Reminding an establishment that its monthly report has not come in, by e-mail.

An officer asks; the e-mail is written to the outbox in the officer's transaction and
sent by a worker after the commit. One reminder per establishment and month at most
every 24 hours: each is recorded here (who asked, when), which is also what the
department's list shows as "last reminder". The e-mail goes to the establishment's
active owners and staff, each in their own language (else Vietnamese); with nobody
there, to the establishment's contact address.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, func, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.auth.models import User
from core.database import Base, DbSession
from core.i18n import LOCALE_CODES
from core.outbox.mail import enqueue_mail
from lodging.properties.models import Establishment, Membership
from lodging.statistics.monthly_report import in_force

THROTTLE = dt.timedelta(hours=24)
FALLBACK_LOCALE = "vi"
AUDIT_ACTION = "statistics.report_reminder"


class ReportReminder(Base):
    """One reminder sent to one establishment about one month's report."""

    __tablename__ = "statistics_report_reminder"
    __table_args__ = (
        CheckConstraint("month BETWEEN 1 AND 12", name="month"),
        Index("ix_statistics_report_reminder_month", "establishment_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE")
    )
    year: Mapped[int]
    month: Mapped[int]
    sent_at: Mapped[dt.datetime]
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(default=0)


class ReminderResult(StrEnum):
    QUEUED = "queued"
    THROTTLED = "throttled"  # reminded less than 24 hours ago
    NO_ADDRESS = "no_address"
    SUBMITTED = "submitted"  # nothing to remind of


class ReminderError(ValueError):
    """The month cannot be reminded of (it is not over yet)."""


@dataclass(frozen=True)
class Officer:
    """Who asks for the reminder, for the record and the audit log."""

    user_id: int
    label: str
    address: str = ""


@dataclass(frozen=True)
class Reminder:
    """What one e-mail is about: the composer writes it in ``locale``."""

    establishment_id: int
    establishment_name: str
    year: int
    month: int
    locale: str


# Writes the reminder in its readers' language: (subject, text).
Compose = Callable[[Reminder], tuple[str, str]]


def remind(
    session: DbSession,
    establishment: Establishment,
    year: int,
    month: int,
    *,
    now: dt.datetime,
    today: dt.date,
    by: Officer,
    compose: Compose,
) -> ReminderResult:
    """Queue the reminder e-mails for the month's report, unless there is no need or way."""
    if (year, month) >= (today.year, today.month):
        raise ReminderError(f"{year:04d}-{month:02d} is not over")
    _lock(session, establishment.id)
    if in_force(session, year, month, [establishment.id]):
        return ReminderResult.SUBMITTED
    last = last_reminder(session, establishment.id, year, month)
    if last is not None and now - last < THROTTLE:
        return ReminderResult.THROTTLED
    readers = recipients(session, establishment)
    if not readers:
        return ReminderResult.NO_ADDRESS
    record = ReportReminder(
        establishment_id=establishment.id,
        year=year,
        month=month,
        sent_at=now,
        sent_by_id=by.user_id,
        recipients=sum(len(addresses) for addresses in readers.values()),
    )
    session.add(record)
    session.flush()
    for locale, addresses in readers.items():
        subject, text = compose(Reminder(establishment.id, establishment.name, year, month, locale))
        key = f"report-reminder:{record.id}:{locale}"
        enqueue_mail(
            session, to=addresses, subject=subject, text=text, key=key, now=now, lang=locale
        )
    _audit(session, record, by)
    return ReminderResult.QUEUED


def _lock(session: DbSession, establishment_id: int) -> None:
    """Two officers reminding at once: the second waits, then sees the first's reminder."""
    session.execute(
        select(Establishment.id).where(Establishment.id == establishment_id).with_for_update()
    )


def _audit(session: DbSession, record: ReportReminder, by: Officer) -> None:
    audit.record(
        session,
        action=AUDIT_ACTION,
        now=record.sent_at,
        actor_id=by.user_id,
        actor_label=by.label,
        target_type="establishment",
        target_id=record.establishment_id,
        address=by.address,
        detail={"month": f"{record.year:04d}-{record.month:02d}", "recipients": record.recipients},
    )


def last_reminder(
    session: DbSession, establishment_id: int, year: int, month: int
) -> dt.datetime | None:
    return last_reminders(session, year, month, [establishment_id]).get(establishment_id)


def last_reminders(
    session: DbSession, year: int, month: int, establishment_ids: Collection[int]
) -> dict[int, dt.datetime]:
    """When each establishment was last reminded of the month's report."""
    if not establishment_ids:
        return {}
    rows = session.execute(
        select(ReportReminder.establishment_id, func.max(ReportReminder.sent_at))
        .where(
            ReportReminder.year == year,
            ReportReminder.month == month,
            ReportReminder.establishment_id.in_(establishment_ids),
        )
        .group_by(ReportReminder.establishment_id)
    )
    return dict(rows.tuples().all())


def recipients(session: DbSession, establishment: Establishment) -> dict[str, list[str]]:
    """The addresses to write to, by language: active owners and staff, else the place's own."""
    users = session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.establishment_id == establishment.id, User.active.is_(True))
        .order_by(User.id)
    ).all()
    readers: dict[str, list[str]] = defaultdict(list)
    for user in users:
        locale = user.locale if user.locale in LOCALE_CODES else FALLBACK_LOCALE
        readers[locale].append(user.email)
    if not readers and establishment.email:
        readers[FALLBACK_LOCALE].append(establishment.email)
    return dict(readers)
