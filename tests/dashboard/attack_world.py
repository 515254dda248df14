"""A random small province for the differencing attacks, and the figures' atoms.

Six establishments (hotels with stars and homestays) in three communes, guests from
three countries on random stays over the two past months, and a few staying tonight.
Every figure the department can read adds up atoms: one establishment's guests of one
country of residence on one day. A figure is named by its atoms, whatever page, file or
answer it was read on.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from core.clock import VIETNAM, local_now
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration.declarations import DeclarationError, ForeignerInput, GuestInput
from lodging.registration.models import GuestRole
from tests.factories import citizen, declare, foreigner, make_establishment, stay_input

COMMUNES = ("Bãi Cháy", "Hạ Long", "Tuần Châu")
COUNTRIES = ("VN", "KR", "JP")
ROOMS = ("101", "102", "103", "104")
DAY = dt.timedelta(days=1)
_SERIALS = itertools.count(1)  # every guest's own document number

# A figure: which establishments, guests from which countries, from which day to which.
Figure = tuple[frozenset[int], frozenset[str], tuple[dt.date, dt.date]]


@dataclass
class World:
    places: list[Establishment]
    first_day: dt.date  # the first day of the month before last
    last_day: dt.date  # the last day of last month
    today: dt.date

    def everywhere(self) -> frozenset[int]:
        return frozenset(p.id for p in self.places)

    def ids(self, **attrs: Any) -> frozenset[int]:
        """The establishments whose attributes are these (commune_code, kind, stars, id)."""
        return frozenset(
            p.id for p in self.places if all(getattr(p, k) == v for k, v in attrs.items())
        )

    def of_group(self, group_by: str, key: Any) -> frozenset[int]:
        """The establishments of a place group (commune, kind, stars, establishment)."""
        if group_by == "kind":
            return self.ids(kind=EstablishmentKind(key))
        attribute = {"commune": "commune_code", "stars": "stars", "establishment": "id"}
        return self.ids(**{attribute[group_by]: key})


def countries_of(group_by: str, key: Any) -> frozenset[str]:
    """The guests a group of a guest grouping counts (every guest for a place grouping)."""
    if group_by == "residence_country":
        return frozenset({str(key)})
    if group_by == "international":
        return frozenset(c for c in COUNTRIES if (c != "VN") == (key == "international"))
    return frozenset(COUNTRIES)


def atoms(figure: Figure) -> Iterable[tuple[int, str, dt.date]]:
    places, countries, (first, last) = figure
    for day in range((last - first).days + 1):
        for place in places:
            for country in countries:
                yield place, country, first + day * DAY


def _guest(rng: random.Random, serial: int, arrival: dt.date, *, head: bool) -> GuestInput:
    country = rng.choice(("VN", "VN", "VN", "KR", "JP"))
    if country == "VN":
        guest = citizen(document_number=f"0011900{serial:05d}")
    else:
        guest = foreigner(document_number=f"M{serial:08d}", residence_country=country)
        assert guest.foreigner is not None
        entered: ForeignerInput = replace(guest.foreigner, entry_date=arrival - 3 * DAY)
        guest = replace(guest, foreigner=entered)
    if head:
        return replace(guest, role=GuestRole.HEAD)
    return replace(guest, role=GuestRole.MEMBER, relationship="friend")


def _stay(
    session: Session, rng: random.Random, place: Establishment, arrival: dt.date, nights: int
) -> None:
    guests = [
        _guest(rng, next(_SERIALS), arrival, head=i == 0) for i in range(rng.choice((1, 1, 2, 3)))
    ]
    data = stay_input(
        *guests,
        room=rng.choice(ROOMS),
        arrival=dt.datetime.combine(arrival, dt.time(14), tzinfo=VIETNAM),
        expected_departure=arrival + nights * DAY,
    )
    try:
        declare(session, place, data)
    except DeclarationError:  # a room taken on those nights: skip it
        session.rollback()


def build_world(session: Session, seed: int, stays: int = 60) -> World:
    """Random stays over the two past months, and a few guests staying tonight."""
    rng = random.Random(seed)
    today = local_now().date()
    this_month = today.replace(day=1)
    first = (this_month - 40 * DAY).replace(day=1)
    last = this_month - DAY
    places = []
    for n, commune in enumerate(COMMUNES * 2):
        hotel = n % 2 == 0
        places.append(
            make_establishment(
                session,
                name=f"Nơi ở {n}",
                commune=commune,
                kind=EstablishmentKind.HOTEL if hotel else EstablishmentKind.HOMESTAY,
                stars=rng.choice((2, 3)) if hotel else None,
                rooms=ROOMS,
            )
        )
    for _ in range(stays):
        arrival = first + rng.randrange((last - first).days - 3) * DAY
        _stay(session, rng, rng.choice(places), arrival, rng.randint(1, 3))
    for _ in range(rng.randint(3, 6)):  # in the house tonight: arrived one or two days ago
        if today - 2 * DAY >= this_month:
            _stay(session, rng, rng.choice(places), today - rng.randint(1, 2) * DAY, 3)
    return World(places, first, last, today)
