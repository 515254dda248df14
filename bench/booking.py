"""Availability across a province, and holds on a few rooms under contention.

    .venv/bin/python -m bench.booking [--establishments 2000] [--nights 365] [--repeat 50] \
        [--threads 4] [--database-url postgresql://...]

Fills a throw-away SQLite file (or the PostgreSQL database given by ``--database-url``,
migrated first and emptied of booking data) with ESTABLISHMENTS approved places, three
room types each (4 to 12 rooms, a rate plan each), clustered like the real province
(Hạ Long and Bãi Cháy, Cẩm Phả, Vân Đồn, Sa Pa, Lào Cai city), and their inventory for
NIGHTS nights with a share of rooms already sold. Then, in the same run:

- a 3-night search for two guests in one area (Hạ Long): ``booking.offers.find_offers``
  (what the page and the API call) beside the raw SQL query that reads the same
  inventory, p50 and p99 of each and the ratio (target: p99 <= 100 ms);
- THREADS threads, each with its own connection, holding random 1- to 3-night stays on
  five room types of two rooms each until nothing is left: holds per second and the
  nights sold beyond the rooms (target: 0).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import secrets
import threading
import time

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from bench.inprocess import migrated_app, percentiles
from core.clock import local_now, utcnow
from core.extensions import db
from lodging.properties.models import (
    Establishment,
    EstablishmentKind,
    EstablishmentStatus,
    Room,
    RoomType,
)
from portal.booking import services
from portal.booking.models import Booking, BookingEvent, InventoryNight, RatePlan
from portal.booking.offers import Area, find_offers
from portal.booking.services import Actor, GuestContact, RoomGoneError, StayRequest

# (share of the places, south, west, north, east)
CLUSTERS = (
    (0.40, 20.93, 106.98, 20.98, 107.10),  # Hạ Long, Bãi Cháy
    (0.15, 21.00, 107.25, 21.05, 107.35),  # Cẩm Phả
    (0.10, 21.03, 107.40, 21.10, 107.50),  # Vân Đồn
    (0.25, 22.31, 103.82, 22.36, 103.87),  # Sa Pa
    (0.10, 22.46, 103.94, 22.52, 104.01),  # Lào Cai city
)
HA_LONG = Area(20.90, 106.95, 21.00, 107.15)
KINDS = (EstablishmentKind.HOTEL, EstablishmentKind.HOMESTAY, EstablishmentKind.GUESTHOUSE)


def generate(session: Session, establishments: int, nights: int, seed: int) -> None:
    """Places, room types, rooms, plans and inventory, with plain bulk inserts."""
    rng = random.Random(seed)
    now, first = utcnow(), local_now().date()
    places = []
    for n in range(establishments):
        _share, south, west, north, east = _cluster(rng)
        places.append(
            {
                "name": f"Bench {n}",
                "kind": rng.choice(KINDS),
                "stars": rng.randint(1, 5),
                "street_address": f"{n} Bench Street",
                "province_code": 22,
                "commune_code": 7000 + n % 40,
                "police_province_code": 22,
                "police_commune_code": 7000 + n % 40,
                "latitude": rng.uniform(south, north),
                "longitude": rng.uniform(west, east),
                "status": EstablishmentStatus.APPROVED,
                "checkin_token": secrets.token_urlsafe(24),
                "created_at": now,
                "approved_at": now,
            }
        )
    session.execute(insert(Establishment), places)
    place_ids = session.scalars(select(Establishment.id).order_by(Establishment.id)).all()
    types = [
        {"establishment_id": place, "name": name, "bed_places": beds}
        for place in place_ids
        for name, beds in (("Double", 2), ("Twin", 2), ("Family", 4))
    ]
    session.execute(insert(RoomType), types)
    type_rows = session.execute(select(RoomType.id, RoomType.establishment_id)).all()
    rooms, plans, sizes = [], [], {}
    for type_id, place in type_rows:
        sizes[type_id] = rng.randint(4, 12)
        rooms.extend(
            {"establishment_id": place, "room_type_id": type_id, "number": f"{type_id}-{r}"}
            for r in range(sizes[type_id])
        )
        plans.append(
            {
                "room_type_id": type_id,
                "name": "Standard",
                "nightly_price": rng.randrange(3, 30) * 100_000,
            }
        )
    session.execute(insert(Room), rooms)
    session.execute(insert(RatePlan), plans)
    for type_id, size in sizes.items():
        session.execute(
            insert(InventoryNight),
            [
                {
                    "room_type_id": type_id,
                    "night": first + dt.timedelta(days=d),
                    "rooms": size,
                    "sold": min(size, int(rng.betavariate(2, 3) * size)),
                    "held": 0,
                }
                for d in range(nights)
            ],
        )
    session.commit()


def _cluster(rng: random.Random) -> tuple[float, float, float, float, float]:
    pick = rng.random()
    for cluster in CLUSTERS:
        if pick < cluster[0]:
            return cluster
        pick -= cluster[0]
    return CLUSTERS[-1]


RAW_QUERY = text(
    """
    SELECT i.room_type_id, MIN(i.rooms - i.sold - i.held) AS free
    FROM booking_inventory i
    JOIN lodging_room_type t ON t.id = i.room_type_id
    JOIN lodging_establishment e ON e.id = t.establishment_id
    WHERE e.latitude BETWEEN :south AND :north AND e.longitude BETWEEN :west AND :east
      AND i.night >= :first AND i.night < :end
    GROUP BY i.room_type_id
    HAVING COUNT(*) = :nights AND MIN(i.rooms - i.sold - i.held) > 0
    """
)


def search_times(session: Session, repeat: int) -> None:
    first = local_now().date() + dt.timedelta(days=30)
    request = StayRequest(first, first + dt.timedelta(days=3), adults=2)
    params = {
        "south": HA_LONG.south,
        "west": HA_LONG.west,
        "north": HA_LONG.north,
        "east": HA_LONG.east,
        "first": request.arrival,
        "end": request.departure,
        "nights": 3,
    }
    offers = find_offers(session, request, area=HA_LONG, limit=50)
    rows = session.execute(RAW_QUERY, params).all()
    session.rollback()
    print(f"  3-night search in Hạ Long: {len(rows)} room types free, {len(offers)} offers shown")
    raw = percentiles(lambda: session.execute(RAW_QUERY, params).all(), repeat, high=0.99)
    full = percentiles(
        lambda: find_offers(session, request, area=HA_LONG, limit=50), repeat, high=0.99
    )
    session.rollback()
    print(f"  raw SQL          p50 {raw[0]:7.1f} ms   p99 {raw[1]:7.1f} ms")
    print(f"  find_offers      p50 {full[0]:7.1f} ms   p99 {full[1]:7.1f} ms")
    ratio = full[0] / raw[0] if raw[0] else float("inf")
    verdict = "met" if full[1] <= 100 else "MISSED"
    print(f"  overhead ratio at p50: {ratio:.1f}x; p99 target <= 100 ms: {verdict}")


def contention(app: object, threads: int, seed: int) -> None:
    """Holds on five two-room types until full: holds per second, nights oversold."""
    with app.app_context():  # type: ignore[attr-defined]
        session = db.session
        plan_ids = session.scalars(
            select(RatePlan.id).join(RoomType).join(Room).group_by(RatePlan.id).limit(5)
        ).all()
        type_ids = session.scalars(
            select(RatePlan.room_type_id).where(RatePlan.id.in_(plan_ids))
        ).all()
        session.execute(
            InventoryNight.__table__.update()
            .where(InventoryNight.room_type_id.in_(type_ids))
            .values(rooms=2, sold=0, held=0)
        )
        session.commit()
        engine = db.engine
    first = local_now().date() + dt.timedelta(days=1)
    counts = {"held": 0, "gone": 0}
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(seed + n)
        with app.app_context(), Session(engine) as session:  # type: ignore[attr-defined]
            for _ in range(300):
                start = first + dt.timedelta(days=rng.randrange(30))
                stay = StayRequest(start, start + dt.timedelta(days=rng.randint(1, 3)), 2)
                try:
                    services.hold_room(
                        session,
                        rng.choice(plan_ids),
                        stay,
                        GuestContact("Bench", "bench@example.com", "vi"),
                        now=utcnow(),
                        actor=Actor("bench", "bench"),
                    )
                    session.commit()
                    outcome = "held"
                except RoomGoneError:
                    session.rollback()
                    outcome = "gone"
                with lock:
                    counts[outcome] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    with app.app_context(), Session(engine) as session:  # type: ignore[attr-defined]
        oversold = session.scalar(
            select(func.count()).where(
                InventoryNight.room_type_id.in_(type_ids),
                InventoryNight.sold + InventoryNight.held > InventoryNight.rooms,
            )
        )
    attempts = counts["held"] + counts["gone"]
    print(
        f"  {threads} threads, {attempts} attempts on 5 room types of 2 rooms:"
        f" {counts['held']} held, {counts['gone']} told it is gone,"
        f" {attempts / elapsed:.0f} attempts/s, {counts['held'] / elapsed:.0f} holds/s;"
        f" nights oversold: {oversold} (target 0)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=2000)
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    args = parser.parse_args()
    with migrated_app(args.database_url) as app:
        with app.app_context():
            session = db.session
            for table in (BookingEvent, Booking, InventoryNight, RatePlan):
                session.execute(delete(table))
            engine = session.get_bind().dialect.name
            started = time.perf_counter()
            generate(session, args.establishments, args.nights, args.seed)
            rows = session.scalar(select(func.count()).select_from(InventoryNight))
            print(
                f"[{engine}] {args.establishments} establishments, {rows:,} inventory rows"
                f" generated in {time.perf_counter() - started:.0f} s"
            )
            gc.collect()
            gc.freeze()  # as wsgi.py does once the served app is built
            search_times(session, args.repeat)
        contention(app, args.threads, args.seed)


if __name__ == "__main__":
    main()
