"""The longest stay the ledger can be told of, declared, extended, moved and cancelled.

Part of ``bench.costs``: in the same process and hotel, each of the four changes is
made with the registration services (as the desk and the API call them) and committed,
for the longest stay a declaration may announce (``stay_dates.MAX_STAY_NIGHTS``, two
years; it was 9999-12-31 before stays were bounded) and, as the yardstick, for a
two-night stay. The ledger counts days up to its horizon only
(``lodging.statistics.horizon``), so the far stay costs a bounded number of days;
target ≤ 200 ms each on SQLite.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable

from flask import Flask

from bench.instance import ROOMS
from core.clock import VIETNAM, utcnow
from core.crypto import PersonalDataCipher
from core.database import DbSession
from core.extensions import db
from lodging.properties.models import Establishment
from lodging.registration import services
from lodging.registration.declarations import GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, Channel, DocumentType, Purpose, Stay
from lodging.registration.stay_dates import MAX_STAY_NIGHTS

FAR_LABEL = f"{MAX_STAY_NIGHTS} nights"
TARGET_MS = 200.0
OPERATIONS = ("declare", "extend", "move", "cancel")
ACTOR = Actor(None, "bench long stay", Channel.DESK)


def _stay(departure: dt.date, serial: int) -> StayInput:
    return StayInput(
        room=ROOMS[0],
        arrival=utcnow() - dt.timedelta(hours=1),
        expected_departure=departure,
        purpose=Purpose.TOURISM,
        guests=(
            GuestInput(
                full_name="Lê Thị Mai",
                birth_date=dt.date(1990, 3, 14),
                sex=Sex.F,
                nationality="VN",
                residence_country="VN",
                residence_province="Hà Nội",
                document_type=DocumentType.CCCD,
                document_number=f"001190{serial % 1_000_000:06d}",
            ),
        ),
    )


def _timed(session: DbSession, change: Callable[[], object]) -> float:
    started = time.perf_counter()
    change()
    session.commit()
    return (time.perf_counter() - started) * 1000


def _once(
    session: DbSession, hotel_id: int, cipher: PersonalDataCipher, last: dt.date, serial: int
) -> dict[str, float]:
    """The four changes of one stay leaving on ``last`` (declared a day earlier), in ms."""
    hotel = session.get_one(Establishment, hotel_id)
    declared: list[Stay] = []

    def declare() -> None:
        data = _stay(last - dt.timedelta(days=1), serial)
        stay, _ = services.declare_stay(
            session, hotel, data, actor=ACTOR, cipher=cipher, now=utcnow()
        )
        declared.append(stay)

    times = {"declare": _timed(session, declare)}
    stay = declared[0]
    changes: dict[str, Callable[[], object]] = {
        "extend": lambda: services.change_departure(
            session, stay, expected_departure=last, actor=ACTOR, now=utcnow()
        ),
        "move": lambda: services.move_room(
            session, stay, room_number=ROOMS[1], actor=ACTOR, now=utcnow()
        ),
        "cancel": lambda: services.cancel_stay(
            session, stay, reason="bench", actor=ACTOR, now=utcnow()
        ),
    }
    times.update({name: _timed(session, change) for name, change in changes.items()})
    return times


def report(app: Flask, hotel_id: int, repeat: int = 10) -> str:
    """The medians of ``repeat`` runs of each change, the far stay beside the short one."""
    cipher = app.extensions["personal_data_cipher"]
    today = utcnow().astimezone(VIETNAM).date()
    # The stays arrive an hour ago: yesterday's date just after midnight, hence one less.
    longest = today + dt.timedelta(days=MAX_STAY_NIGHTS - 1)
    medians: dict[str, dict[str, float]] = {}
    with app.app_context():
        session = db.session
        for label, last in (("2 nights", today + dt.timedelta(days=3)), (FAR_LABEL, longest)):
            runs = [_once(session, hotel_id, cipher, last, 900_000 + n) for n in range(repeat)]
            medians[label] = {op: statistics.median(run[op] for run in runs) for op in OPERATIONS}
    lines = [
        f"one stay changed with the services and committed, median of {repeat}:",
        f"{'':10}{'2 nights':>10}{FAR_LABEL:>12}  (ms; target ≤ {TARGET_MS:g} ms each)",
    ]
    for op in OPERATIONS:
        short, far = medians["2 nights"][op], medians[FAR_LABEL][op]
        verdict = "met" if far <= TARGET_MS else "MISSED"
        lines.append(f"{op:10}{short:>10.1f}{far:>12.1f}  {far / short:.1f}× short: {verdict}")
    return "\n".join(lines)
