"""Demo establishments in Hạ Long, Cô Tô, Sa Pa and Bắc Hà, with rooms and owners.

The places (wards, communes, streets) are real; the establishments, their licence
numbers and contacts are invented, so the demo never passes for a real business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from core.auth import services as accounts
from core.auth.models import User
from core.auth.roles import Role
from core.database import DbSession
from core.demo import DEMO_ACCOUNTS
from lodging.properties import services as properties
from lodging.properties.models import Amenity, Establishment, EstablishmentKind
from lodging.properties.services import EstablishmentInput

_DEMO = {role: (email, password, name) for role, email, password, name in DEMO_ACCOUNTS}
FIRST_OWNER_EMAIL, OWNER_PASSWORD, FIRST_OWNER_NAME = _DEMO[Role.LODGING_OWNER]
STAFF_EMAIL = _DEMO[Role.LODGING_STAFF][0]
APPROVER_EMAILS = ("officer@example.com", "admin@example.com")


def _numbers(first: int, last: int, prefix: str = "") -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(first, last + 1))


@dataclass(frozen=True)
class DemoRoomType:
    name: str
    bed_places: int
    extra_beds: int
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class DemoPlace:
    place: EstablishmentInput
    owner_email: str
    owner_name: str
    room_types: tuple[DemoRoomType, ...]


# The official list of remote communes (where foreigners may be declared within 24 h)
# has not been checked against the 2025 communes: the two highland homestays are
# flagged so the demo shows the 24 h deadline, not because a source says they qualify.
DEMO_PLACES = (
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOTEL,
            name="Khách sạn Sóng Biển Bãi Cháy",
            stars=4,
            licence_number="QN-DEMO-0001",
            street_address="25 Đường Hạ Long",
            province="Quảng Ninh",
            commune="Bãi Cháy",
            latitude=20.9537,
            longitude=107.0457,
            email="songbien@example.com",
        ),
        FIRST_OWNER_EMAIL,
        FIRST_OWNER_NAME,
        (
            DemoRoomType("Standard Double", 2, 1, _numbers(101, 108)),
            DemoRoomType("Deluxe Twin", 2, 1, _numbers(201, 206)),
            DemoRoomType("Family Suite", 4, 1, _numbers(301, 303)),
        ),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOTEL,
            name="Khách sạn Phố Biển Hạ Long",
            stars=3,
            licence_number="QN-DEMO-0002",
            street_address="12 Đường Trần Quốc Nghiễn",
            province="Quảng Ninh",
            commune="Hạ Long",
            latitude=20.9531,
            longitude=107.0921,
            email="phobien@example.com",
        ),
        "owner.halong@example.com",
        "Đỗ Thị Mai",
        (
            DemoRoomType("Double", 2, 0, _numbers(101, 110)),
            DemoRoomType("Triple", 3, 0, _numbers(201, 205)),
        ),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOMESTAY,
            name="Tuần Châu Homestay Hoa Sen",
            licence_number="QN-DEMO-0003",
            street_address="Khu đô thị Tuần Châu",
            province="Quảng Ninh",
            commune="Tuần Châu",
            latitude=20.9288,
            longitude=106.9897,
        ),
        "owner.tuanchau@example.com",
        "Bùi Văn Long",
        (DemoRoomType("Double", 2, 1, _numbers(1, 4, "P")),),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOMESTAY,
            name="Cô Tô Homestay Hải Đăng",
            licence_number="QN-DEMO-0004",
            street_address="Khu 3, đường Hải Đăng",
            province="Quảng Ninh",
            commune="Cô Tô",
            latitude=20.9745,
            longitude=107.7660,
        ),
        "owner.coto@example.com",
        "Ngô Thị Hằng",
        (
            DemoRoomType("Double", 2, 1, _numbers(101, 104)),
            DemoRoomType("Family", 4, 0, _numbers(201, 202)),
        ),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOTEL,
            name="Khách sạn Mây Trắng Sa Pa",
            stars=3,
            licence_number="LC-DEMO-0001",
            street_address="18 Đường Fansipan",
            province="Lào Cai",
            commune="Sa Pa",
            latitude=22.3356,
            longitude=103.8415,
            email="maytrang@example.com",
        ),
        "owner.sapa@example.com",
        "Lý Văn Sơn",
        (
            DemoRoomType("Double", 2, 1, _numbers(101, 112)),
            DemoRoomType("Twin", 2, 0, _numbers(201, 208)),
            DemoRoomType("Family", 4, 1, _numbers(301, 304)),
        ),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOMESTAY,
            name="Tả Van Homestay Giàng Mây",
            licence_number="LC-DEMO-0002",
            street_address="Thôn Tả Van Mông",
            province="Lào Cai",
            commune="Tả Van",
            remote_commune=True,  # unverified: see the comment above DEMO_PLACES
            latitude=22.3138,
            longitude=103.8870,
        ),
        "owner.tavan@example.com",
        "Giàng Thị Mây",
        (
            DemoRoomType("Dormitory", 8, 0, ("D1",)),
            DemoRoomType("Private double", 2, 1, _numbers(1, 3, "P")),
        ),
    ),
    DemoPlace(
        EstablishmentInput(
            kind=EstablishmentKind.HOMESTAY,
            name="Bắc Hà Homestay Hoa Mận",
            licence_number="LC-DEMO-0003",
            street_address="Thôn Bản Phố",
            province="Lào Cai",
            commune="Bắc Hà",
            remote_commune=True,  # unverified: see the comment above DEMO_PLACES
            latitude=22.5385,
            longitude=104.2925,
        ),
        "owner.bacha@example.com",
        "Vàng Thị Dợ",
        (
            DemoRoomType("Dormitory", 6, 0, ("D1",)),
            DemoRoomType("Double", 2, 1, _numbers(1, 2, "P")),
        ),
    ),
)


def _account(session: DbSession, email: str, name: str, role: Role, now: dt.datetime) -> User:
    found = accounts.find_user(session, email)
    if found is not None:
        return found
    return accounts.create_user(
        session, email=email, password=OWNER_PASSWORD, role=role, now=now, full_name=name
    )


A = Amenity
DEMO_AMENITIES: dict[str, tuple[Amenity, ...]] = {
    "Khách sạn Sóng Biển Bãi Cháy": (
        A.WIFI,
        A.PARKING,
        A.BREAKFAST,
        A.AIR_CONDITIONING,
        A.RESTAURANT,
        A.POOL,
        A.SEA_VIEW,
        A.FAMILY_ROOMS,
    ),
    "Khách sạn Phố Biển Hạ Long": (
        A.WIFI,
        A.BREAKFAST,
        A.AIR_CONDITIONING,
        A.RESTAURANT,
        A.SEA_VIEW,
    ),
    "Tuần Châu Homestay Hoa Sen": (A.WIFI, A.PARKING, A.BREAKFAST, A.FAMILY_ROOMS, A.PETS_ALLOWED),
    "Cô Tô Homestay Hải Đăng": (A.WIFI, A.BREAKFAST, A.SEA_VIEW),
    "Khách sạn Mây Trắng Sa Pa": (
        A.WIFI,
        A.PARKING,
        A.BREAKFAST,
        A.RESTAURANT,
        A.MOUNTAIN_VIEW,
        A.WHEELCHAIR_ACCESS,
    ),
    "Tả Van Homestay Giàng Mây": (A.WIFI, A.BREAKFAST, A.MOUNTAIN_VIEW, A.FAMILY_ROOMS),
    "Bắc Hà Homestay Hoa Mận": (A.BREAKFAST, A.PARKING, A.MOUNTAIN_VIEW),
}


def _approver(session: DbSession) -> User | None:
    for email in APPROVER_EMAILS:
        found = accounts.find_user(session, email)
        if found is not None:
            return found
    return None


def _create(session: DbSession, demo: DemoPlace, now: dt.datetime) -> Establishment:
    owner = _account(session, demo.owner_email, demo.owner_name, Role.LODGING_OWNER, now)
    establishment = properties.register_establishment(
        session, demo.place, now=now, owner=owner, approved_by=_approver(session)
    )
    for room_type in demo.room_types:
        created = properties.add_room_type(
            session,
            establishment,
            name=room_type.name,
            bed_places=room_type.bed_places,
            extra_beds=room_type.extra_beds,
        )
        properties.add_rooms(session, establishment, created, list(room_type.rooms))
    amenities = DEMO_AMENITIES.get(demo.place.name, ())
    properties.set_amenities(session, establishment, [a.value for a in amenities], now=now)
    return establishment


def load_demo_establishments(session: DbSession, now: dt.datetime) -> list[str]:
    """Add the demo places that are missing (by name); the first gets the demo staff member."""
    for position, demo in enumerate(DEMO_PLACES):
        exists = session.scalar(
            select(Establishment.id).where(Establishment.name == demo.place.name)
        )
        if exists is not None:
            continue
        establishment = _create(session, demo, now)
        if position == 0:
            staff = accounts.find_user(session, STAFF_EMAIL)
            if staff is not None:
                properties.add_member(session, establishment, staff, now=now)
    session.flush()
    lines = [f"Demo establishments: {len(DEMO_PLACES)} (owners' password: {OWNER_PASSWORD})"]
    lines.extend(f"  {demo.owner_email:<28} {demo.place.name}" for demo in DEMO_PLACES)
    return lines
