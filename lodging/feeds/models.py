"""Hand-over batches: the files an owner uploads at a police portal, and the file number.

A batch is made when the owner downloads it: the portal's template and its version,
and its guests with a keyed fingerprint of what the file said about each, so a later
change is noticed (a corrected notice is due). The portal's file number (mã hồ sơ)
recorded afterwards makes the batch handed over, and its guests notified.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base
from lodging.registration.models import Guest


class HandoverBatch(Base):
    __tablename__ = "lodging_handover_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id"), index=True
    )
    portal: Mapped[str] = mapped_column(String(32))  # the template's key
    template_version: Mapped[int]
    created_at: Mapped[dt.datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_by_label: Mapped[str] = mapped_column(String(254), default="")
    downloaded_at: Mapped[dt.datetime]  # the latest download
    downloaded_by_label: Mapped[str] = mapped_column(String(254), default="")
    file_number: Mapped[str | None] = mapped_column(String(64))
    handed_over_at: Mapped[dt.datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    handed_over_by_label: Mapped[str] = mapped_column(String(254), default="")

    guests: Mapped[list[HandoverGuest]] = relationship(
        back_populates="batch", order_by="HandoverGuest.position", cascade="all, delete-orphan"
    )


class HandoverGuest(Base):
    __tablename__ = "lodging_handover_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("lodging_handover_batch.id"), index=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("lodging_guest.id"), index=True)
    position: Mapped[int]
    # A keyed hash of the guest's data as the batch file wrote it (no personal data).
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The guest was notified before and changed since: this is a corrected notice.
    correction: Mapped[bool] = mapped_column(default=False)

    batch: Mapped[HandoverBatch] = relationship(back_populates="guests")
    guest: Mapped[Guest] = relationship()
