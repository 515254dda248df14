"""Fixed stays in memory, for payloads whose every byte a golden file pins."""

from __future__ import annotations

import datetime as dt

from core.clock import VIETNAM
from lodging.properties.models import Establishment, EstablishmentKind, Room
from lodging.registration import sealed
from lodging.registration.declarations import ForeignerInput
from lodging.registration.models import (
    Channel,
    DocumentType,
    Guest,
    GuestRole,
    PassportType,
    Purpose,
    Stay,
    StayStatus,
    VisaType,
)
from tests.factories import TEST_CIPHER

ARRIVAL = dt.datetime(2025, 8, 1, 14, 5, 30, tzinfo=VIETNAM)
QUANG_NINH = 22
BAI_CHAY = 6673  # Phường Bãi Cháy
HONG_GAI = 6685  # Phường Hồng Gai


def hotel() -> Establishment:
    return Establishment(
        id=7,
        name="Khách sạn Hoa Biển",
        kind=EstablishmentKind.HOTEL,
        stars=3,
        licence_number="QN-00042",
        street_address="12 Đường Hạ Long",
        province_code=QUANG_NINH,
        commune_code=BAI_CHAY,
        police_province_code=QUANG_NINH,
        police_commune_code=HONG_GAI,
    )


def stay(**overrides: object) -> Stay:
    values: dict[str, object] = {
        "id": 12,
        "establishment": hotel(),
        "room": Room(id=3, number="101"),
        "arrival": ARRIVAL.astimezone(dt.UTC),
        "expected_departure": dt.date(2025, 8, 3),
        "departed_at": None,
        "purpose": Purpose.TOURISM,
        "status": StayStatus.IN_HOUSE,
        "channel": Channel.DESK,
    }
    values.update(overrides)
    return Stay(**values)


def citizen(the_stay: Stay, *, number: str = "001190012345", **overrides: object) -> Guest:
    """Nguyễn Thị Ánh, CCCD, from Hà Nội."""
    sealed_number, number_hash = sealed.seal_document(TEST_CIPHER, DocumentType.CCCD, number)
    values: dict[str, object] = {
        "id": 31,
        "position": 0,
        "role": GuestRole.SINGLE,
        "full_name": "Nguyễn Thị Ánh",
        "birth_date": dt.date(1990, 3, 14),
        "sex": "F",
        "nationality": "VN",
        "residence_country": "VN",
        "residence_province_code": 1,
        "document_type": DocumentType.CCCD,
        "document_number": sealed_number,
        "document_hash": number_hash,
        "arrival": the_stay.arrival,
        "confirmed_at": the_stay.arrival,
    }
    values.update(overrides)
    guest = Guest(**values)
    the_stay.guests.append(guest)
    return guest


def foreigner(the_stay: Stay, **overrides: object) -> Guest:
    """Jürgen Müller, German, with a visa, who joined the stay two hours later."""
    sealed_number, number_hash = sealed.seal_document(
        TEST_CIPHER, DocumentType.PASSPORT, "C01X00T47"
    )
    details = ForeignerInput(
        passport_type=PassportType.ORDINARY,
        visa_type=VisaType.VISA,
        visa_number="AB1234567",
        visa_valid_until=dt.date(2025, 10, 30),
        visa_issued_on=dt.date(2025, 7, 20),
        visa_issuer="Đại sứ quán Việt Nam tại Berlin",
        entry_date=dt.date(2025, 7, 31),
        entry_port="Nội Bài",
        entry_purpose="tourism",
    )
    sealed_details, details_hash = sealed.seal_foreign_details(TEST_CIPHER, details)
    values: dict[str, object] = {
        "id": 32,
        "position": 1,
        "role": GuestRole.MEMBER,
        "relationship_to_head": "friend",
        "full_name": "Jürgen Müller",
        "birth_date": dt.date(1984, 11, 2),
        "sex": "M",
        "nationality": "DE",
        "residence_country": "DE",
        "residence_province_code": None,
        "document_type": DocumentType.PASSPORT,
        "document_number": sealed_number,
        "document_hash": number_hash,
        "document_expiry": dt.date(2031, 1, 1),
        "foreign_details": sealed_details,
        "foreign_details_hash": details_hash,
        "arrival": the_stay.arrival + dt.timedelta(hours=2),
        "confirmed_at": the_stay.arrival,
    }
    values.update(overrides)
    guest = Guest(**values)
    the_stay.guests.append(guest)
    return guest
