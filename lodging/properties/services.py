"""Registering establishments, their rooms and closures, and the people who work there.

Owners and staff act only on establishments they are members of: every look-up a
page or the API makes on their behalf goes through ``member_establishment``, which
answers "not found" for anyone else's, so ids reveal nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select

from core.auth.models import User
from core.auth.roles import Role
from core.database import DbSession
from lodging.properties import geography
from lodging.properties.models import (
    STARRED_KINDS,
    Amenity,
    Closure,
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    MemberRole,
    Membership,
    Room,
    RoomType,
)
from search.documents import DocumentType
from search.indexing import enqueue_reindex

INVITATION_MAX_AGE = dt.timedelta(days=7)
MEMBER_ROLES = {Role.LODGING_OWNER: MemberRole.OWNER, Role.LODGING_STAFF: MemberRole.STAFF}


class PropertyError(ValueError):
    """Input that cannot become an establishment, room or closure: messages by field."""

    def __init__(self, errors: dict[str, LazyString]) -> None:
        super().__init__(errors)
        self.errors = errors


class NotFoundError(LookupError):
    """No such record, or not one the caller may see (the two are not told apart)."""


@dataclass(frozen=True)
class EstablishmentInput:
    name: str
    kind: EstablishmentKind
    street_address: str
    province: str
    commune: str
    stars: int | None = None
    licence_number: str = ""
    police_commune: str = ""  # empty: the commune's own police
    remote_commune: bool = False
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    email: str = ""


def _place_codes(data: EstablishmentInput) -> tuple[dict[str, LazyString], tuple[int, int, int]]:
    """Province, commune and police-commune codes, or what is wrong with them."""
    try:
        province = geography.find_province(data.province)
    except geography.UnknownPlaceError:
        return {"province": _l("No province has this name.")}, (0, 0, 0)
    errors: dict[str, LazyString] = {}
    codes = [province.code]
    for field, text in (("commune", data.commune), ("police_commune", data.police_commune)):
        if field == "police_commune" and not text.strip():
            codes.append(codes[1])
            continue
        try:
            codes.append(geography.find_commune(province.code, text).code)
        except geography.UnknownPlaceError:
            message = _l(
                "No commune or ward of %(province)s has this name.", province=province.name
            )
            errors[field] = message
            codes.append(0)
    return errors, (codes[0], codes[1], codes[2])


def _establishment_errors(data: EstablishmentInput) -> dict[str, LazyString]:
    errors: dict[str, LazyString] = {}
    if not data.name.strip():
        errors["name"] = _l("Enter the establishment's name.")
    if not data.street_address.strip():
        errors["street_address"] = _l("Enter the street address.")
    if data.stars is not None and data.kind not in STARRED_KINDS:
        errors["stars"] = _l("Only hotels and resorts are graded in stars.")
    elif data.stars is not None and not 1 <= data.stars <= 5:
        errors["stars"] = _l("Stars go from 1 to 5.")
    if (data.latitude is None) != (data.longitude is None):
        errors["latitude"] = _l("Give both latitude and longitude, or neither.")
    elif (
        data.latitude is not None
        and data.longitude is not None
        and not (-90 <= data.latitude <= 90 and -180 <= data.longitude <= 180)
    ):
        errors["latitude"] = _l("These coordinates are not on Earth.")
    return errors


def register_establishment(
    session: DbSession,
    data: EstablishmentInput,
    *,
    now: dt.datetime,
    owner: User | None = None,
    approved_by: User | None = None,
) -> Establishment:
    """A new establishment, pending until the tourism department approves it.

    An official registering it themselves passes ``approved_by``: approved at once.
    """
    errors = _establishment_errors(data)
    place_errors, (province_code, commune_code, police_commune_code) = _place_codes(data)
    errors.update(place_errors)
    if errors:
        raise PropertyError(errors)
    establishment = Establishment(
        name=data.name.strip(),
        kind=data.kind,
        stars=data.stars,
        licence_number=data.licence_number.strip(),
        street_address=data.street_address.strip(),
        province_code=province_code,
        commune_code=commune_code,
        police_province_code=province_code,
        police_commune_code=police_commune_code,
        remote_commune=data.remote_commune,
        latitude=data.latitude,
        longitude=data.longitude,
        phone=data.phone.strip(),
        email=data.email.strip(),
        status=EstablishmentStatus.PENDING,
        checkin_token=secrets.token_urlsafe(16),
        created_at=now,
    )
    session.add(establishment)
    session.flush()
    if owner is not None:
        add_member(session, establishment, owner, now=now)
    if approved_by is not None:
        approve_establishment(session, establishment, approved_by, now=now)
    return establishment


def approve_establishment(
    session: DbSession, establishment: Establishment, approver: User, *, now: dt.datetime
) -> None:
    establishment.status = EstablishmentStatus.APPROVED
    establishment.approved_at = now
    establishment.approved_by_id = approver.id
    session.flush()
    # Found in search once this commits (an outbox message in the same transaction).
    enqueue_reindex(session, DocumentType.LODGING, str(establishment.id), now=now)


def set_amenities(
    session: DbSession, establishment: Establishment, amenities: Sequence[str], *, now: dt.datetime
) -> list[str]:
    """Say what the place offers; returns the amenities before the change (for the audit)."""
    known = [amenity.value for amenity in Amenity]
    unknown = set(amenities) - set(known)
    if unknown:
        raise PropertyError({"amenities": _l("Choose amenities from the list.")})
    before = list(establishment.amenities)
    establishment.amenities = [value for value in known if value in set(amenities)]
    if establishment.status is EstablishmentStatus.APPROVED:
        enqueue_reindex(session, DocumentType.LODGING, str(establishment.id), now=now)
    return before


def add_member(
    session: DbSession, establishment: Establishment, user: User, *, now: dt.datetime
) -> Membership:
    """Link an owner or staff account to an establishment (idempotent)."""
    role = MEMBER_ROLES.get(user.role)
    if role is None:
        raise PropertyError({"role": _l("Only lodging owners and staff work at establishments.")})
    existing = session.scalar(
        select(Membership).where(
            Membership.establishment_id == establishment.id, Membership.user_id == user.id
        )
    )
    if existing is not None:
        return existing
    membership = Membership(
        establishment_id=establishment.id, user_id=user.id, role=role, created_at=now
    )
    session.add(membership)
    session.flush()
    return membership


def establishments_of(session: DbSession, user: User) -> Sequence[Establishment]:
    """The establishments ``user`` works at, by name."""
    return session.scalars(
        select(Establishment)
        .join(Membership, Membership.establishment_id == Establishment.id)
        .where(Membership.user_id == user.id)
        .order_by(Establishment.name)
    ).all()


def member_establishment(session: DbSession, user: User, establishment_id: int) -> Establishment:
    """The establishment if ``user`` works there; ``NotFoundError`` otherwise."""
    establishment = session.scalar(
        _member_establishment(), {"establishment_id": establishment_id, "user_id": user.id}
    )
    if establishment is None:
        raise NotFoundError(establishment_id)
    return establishment


@cache
def _member_establishment() -> Select[tuple[Establishment]]:
    """Built once: every API call on an establishment runs it (SQLAlchemy would build it anew)."""
    return (
        select(Establishment)
        .join(Membership, Membership.establishment_id == Establishment.id)
        .where(
            Establishment.id == bindparam("establishment_id"),
            Membership.user_id == bindparam("user_id"),
        )
    )


def is_owner(session: DbSession, user: User, establishment: Establishment) -> bool:
    role = session.scalar(
        select(Membership.role).where(
            Membership.establishment_id == establishment.id, Membership.user_id == user.id
        )
    )
    return role == MemberRole.OWNER


def get_establishment(session: DbSession, establishment_id: int) -> Establishment:
    """Any establishment, for officials who register and approve them."""
    establishment = session.get(Establishment, establishment_id)
    if establishment is None:
        raise NotFoundError(establishment_id)
    return establishment


def approved_establishment(session: DbSession, establishment_id: int) -> Establishment:
    """An establishment tourists may see: approved, else ``NotFoundError``."""
    establishment = session.get(Establishment, establishment_id)
    if establishment is None or establishment.status is not EstablishmentStatus.APPROVED:
        raise NotFoundError(establishment_id)
    return establishment


def all_establishments(
    session: DbSession, *, status: EstablishmentStatus | None = None
) -> Sequence[Establishment]:
    query = select(Establishment).order_by(Establishment.id)
    if status is not None:
        query = query.where(Establishment.status == status)
    return session.scalars(query).all()


def establishment_for_checkin(session: DbSession, token: str) -> Establishment:
    establishment = session.scalar(
        select(Establishment).where(
            Establishment.checkin_token == token,
            Establishment.status == EstablishmentStatus.APPROVED,
        )
    )
    if establishment is None:
        raise NotFoundError(token)
    return establishment


def add_room_type(
    session: DbSession,
    establishment: Establishment,
    *,
    name: str,
    bed_places: int,
    extra_beds: int = 0,
) -> RoomType:
    errors: dict[str, LazyString] = {}
    if not name.strip():
        errors["name"] = _l("Enter a name for the room type.")
    elif any(t.name == name.strip() for t in establishment.room_types):
        errors["name"] = _l("This establishment already has a room type with this name.")
    if bed_places < 1:
        errors["bed_places"] = _l("A room has at least one bed place.")
    if extra_beds < 0:
        errors["extra_beds"] = _l("Enter zero or more extra beds.")
    if errors:
        raise PropertyError(errors)
    room_type = RoomType(
        establishment=establishment,
        name=name.strip(),
        bed_places=bed_places,
        extra_beds=extra_beds,
    )
    session.add(room_type)
    session.flush()
    return room_type


def add_rooms(
    session: DbSession, establishment: Establishment, room_type: RoomType, numbers: list[str]
) -> list[Room]:
    """Rooms of one type, by number ("101", "102", …); numbers are unique per place."""
    wanted = [n.strip() for n in numbers if n.strip()]
    taken = {room.number for room in establishment.rooms}
    clashes = sorted(taken.intersection(wanted) | {n for n in wanted if wanted.count(n) > 1})
    if not wanted:
        raise PropertyError({"numbers": _l("Enter at least one room number.")})
    if clashes:
        raise PropertyError(
            {"numbers": _l("These room numbers are taken: %(numbers)s", numbers=", ".join(clashes))}
        )
    if room_type.establishment_id != establishment.id:
        raise NotFoundError(room_type.id)
    rooms = [Room(establishment=establishment, room_type=room_type, number=n) for n in wanted]
    session.add_all(rooms)
    session.flush()
    return rooms


def add_closure(
    session: DbSession,
    establishment: Establishment,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    room: Room | None = None,
    reason: str = "",
) -> Closure:
    """Close a room, or the whole place, from ``starts_on`` until ``ends_on`` (exclusive)."""
    if ends_on <= starts_on:
        raise PropertyError({"ends_on": _l("The closure must end after it starts.")})
    if room is not None and room.establishment_id != establishment.id:
        raise NotFoundError(room.id)
    closure = Closure(
        establishment=establishment,
        room=room,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip(),
    )
    session.add(closure)
    session.flush()
    return closure


def find_room(establishment: Establishment, number: str) -> Room | None:
    wanted = number.strip()
    return next((room for room in establishment.rooms if room.number == wanted), None)


def _invitation_key(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"lodging-staff-invitation\x00" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def invitation_token(secret_key: str, establishment: Establishment, email: str) -> str:
    """An encrypted link token inviting ``email`` to work at ``establishment`` as staff.

    Encrypted, not just signed: the invited address must not be readable in the URL
    (access logs, browser history); Fernet also authenticates and timestamps it.
    """
    data = json.dumps({"establishment": establishment.id, "email": email.strip().lower()})
    return _invitation_key(secret_key).encrypt(data.encode()).decode()


def read_invitation(secret_key: str, token: str) -> tuple[int, str]:
    """``(establishment_id, email)`` from a valid, unexpired invitation token."""
    try:
        plain = _invitation_key(secret_key).decrypt(
            token.encode(), ttl=int(INVITATION_MAX_AGE.total_seconds())
        )
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise NotFoundError(token) from exc
    data = json.loads(plain)
    return int(data["establishment"]), str(data["email"])
