"""Synthetic establishments and stays for benchmarks (``python -m bench.generate``).

Realistic enough for the dashboard's queries to behave as in production: kinds and
stars in the proportions of a tourist province, rooms in real communes of Quảng Ninh
and Lào Cai, guests mostly Vietnamese with the usual foreign markets, and demand that
follows seasons, weekends, Tết and the 30/4-1/5 holiday. Rows go in with bulk Core
inserts, never through the services; identity fields are placeholders (a fixed
sealed-looking blob: nothing here is a person). The ledger is then rebuilt.

It is not part of the portal: it fills the database the environment names, as
``flask`` would (``DATABASE_URL``), and refuses a production one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from core.clock import VIETNAM
from core.database import DbSession
from core.extensions import db
from lodging.properties import geography
from lodging.properties.models import (
    STARRED_KINDS,
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    Room,
    RoomType,
)
from lodging.registration.models import (
    Channel,
    DocumentType,
    Guest,
    GuestRole,
    Purpose,
    Stay,
    StayStatus,
)
from lodging.statistics.rebuild import rebuild
from portal import create_app

PROVINCES = (22, 15)  # Quảng Ninh, Lào Cai
BATCH = 20_000
PLACEHOLDER_DOCUMENT = b"synthetic-benchmark-placeholder"
KINDS = {  # kind: (weight, fewest rooms, most rooms)
    EstablishmentKind.HOTEL: (45, 10, 150),
    EstablishmentKind.HOMESTAY: (25, 3, 10),
    EstablishmentKind.GUESTHOUSE: (15, 5, 20),
    EstablishmentKind.RESORT: (5, 20, 200),
    EstablishmentKind.APARTMENT: (5, 5, 40),
    EstablishmentKind.VILLA: (3, 3, 8),
    EstablishmentKind.HOSTEL: (2, 5, 15),
}
# Residence of guests: Vietnam first, then the markets Quảng Ninh and Lào Cai see.
COUNTRIES = {
    "VN": 75,
    "CN": 8,
    "KR": 6,
    "US": 2,
    "FR": 2,
    "JP": 2,
    "AU": 1,
    "DE": 1,
    "GB": 1,
    "TH": 1,
    "RU": 1,
}
HOME_PROVINCES = {1: 30, 79: 20, 31: 12, 22: 8, 24: 6, 15: 5, 33: 5, 37: 5, 48: 5, 38: 4}
LUNAR_NEW_YEAR = tuple(
    dt.date(y, m, d)
    for y, m, d in (
        (2019, 2, 5),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        (2030, 2, 3),
        (2031, 1, 23),
    )
)
SEASON = (0.7, 0.8, 0.8, 0.9, 1.1, 1.3, 1.4, 1.3, 0.9, 0.9, 0.8, 0.9)  # by month
LENGTHS = ((0, 3), (1, 50), (2, 27), (3, 11), (4, 4), (5, 2), (7, 3))  # nights: weight


@dataclass(frozen=True)
class Report:
    establishments: int
    rooms: int
    stays: int
    guests: int
    insert_seconds: float
    rebuild_seconds: float

    def summary(self) -> str:
        rate = self.stays / self.insert_seconds if self.insert_seconds else 0.0
        return (
            f"{self.establishments} establishments, {self.rooms} rooms, {self.stays} stays, "
            f"{self.guests} guests inserted in {self.insert_seconds:.1f} s "
            f"({rate:,.0f} stays/s); ledger rebuilt in {self.rebuild_seconds:.1f} s"
        )


def demand(day: dt.date) -> float:
    """The share of rooms taken on ``day``: season, weekend and holiday peaks."""
    share = 0.45 * SEASON[day.month - 1]
    if day.weekday() in {4, 5}:
        share *= 1.3
    if (day.month, day.day) in {(4, 29), (4, 30), (5, 1), (5, 2)}:
        share *= 1.8
    if any(0 <= (day - tet).days <= 6 for tet in LUNAR_NEW_YEAR):
        share *= 1.6
    return min(share, 0.97)


def generate(
    session: DbSession,
    *,
    establishments: int,
    years: int,
    seed: int,
    end: dt.date,
    target_stays: int | None = None,
    build_ledger: bool = True,
) -> Report:
    """Insert the data, rebuild the ledger and say how long each took.

    With ``target_stays``, room counts are scaled so that about that many stays come out at the
    usual demand (smaller places, not emptier ones). Each batch is committed as it goes.
    """
    rng = random.Random(seed)
    start = end.replace(year=end.year - years) + dt.timedelta(days=1)
    began = time.perf_counter()
    rooms_wanted = None
    if target_stays is not None:  # stays = rooms * sum of daily demand / mean stay
        share = sum(demand(start + dt.timedelta(days=n)) for n in range((end - start).days + 1))
        rooms_wanted = target_stays * _mean_length() / share
    places = _establishments(session, rng, establishments, start, rooms_wanted)
    session.commit()
    stays = guests = 0
    for stay_rows, guest_rows in _stays(session, rng, places, start, end):
        session.execute(insert(_table(Stay)), stay_rows)
        session.execute(insert(_table(Guest)), guest_rows)
        session.commit()
        stays, guests = stays + len(stay_rows), guests + len(guest_rows)
    _reset_sequences(session)
    session.commit()
    inserted = time.perf_counter() - began
    if build_ledger:
        rebuild(session)
        session.commit()
    rooms = sum(len(p[1]) for p in places)
    return Report(
        len(places), rooms, stays, guests, inserted, time.perf_counter() - began - inserted
    )


def _mean_length() -> float:
    return sum(n * w for n, w in LENGTHS) / sum(w for _, w in LENGTHS)


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


def _next_id(session: DbSession, model: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


def _establishments(
    session: DbSession, rng: random.Random, count: int, start: dt.date, rooms_wanted: float | None
) -> list[tuple[int, list[int]]]:
    """Insert establishments, room types and rooms; (id, room ids) of each.

    With ``rooms_wanted``, every place's room count is scaled by the same factor so that
    they add up to about that many.
    """
    communes = [c for p in PROVINCES for c in geography.communes_of(p)]
    created = dt.datetime.combine(start, dt.time(), tzinfo=VIETNAM)
    first_id, type_id, room_id = (_next_id(session, m) for m in (Establishment, RoomType, Room))
    rows, types, rooms, result = [], [], [], []
    nominal: list[tuple[int, int, int]] = []  # (establishment, its first room type, rooms)
    kinds, weights = list(KINDS), [w for w, _, _ in KINDS.values()]
    for n in range(count):
        id_ = first_id + n
        kind = rng.choices(kinds, weights)[0]
        commune = rng.choice(communes)
        rows.append(_establishment_row(id_, kind, commune, rng, created))
        _, fewest, most = KINDS[kind]
        types.append(
            {
                "id": type_id,
                "establishment_id": id_,
                "name": "Double",
                "bed_places": 2,
                "extra_beds": rng.choice((0, 1)),
            }
        )
        types.append(
            {
                "id": type_id + 1,
                "establishment_id": id_,
                "name": "Family",
                "bed_places": 4,
                "extra_beds": 0,
            }
        )
        nominal.append((id_, type_id, rng.randint(fewest, most)))
        type_id += 2
    total = sum(wanted for _, _, wanted in nominal)
    scale = 1.0 if rooms_wanted is None else rooms_wanted / total
    for id_, double, wanted in nominal:
        ids = []
        for number in range(max(1, round(wanted * scale))):
            rooms.append(
                {
                    "id": room_id,
                    "establishment_id": id_,
                    "room_type_id": double + (number % 5 == 4),
                    "number": f"{number + 101}",
                }
            )
            ids.append(room_id)
            room_id += 1
        result.append((id_, ids))
    for model, batch in ((Establishment, rows), (RoomType, types), (Room, rooms)):
        session.execute(insert(_table(model)), batch)
    return result


def _establishment_row(
    id_: int,
    kind: EstablishmentKind,
    commune: geography.Commune,
    rng: random.Random,
    created: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": id_,
        "name": f"Cơ sở lưu trú thử {id_}",
        "kind": kind,
        "stars": rng.choices((1, 2, 3, 4, 5), (10, 25, 35, 20, 10))[0]
        if kind in STARRED_KINDS
        else None,
        "licence_number": f"BENCH-{id_:06d}",
        "street_address": f"{id_} Đường Thử",
        "province_code": commune.province_code,
        "commune_code": commune.code,
        "police_province_code": commune.province_code,
        "police_commune_code": commune.code,
        "remote_commune": False,
        "latitude": None,
        "longitude": None,
        "phone": "",
        "email": "",
        "amenities": [],
        "status": EstablishmentStatus.APPROVED,
        "checkin_token": f"bench-{id_}-{rng.getrandbits(64):016x}",
        "created_at": created,
        "approved_at": created,
        "approved_by_id": None,
    }


def _stays(
    session: DbSession,
    rng: random.Random,
    places: Sequence[tuple[int, list[int]]],
    start: dt.date,
    end: dt.date,
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    stay_id, guest_id = _next_id(session, Stay), _next_id(session, Guest)
    stays: list[dict[str, Any]] = []
    guests: list[dict[str, Any]] = []
    lengths, length_weights = zip(*LENGTHS, strict=True)
    mean_length = _mean_length()
    day = start
    while day <= end:
        share = demand(day)
        for establishment_id, rooms in places:
            expected = len(rooms) * share / mean_length
            for _ in range(int(expected) + (rng.random() < expected % 1)):
                nights = rng.choices(lengths, length_weights)[0]
                stay = _stay_row(
                    stay_id, establishment_id, rng.choice(rooms), day, nights, end, rng
                )
                stays.append(stay)
                for position in range(rng.choices((1, 2, 3, 4), (30, 55, 10, 5))[0]):
                    guests.append(_guest_row(guest_id, stay, position, rng))
                    guest_id += 1
                stay_id += 1
        if len(stays) >= BATCH:
            yield stays, guests
            stays, guests = [], []
        day += dt.timedelta(days=1)
    if stays:
        yield stays, guests


def _stay_row(  # noqa: PLR0917 - one synthetic stay's facts
    id_: int,
    establishment_id: int,
    room_id: int,
    day: dt.date,
    nights: int,
    end: dt.date,
    rng: random.Random,
) -> dict[str, Any]:
    arrival = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), VIETNAM)
    departure = day + dt.timedelta(days=nights)
    left = departure <= end
    if nights == 0:
        departed = arrival + dt.timedelta(hours=3)
    else:
        departed = dt.datetime.combine(departure, dt.time(rng.randint(7, 12)), VIETNAM)
    status = StayStatus.CHECKED_OUT if left else StayStatus.IN_HOUSE
    if rng.random() < 0.01:
        status = StayStatus.CANCELLED
    return {
        "id": id_,
        "establishment_id": establishment_id,
        "room_id": room_id,
        "arrival": arrival,
        "expected_departure": departure,
        "departed_at": departed if left else None,
        "purpose": Purpose.TOURISM,
        "status": status,
        "channel": Channel.API,
        "created_by_id": None,
        "created_at": arrival,
        "idempotency_key": None,
        "request_fingerprint": None,
        "checkin_token": None,
    }


def _guest_row(id_: int, stay: dict[str, Any], position: int, rng: random.Random) -> dict[str, Any]:
    country = rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0]
    home = rng.choices(list(HOME_PROVINCES), list(HOME_PROVINCES.values()))[0]
    arrival: dt.datetime = stay["arrival"]
    return {
        "id": id_,
        "stay_id": stay["id"],
        "position": position,
        "role": GuestRole.HEAD if position == 0 else GuestRole.MEMBER,
        "relationship_to_head": "",
        "full_name": f"Khách {id_}",
        "name_folded": f"khach {id_}",
        "birth_date": None,
        "document_type": DocumentType.CCCD if country == "VN" else DocumentType.PASSPORT,
        "document_number": PLACEHOLDER_DOCUMENT,
        "document_hash": None,
        "document_expiry": None,
        "birth_year": rng.randint(1950, 2015),
        "sex": rng.choice("MF"),
        "nationality": country,
        "residence_country": country,
        "residence_province_code": home if country == "VN" else None,
        "arrival": arrival,
        "foreign_details": None,
        "deadline": arrival + dt.timedelta(hours=12),
        "report_status": "delivered",
        "reported_at": arrival + dt.timedelta(minutes=30),
        "confirmed_at": arrival,
        "confirmed_by_id": None,
        "confirmation_method": None,
        "purged_at": None,
    }


def _reset_sequences(session: DbSession) -> None:
    """PostgreSQL's id sequences must move past the ids given explicitly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (
        "lodging_establishment",
        "lodging_room_type",
        "lodging_room",
        "lodging_stay",
        "lodging_guest",
    ):
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - constants
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m bench.generate``: fill the environment's database, then rebuild the ledger."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=100)
    parser.add_argument("--years", type=int, choices=range(1, 21), default=1, metavar="1..20")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, help="last day (default: today)")
    parser.add_argument("--stays", type=int, help="about this many stays in all")
    args = parser.parse_args(argv)
    if args.establishments < 1 or (args.stays is not None and args.stays < 1):
        parser.error("--establishments and --stays take a positive number")
    app = create_app()
    if app.config["PORTAL_SETTINGS"].environment == "production":
        parser.error("benchmark data never goes into a production database")
    with app.app_context():
        report = generate(
            db.session,
            establishments=args.establishments,
            years=args.years,
            seed=args.seed,
            end=args.end or dt.date.today(),  # noqa: DTZ011 - a calendar day, not an instant
            target_stays=args.stays,
        )
    print(report.summary())


if __name__ == "__main__":
    main()
