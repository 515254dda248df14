"""Test data builders: the smallest valid object, with overrides."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth import services as accounts
from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, utcnow
from core.crypto import PersonalDataCipher
from core.outbox.delivery import claim_due, deliver
from core.outbox.messages import OutboxMessage, Outcome, handlers_of
from core.settings import DEVELOPMENT_DATA_KEY
from lodging.properties import services as properties
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.properties.services import EstablishmentInput
from lodging.registration import services
from lodging.registration.declarations import ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import (
    Actor,
    Channel,
    DocumentType,
    PassportType,
    Purpose,
    Stay,
    VisaType,
)

PASSWORD = "Ha-Long-Bay-1994"
# The key the test app uses too (settings leave DATA_ENCRYPTION_KEY at its default).
TEST_CIPHER = PersonalDataCipher(DEVELOPMENT_DATA_KEY)
_serial = itertools.count(1)


def make_user(session: Session, role: Role = Role.TOURIST, **overrides: object) -> User:
    n = next(_serial)
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "password": PASSWORD,
        "full_name": f"Người dùng {n}",
    }
    if role is Role.POLICE:
        values.update(police_province_code=22, police_commune_code=None)  # Quảng Ninh
    values.update(overrides)
    user = accounts.create_user(session, role=role, now=utcnow(), **values)
    session.commit()
    return user


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, lang: str = "en") -> None:
    token = csrf_token(client, f"/{lang}/login")
    response = client.post(
        f"/{lang}/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def make_establishment(
    session: Session,
    *,
    owner: User | None = None,
    staff: tuple[User, ...] = (),
    rooms: tuple[str, ...] = ("101", "102", "201"),
    approved: bool = True,
    **overrides: object,
) -> Establishment:
    """An approved hotel in Bãi Cháy (Quảng Ninh) with double rooms, and its people."""
    n = next(_serial)
    values: dict[str, Any] = {
        "name": f"Khách sạn Thử Nghiệm {n}",
        "kind": EstablishmentKind.HOTEL,
        "street_address": f"{n} Đường Hạ Long",
        "province": "Quảng Ninh",
        "commune": "Bãi Cháy",
        "stars": 3,
        "licence_number": f"QN-{n:05d}",
        "latitude": 20.9533,
        "longitude": 107.0433,
    }
    values.update(overrides)
    now = utcnow()
    establishment = properties.register_establishment(
        session,
        EstablishmentInput(**values),
        now=now,
        owner=owner,
    )
    for member in staff:
        properties.add_member(session, establishment, member, now=now)
    if rooms:
        double = properties.add_room_type(session, establishment, name="Double", bed_places=2)
        properties.add_rooms(session, establishment, double, list(rooms))
    if approved:
        approver = make_user(session, Role.ADMIN)
        properties.approve_establishment(session, establishment, approver, now=now)
    session.commit()
    return establishment


def citizen(**overrides: object) -> GuestInput:
    """A Vietnamese guest whose CCCD matches her birth date and sex."""
    values: dict[str, Any] = {
        "full_name": "Nguyễn Thị Ánh",
        "birth_date": dt.date(1990, 3, 14),
        "sex": Sex.F,
        "nationality": "VN",
        "residence_country": "VN",
        "residence_province": "Hà Nội",
        "document_type": DocumentType.CCCD,
        "document_number": "001190012345",
    }
    values.update(overrides)
    return GuestInput(**values)


def foreigner(**overrides: object) -> GuestInput:
    """A Korean tourist with a visa exemption."""
    values: dict[str, Any] = {
        "full_name": "KIM MIN-JUN",
        "birth_date": dt.date(1985, 7, 2),
        "sex": Sex.M,
        "nationality": "KOR",
        "residence_country": "KR",
        "document_type": DocumentType.PASSPORT,
        "document_number": "M12345678",
        "document_expiry": dt.date(2031, 1, 1),
        "foreigner": ForeignerInput(
            passport_type=PassportType.ORDINARY,
            visa_type=VisaType.EXEMPT,
            entry_date=dt.date.today() - dt.timedelta(days=2),  # noqa: DTZ011 - a date only
            entry_port="Nội Bài",
            entry_purpose="tourism",
        ),
    }
    values.update(overrides)
    return GuestInput(**values)


def recent_arrival() -> dt.datetime:
    """About an hour ago, but today in Vietnam and with a citizen's deadline still ahead.

    An hour ago is yesterday between midnight and 01:00 (no arrival today), and between
    23:00 and midnight a citizen who arrived then was due at 23:00 (overdue already):
    tests would depend on the hour they run at. Then it is midnight or 23:00 instead.
    """
    now = utcnow()
    local = now.astimezone(VIETNAM)
    if local.hour in (0, 23):
        return local.replace(minute=0, second=0, microsecond=0)
    return now - dt.timedelta(hours=1)


def stay_input(*guests: GuestInput, **overrides: object) -> StayInput:
    """One night in room 101 from an hour ago, for ``guests`` (default: one citizen)."""
    now = utcnow()
    values: dict[str, Any] = {
        "room": "101",
        "arrival": recent_arrival(),
        "expected_departure": (now + dt.timedelta(days=1)).astimezone(VIETNAM).date(),
        "purpose": Purpose.TOURISM,
        "guests": guests or (citizen(),),
    }
    values.update(overrides)
    return StayInput(**values)


def declare(
    session: Session,
    establishment: Establishment,
    data: StayInput | None = None,
    *,
    by: User | None = None,
    confirmed: bool = True,
) -> Stay:
    """Declare ``data`` (default: one citizen) at the desk and commit."""
    actor = Actor(by.id if by else None, by.email if by else "test", Channel.DESK)
    stay, _created = services.declare_stay(
        session,
        establishment,
        data or stay_input(),
        actor=actor,
        cipher=TEST_CIPHER,
        now=utcnow(),
        confirmed=confirmed,
    )
    session.commit()
    return stay


def police_reports(session: Session) -> list[OutboxMessage]:
    """The police reports queued so far (not the search or mail messages), oldest first."""
    query = select(OutboxMessage).where(OutboxMessage.kind.startswith("lodging.stay."))
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def deliver_due(
    app: Flask, session: Session, channels: Sequence[str] | None = None
) -> list[Outcome | None]:
    """One worker pass, in the test's session: every due outbox message (of ``channels``)."""
    registry = handlers_of(app)
    now = utcnow()
    ids = claim_due(
        session,
        now=now,
        worker_id="test",
        lease=dt.timedelta(minutes=1),
        limit=50,
        registry=registry,
        channels=channels,
    )
    outcomes = []
    for message_id in ids:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        route = registry.route_for(message.kind)
        assert route is not None
        outcomes.append(
            deliver(
                session,
                message_id,
                route.handler,
                now=now,
                worker_id="test",
                on_state=registry.notify,
            )
        )
    return outcomes
