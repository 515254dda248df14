"""Demo guests: a family and a foreign couple at Bãi Cháy, and a guest in Sa Pa.

Each commune's police see their own guests only, so the demo has guests in two.

``flask demo load`` runs the loaders in the app context, after the establishments';
the demo guests' documents are sealed with the app's own key, as at the desk.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from core.auth import services as accounts
from core.auth.models import User
from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.properties.demo import DEMO_PLACES, STAFF_EMAIL
from lodging.properties.models import Establishment
from lodging.registration import services as registration
from lodging.registration.declarations import ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import (
    Actor,
    Channel,
    DocumentType,
    GuestRole,
    PassportType,
    Purpose,
    Stay,
    VisaType,
)


def load_demo_stays(session: DbSession, now: dt.datetime) -> list[str]:
    """Declare the demo guests at the first demo place, if it has no stays yet."""
    establishment = session.scalar(
        select(Establishment).where(Establishment.name == DEMO_PLACES[0].place.name)
    )
    if establishment is None:
        return []
    stays = session.scalar(
        select(func.count(Stay.id)).where(Stay.establishment_id == establishment.id)
    )
    cipher: PersonalDataCipher = current_app.extensions["personal_data_cipher"]
    if not stays:
        staff = accounts.find_user(session, STAFF_EMAIL)
        _declare_demo_stays(session, establishment, staff, cipher, now)
        session.flush()
    _declare_in_sapa(session, cipher, now)
    return []


def _declare_in_sapa(session: DbSession, cipher: PersonalDataCipher, now: dt.datetime) -> None:
    """A guest at the Sa Pa demo hotel, if it has none yet: another commune's police."""
    establishment = session.scalar(select(Establishment).where(Establishment.name == SAPA_PLACE))
    if establishment is None or session.scalar(
        select(func.count(Stay.id)).where(Stay.establishment_id == establishment.id)
    ):
        return
    guest = GuestInput(
        full_name="Lò Văn Dũng",
        birth_date=dt.date(1979, 3, 12),
        sex=Sex.M,
        nationality="VN",
        residence_country="VN",
        residence_province="Lào Cai",
        document_type=DocumentType.CCCD,
        document_number="010079003128",
    )
    data = StayInput(
        room="102",
        arrival=now - dt.timedelta(hours=3),
        expected_departure=now.astimezone(VIETNAM).date() + dt.timedelta(days=2),
        purpose=Purpose.TOURISM,
        guests=(guest,),
    )
    actor = Actor(None, "demo", Channel.DESK)
    registration.declare_stay(session, establishment, data, actor=actor, cipher=cipher, now=now)
    session.flush()


SAPA_PLACE = "Khách sạn Mây Trắng Sa Pa"


def _family(now: dt.datetime) -> StayInput:
    today = now.astimezone(VIETNAM).date()
    head = GuestInput(
        full_name="Nguyễn Văn Thành",
        birth_date=dt.date(1982, 5, 17),
        sex=Sex.M,
        nationality="VN",
        residence_country="VN",
        residence_province="Hà Nội",
        document_type=DocumentType.CCCD,
        document_number="001082004517",
        role=GuestRole.HEAD,
    )
    wife = GuestInput(
        full_name="Phạm Thị Lan",
        birth_date=dt.date(1985, 11, 2),
        sex=Sex.F,
        nationality="VN",
        residence_country="VN",
        residence_province="Hà Nội",
        document_type=DocumentType.CCCD,
        document_number="001185009823",
        role=GuestRole.MEMBER,
        relationship="vợ",
    )
    son = GuestInput(
        full_name="Nguyễn Minh Khôi",
        birth_date=dt.date(2016, 8, 9),
        sex=Sex.M,
        nationality="VN",
        residence_country="VN",
        residence_province="Hà Nội",
        document_type=DocumentType.NONE,
        role=GuestRole.MEMBER,
        relationship="con trai",
    )
    return StayInput(
        room="301",
        arrival=now - dt.timedelta(hours=3),
        expected_departure=today + dt.timedelta(days=2),
        purpose=Purpose.TOURISM,
        guests=(head, wife, son),
    )


def _german(  # noqa: PLR0917 - one guest's facts
    name: str,
    born: dt.date,
    sex: Sex,
    passport: str,
    entered: dt.date,
    role: GuestRole,
    relationship: str = "",
) -> GuestInput:
    return GuestInput(
        full_name=name,
        birth_date=born,
        sex=sex,
        nationality="DEU",
        residence_country="DE",
        document_type=DocumentType.PASSPORT,
        document_number=passport,
        document_expiry=dt.date(2031, 6, 30),
        foreigner=ForeignerInput(
            passport_type=PassportType.ORDINARY,
            # Germans enter visa-free for up to 45 days (Resolution 128/NQ-CP, 2023).
            visa_type=VisaType.EXEMPT,
            entry_date=entered,
            entry_port="Nội Bài",
            entry_purpose="tourism",
        ),
        role=role,
        relationship=relationship,
    )


def _couple(now: dt.datetime) -> StayInput:
    arrival = now - dt.timedelta(hours=5)
    entered = arrival.astimezone(VIETNAM).date() - dt.timedelta(days=1)
    return StayInput(
        room="201",
        arrival=arrival,
        expected_departure=now.astimezone(VIETNAM).date() + dt.timedelta(days=3),
        purpose=Purpose.TOURISM,
        guests=(
            _german(
                "Jonas Schmidt", dt.date(1988, 2, 21), Sex.M, "C4F2KLM71", entered, GuestRole.HEAD
            ),
            _german(
                "Lena Schmidt",
                dt.date(1990, 9, 5),
                Sex.F,
                "C7NR3XW95",
                entered,
                GuestRole.MEMBER,
                "wife",
            ),
        ),
    )


def _departed(now: dt.datetime) -> StayInput:
    guest = GuestInput(
        full_name="Trần Thu Hà",
        birth_date=dt.date(1993, 1, 28),
        sex=Sex.F,
        nationality="VN",
        residence_country="VN",
        residence_province="Hải Phòng",
        document_type=DocumentType.CCCD,
        document_number="031193006271",
    )
    return StayInput(
        room="101",
        arrival=now - dt.timedelta(days=2),
        expected_departure=now.astimezone(VIETNAM).date(),
        purpose=Purpose.BUSINESS,
        guests=(guest,),
    )


def _declare_demo_stays(
    session: DbSession,
    establishment: Establishment,
    staff: User | None,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> None:
    """A family and a foreign couple in the house, and a guest who left two hours ago."""
    actor = Actor(staff.id if staff else None, staff.email if staff else "demo", Channel.DESK)
    for data in (_family(now), _couple(now)):
        registration.declare_stay(session, establishment, data, actor=actor, cipher=cipher, now=now)
    departed, _created = registration.declare_stay(
        session, establishment, _departed(now), actor=actor, cipher=cipher, now=now
    )
    registration.check_out(
        session, departed, departed_at=now - dt.timedelta(hours=2), actor=actor, now=now
    )
