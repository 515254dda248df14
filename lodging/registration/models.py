"""Stays, the guests in them, and the history of every change.

Identity data (names, birth dates, document numbers) lives only on ``Guest`` and is
cleared by the retention purge; what statistics need (dates, sex, nationality,
residence) stays. Document numbers are never stored in clear: ``document_number`` is
sealed by ``core.crypto`` and ``document_hash`` finds it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, enum_type
from lodging.properties.models import Establishment, Room


class StayStatus(StrEnum):
    IN_HOUSE = "in_house"
    CHECKED_OUT = "checked_out"
    CANCELLED = "cancelled"


class Purpose(StrEnum):
    TOURISM = "tourism"
    BUSINESS = "business"
    VISITING = "visiting"  # family or friends
    STUDY = "study"
    MEDICAL = "medical"
    OTHER = "other"


class Channel(StrEnum):
    """Where a declaration or change came from."""

    DESK = "desk"
    API = "api"
    SELF_CHECKIN = "self_checkin"
    CLI = "cli"


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and through which channel."""

    user_id: int | None
    label: str
    channel: Channel


class GuestRole(StrEnum):
    SINGLE = "single"
    HEAD = "head"  # of a family or group
    MEMBER = "member"


class DocumentType(StrEnum):
    CCCD = "cccd"
    CMND = "cmnd"  # legacy 9-digit identity card
    PASSPORT = "passport"
    OTHER = "other"
    NONE = "none"  # minors travelling with a head of family


class PassportType(StrEnum):
    ORDINARY = "ordinary"
    OFFICIAL = "official"
    DIPLOMATIC = "diplomatic"
    OTHER = "other"


class VisaType(StrEnum):
    VISA = "visa"
    EXEMPT = "exempt"
    RESIDENCE_CARD = "residence_card"
    ABTC = "abtc"
    OTHER = "other"


class ConfirmationMethod(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"  # live, in real time


class Stay(Base):
    __tablename__ = "lodging_stay"
    __table_args__ = (UniqueConstraint("establishment_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("lodging_room.id"))
    arrival: Mapped[dt.datetime] = mapped_column(index=True)
    expected_departure: Mapped[dt.date]
    departed_at: Mapped[dt.datetime | None]
    purpose: Mapped[Purpose] = mapped_column(enum_type(Purpose))
    status: Mapped[StayStatus] = mapped_column(
        enum_type(StayStatus), default=StayStatus.IN_HOUSE, index=True
    )
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    created_at: Mapped[dt.datetime]
    # Hotel software may retry a declaration: the same key returns the same stay.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_fingerprint: Mapped[str | None] = mapped_column(String(64))
    # A guest's own link to enter their details on their phone; random, no personal data.
    checkin_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    establishment: Mapped[Establishment] = relationship()
    room: Mapped[Room | None] = relationship()
    guests: Mapped[list[Guest]] = relationship(
        back_populates="stay", order_by="Guest.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[StayEvent]] = relationship(
        back_populates="stay", order_by="StayEvent.id", cascade="all, delete-orphan"
    )


class Guest(Base):
    __tablename__ = "lodging_guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("lodging_stay.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[GuestRole] = mapped_column(enum_type(GuestRole))
    relationship_to_head: Mapped[str] = mapped_column(String(64), default="")
    # Identity data, cleared by the retention purge.
    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    birth_date: Mapped[dt.date | None]
    document_type: Mapped[DocumentType] = mapped_column(enum_type(DocumentType))
    document_number: Mapped[bytes | None] = mapped_column(LargeBinary)
    document_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    document_expiry: Mapped[dt.date | None]
    # Kept for statistics after the purge.
    birth_year: Mapped[int | None]
    sex: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    residence_country: Mapped[str] = mapped_column(String(2))
    residence_province_code: Mapped[int | None]
    arrival: Mapped[dt.datetime]  # a late member of a group arrives after the others
    # Foreigners' NA17 details (passport type, visa and its number, entry) as sealed
    # JSON: a visa number is a document number too. Cleared by the purge.
    foreign_details: Mapped[bytes | None] = mapped_column(LargeBinary)
    # A keyed hash of what they say, taken when sealed: the history tells a change by
    # it without decrypting them. NULL for rows sealed before it was kept.
    foreign_details_hash: Mapped[str | None] = mapped_column(String(64))
    # Reporting: the deadline is absolute (UTC); the status follows the feed's delivery.
    deadline: Mapped[dt.datetime | None] = mapped_column(index=True)
    report_status: Mapped[str | None] = mapped_column(String(16), index=True)
    reported_at: Mapped[dt.datetime | None]
    # Self check-in: nothing is reported until staff have seen the guest's papers.
    confirmed_at: Mapped[dt.datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    confirmation_method: Mapped[ConfirmationMethod | None] = mapped_column(
        enum_type(ConfirmationMethod)
    )
    purged_at: Mapped[dt.datetime | None]

    stay: Mapped[Stay] = relationship(back_populates="guests")

    @property
    def is_foreigner(self) -> bool:
        return self.nationality != "VN"


class StayEvent(Base):
    """One change to a stay: who, when, through which channel, before and after."""

    __tablename__ = "lodging_stay_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("lodging_stay.id"), index=True)
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("lodging_guest.id"))
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    channel: Mapped[Channel] = mapped_column(enum_type(Channel))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    stay: Mapped[Stay] = relationship(back_populates="events")
