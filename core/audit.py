"""The audit log: who did what to which record, when, and from where. Append-only.

Features call ``record`` inside their own transaction, so an action and its
audit entry are committed together or not at all. The database refuses UPDATE
and DELETE on the table (triggers in the migration); this module refuses them
in the ORM as well, so a mistake fails in tests before it reaches a database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.database import Base, DbSession


class AuditLogError(Exception):
    """Something tried to change or remove an audit entry."""


class AuditEntry(Base):
    __tablename__ = "core_audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("core_user.id", ondelete="RESTRICT"), index=True
    )
    # What the actor was known as then (an e-mail, "cli", "api-token:stp_abc"): kept
    # even if the account is later renamed.
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(
    session: DbSession,
    *,
    action: str,
    now: dt.datetime,
    actor_id: int | None = None,
    actor_label: str = "",
    target_type: str = "",
    target_id: str | int = "",
    address: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the caller's transaction."""
    entry = AuditEntry(
        at=now,
        actor_id=actor_id,
        actor_label=actor_label[:254],
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        address=(address or "")[:64],
        detail=detail or {},
    )
    session.add(entry)
    return entry


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: DbSession, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogError("the audit log is append-only")
