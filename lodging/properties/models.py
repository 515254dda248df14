"""Establishments, their rooms and closures, and who works at each."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, enum_type


class EstablishmentKind(StrEnum):
    HOTEL = "hotel"
    HOMESTAY = "homestay"
    GUESTHOUSE = "guesthouse"
    RESORT = "resort"
    APARTMENT = "apartment"
    VILLA = "villa"
    HOSTEL = "hostel"
    OTHER = "other"


# Kinds that are graded in stars (Law on Tourism 2017, Art. 50).
STARRED_KINDS = frozenset({EstablishmentKind.HOTEL, EstablishmentKind.RESORT})


class Amenity(StrEnum):
    """What a place offers, as tourists filter by it (search facets, the public page)."""

    WIFI = "wifi"
    PARKING = "parking"
    BREAKFAST = "breakfast"
    AIR_CONDITIONING = "air_conditioning"
    RESTAURANT = "restaurant"
    POOL = "pool"
    AIRPORT_SHUTTLE = "airport_shuttle"
    SEA_VIEW = "sea_view"
    MOUNTAIN_VIEW = "mountain_view"
    FAMILY_ROOMS = "family_rooms"
    WHEELCHAIR_ACCESS = "wheelchair_access"
    PETS_ALLOWED = "pets_allowed"


class EstablishmentStatus(StrEnum):
    PENDING = "pending"  # registered, waiting for the tourism department
    APPROVED = "approved"
    SUSPENDED = "suspended"


class MemberRole(StrEnum):
    OWNER = "owner"
    STAFF = "staff"


class Establishment(Base):
    __tablename__ = "lodging_establishment"
    __table_args__ = (CheckConstraint("stars IS NULL OR stars BETWEEN 1 AND 5", name="stars"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[EstablishmentKind] = mapped_column(enum_type(EstablishmentKind))
    stars: Mapped[int | None]
    licence_number: Mapped[str] = mapped_column(String(64), default="")
    street_address: Mapped[str] = mapped_column(String(300))
    # Units in force since 1 July 2025 (GSO codes; see lodging.properties.geography).
    province_code: Mapped[int]
    commune_code: Mapped[int] = mapped_column(index=True)
    # The police unit that receives the declarations: province + commune police.
    police_province_code: Mapped[int]
    police_commune_code: Mapped[int]
    # Foreigners may be declared within 24 h instead of 12 h in remote communes.
    remote_commune: Mapped[bool] = mapped_column(default=False)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    # Amenity values, in the order of ``Amenity``.
    amenities: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    status: Mapped[EstablishmentStatus] = mapped_column(
        enum_type(EstablishmentStatus), default=EstablishmentStatus.PENDING, index=True
    )
    # The establishment's self check-in poster links here; random, no personal data.
    checkin_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    approved_at: Mapped[dt.datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))

    room_types: Mapped[list[RoomType]] = relationship(
        back_populates="establishment", order_by="RoomType.id"
    )
    rooms: Mapped[list[Room]] = relationship(back_populates="establishment", order_by="Room.number")
    closures: Mapped[list[Closure]] = relationship(
        back_populates="establishment", order_by="Closure.starts_on"
    )


class RoomType(Base):
    __tablename__ = "lodging_room_type"
    __table_args__ = (
        CheckConstraint("bed_places >= 1", name="bed_places"),
        CheckConstraint("extra_beds >= 0", name="extra_beds"),
        UniqueConstraint("establishment_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # Permanent bed places of one room (a double bed counts 2); extra beds apart, as
    # statistics count bed places without them.
    bed_places: Mapped[int]
    extra_beds: Mapped[int] = mapped_column(default=0)

    establishment: Mapped[Establishment] = relationship(back_populates="room_types")
    rooms: Mapped[list[Room]] = relationship(back_populates="room_type", order_by="Room.number")


class Room(Base):
    __tablename__ = "lodging_room"
    __table_args__ = (UniqueConstraint("establishment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), index=True
    )
    room_type_id: Mapped[int] = mapped_column(ForeignKey("lodging_room_type.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))

    establishment: Mapped[Establishment] = relationship(back_populates="rooms")
    room_type: Mapped[RoomType] = relationship(back_populates="rooms")


class Closure(Base):
    """Dates when a room (or, with no room, the whole place) takes no guests.

    ``starts_on`` is the first closed night, ``ends_on`` the first night open again.
    """

    __tablename__ = "lodging_closure"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), index=True
    )
    room_id: Mapped[int | None] = mapped_column(ForeignKey("lodging_room.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    reason: Mapped[str] = mapped_column(String(200), default="")

    establishment: Mapped[Establishment] = relationship(back_populates="closures")
    room: Mapped[Room | None] = relationship()


class Membership(Base):
    """A user working at an establishment, as its owner or as staff."""

    __tablename__ = "lodging_membership"
    __table_args__ = (UniqueConstraint("establishment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(
        ForeignKey("lodging_establishment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_type(MemberRole))
    created_at: Mapped[dt.datetime]
