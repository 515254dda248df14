"""Valid stays of one guest each, citizens and foreigners, declared with the services.

The feeds benchmark (``bench.feeds``) queues its backlog with them: each declaration
writes its stay, its guest and its outbox report in one transaction, as the desk does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.declarations import FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES
from bench.instance import ROOMS
from core.clock import VIETNAM, utcnow
from core.crypto import PersonalDataCipher
from lodging.properties.models import Establishment
from lodging.registration import services
from lodging.registration.declarations import ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.hooks import LISTENERS
from lodging.registration.models import (
    Actor,
    Channel,
    DocumentType,
    PassportType,
    Purpose,
    VisaType,
)
from lodging.statistics.ledger import apply_stay

COMMIT_EVERY = 500
NATIONALITIES = ("KOR", "JPN", "CHN", "USA", "FRA", "DEU", "AUS", "RUS")


class Declarer:
    """Valid stays of one citizen or one foreigner (about a third), declared at the desk."""

    def __init__(self, engine: Engine, cipher: PersonalDataCipher, establishment_id: int) -> None:
        self._engine = engine
        # The ledger moves with each stay, as in the portal (its app registers the same).
        self._info = {LISTENERS: [apply_stay]}
        self._cipher = cipher
        self._establishment_id = establishment_id
        self._serials = itertools.count(1)
        self._random = random.Random(1)

    def declare(self, count: int) -> None:
        """Declare ``count`` stays, committing every ``COMMIT_EVERY``."""
        with Session(self._engine, info=self._info) as session:
            hotel = session.get_one(Establishment, self._establishment_id)
            actor = Actor(None, "bench", Channel.DESK)
            for n in range(1, count + 1):
                now = utcnow()
                services.declare_stay(
                    session, hotel, self._stay(now), actor=actor, cipher=self._cipher, now=now
                )
                if n % COMMIT_EVERY == 0 or n == count:
                    session.commit()

    def _stay(self, now: dt.datetime) -> StayInput:
        serial = next(self._serials)
        guest = self._foreigner(serial) if serial % 3 == 0 else self._citizen(serial)
        arrival = now - dt.timedelta(minutes=self._random.randrange(1, 120))
        return StayInput(
            room=self._random.choice(ROOMS),
            arrival=arrival,
            expected_departure=arrival.astimezone(VIETNAM).date() + dt.timedelta(days=2),
            purpose=Purpose.TOURISM,
            guests=(guest,),
        )

    def _citizen(self, serial: int) -> GuestInput:
        pick = self._random.choice
        sex = pick((Sex.M, Sex.F))
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=self._random.randrange(50 * 365))
        century_sex = "0" if sex is Sex.M else "1"  # born 1900-1999
        return GuestInput(
            full_name=f"{pick(FAMILY_NAMES)} {pick(MIDDLE_NAMES[sex])} {pick(GIVEN_NAMES)}",
            birth_date=birth,
            sex=sex,
            nationality="VN",
            residence_country="VN",
            residence_province="Hà Nội",
            document_type=DocumentType.CCCD,
            document_number=f"001{century_sex}{birth.year % 100:02d}{serial % 1_000_000:06d}",
        )

    def _foreigner(self, serial: int) -> GuestInput:
        nationality = self._random.choice(NATIONALITIES)
        return GuestInput(
            full_name=f"TRAVELLER {nationality} {self._random.choice(GIVEN_NAMES).upper()}",
            birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=self._random.randrange(9000)),
            sex=self._random.choice((Sex.M, Sex.F)),
            nationality=nationality,
            residence_country=nationality,
            document_type=DocumentType.PASSPORT,
            document_number=f"B{serial:08d}",
            document_expiry=dt.date.today() + dt.timedelta(days=900),  # noqa: DTZ011 - a date
            foreigner=ForeignerInput(
                passport_type=PassportType.ORDINARY,
                visa_type=VisaType.EXEMPT,
                entry_date=dt.date.today() - dt.timedelta(days=1),  # noqa: DTZ011 - a date
                entry_port="Nội Bài",
                entry_purpose="tourism",
            ),
        )
