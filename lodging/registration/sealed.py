"""A guest's sealed personal data: sealing it, finding it, and reading it back.

Document numbers and foreigners' visa details are stored encrypted
(``core.crypto``); a keyed hash of the number finds a guest again without
decrypting anything. Reading them back (to show a stay, to correct it, to export a
guest's data) happens here and only here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence

from core import audit
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.registration.declarations import ForeignerInput, GuestInput, StayInput
from lodging.registration.documents import Sex
from lodging.registration.models import Actor, DocumentType, Guest, PassportType, Stay, VisaType

DOCUMENT_CONTEXT = "lodging_guest.document_number"
FOREIGN_CONTEXT = "lodging_guest.foreign_details"


def document_hash(cipher: PersonalDataCipher, document_type: DocumentType, number: str) -> str:
    return cipher.lookup_hash(f"{document_type.value}:{number}", context=DOCUMENT_CONTEXT)


def foreign_details_hash(guest: Guest, cipher: PersonalDataCipher) -> str | None:
    """A short keyed hash of a foreigner's details, to tell a change in the history.

    Kept when they are sealed; only rows sealed before it was kept are decrypted.
    """
    if guest.foreign_details is None:
        return None
    if guest.foreign_details_hash is not None:
        return guest.foreign_details_hash[:12]
    clear = cipher.decrypt(guest.foreign_details, context=FOREIGN_CONTEXT)
    return cipher.lookup_hash(clear, context=FOREIGN_CONTEXT)[:12]


def seal_document(
    cipher: PersonalDataCipher, document_type: DocumentType, number: str
) -> tuple[bytes | None, str | None]:
    """The sealed number and its look-up hash; ``(None, None)`` for no document."""
    if not number:
        return None, None
    sealed = cipher.encrypt(number, context=DOCUMENT_CONTEXT)
    return sealed, document_hash(cipher, document_type, number)


def seal_foreign_details(cipher: PersonalDataCipher, details: ForeignerInput) -> tuple[bytes, str]:
    """The sealed details and the keyed hash of what they say."""
    raw = json.dumps(dataclasses.asdict(details), default=str)
    return (
        cipher.encrypt(raw, context=FOREIGN_CONTEXT),
        cipher.lookup_hash(raw, context=FOREIGN_CONTEXT),
    )


def stay_input(stay: Stay, cipher: PersonalDataCipher) -> StayInput:
    """The stay as a declaration again, to correct it (decrypts the documents)."""
    return StayInput(
        room=stay.room.number if stay.room else "",
        arrival=stay.arrival,
        expected_departure=stay.expected_departure,
        purpose=stay.purpose,
        guests=tuple(guest_input(g, cipher) for g in stay.guests),
    )


def guest_input(guest: Guest, cipher: PersonalDataCipher) -> GuestInput:
    return GuestInput(
        full_name=guest.full_name,
        birth_date=guest.birth_date,
        sex=Sex(guest.sex),
        nationality=guest.nationality,
        residence_country=guest.residence_country,
        residence_province=str(guest.residence_province_code or ""),
        document_type=guest.document_type,
        document_number=document_number(guest, cipher),
        document_expiry=guest.document_expiry,
        role=guest.role,
        relationship=guest.relationship_to_head,
        arrival=guest.arrival if guest.arrival != guest.stay.arrival else None,
        foreigner=foreign_details(guest, cipher),
    )


def document_number(guest: Guest, cipher: PersonalDataCipher) -> str:
    if guest.document_number is None:
        return ""
    return cipher.decrypt(guest.document_number, context=DOCUMENT_CONTEXT)


def foreign_details(guest: Guest, cipher: PersonalDataCipher) -> ForeignerInput | None:
    if guest.foreign_details is None:
        return None
    raw = json.loads(cipher.decrypt(guest.foreign_details, context=FOREIGN_CONTEXT))
    dates = ("visa_valid_until", "visa_issued_on", "entry_date")
    for name in dates:
        raw[name] = dt.date.fromisoformat(raw[name]) if raw.get(name) else None
    raw["passport_type"] = PassportType(raw["passport_type"]) if raw.get("passport_type") else None
    raw["visa_type"] = VisaType(raw["visa_type"]) if raw.get("visa_type") else None
    return ForeignerInput(**raw)


def record_guest_view(
    session: DbSession,
    stay: Stay,
    guests: Sequence[Guest],
    *,
    actor: Actor,
    address: str,
    now: dt.datetime,
    purpose: str,
) -> None:
    """Put on record that ``actor`` saw these guests' identity data (Decree 356/2025)."""
    audit.record(
        session,
        action="guest.view",
        now=now,
        actor_id=actor.user_id,
        actor_label=actor.label,
        target_type="lodging_stay",
        target_id=stay.id,
        address=address,
        detail={
            "guest_ids": [guest.id for guest in guests],
            "channel": actor.channel.value,
            "purpose": purpose,
        },
    )
