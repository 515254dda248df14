"""Retention and the data subject's rights over guest records (Law 91/2025/QH15).

``purge_identity`` clears who a guest was once the stay is old enough, keeping what the
statistics count (dates, sex, nationality, residence, report status). ``export_guest_data``
gives a person every record held about them, found by their document number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from sqlalchemy import and_, or_, select, update

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from core.outbox.messages import OutboxState
from lodging.registration import sealed
from lodging.registration.declarations import normalise_document
from lodging.registration.models import DocumentType, Guest, Stay, StayEvent, StayStatus

# A report still on its way to the police needs the identity it reports: such guests
# wait for the next purge rather than reach the police empty.
IN_FLIGHT = (OutboxState.QUEUED.value, OutboxState.SENDING.value)
# Keys that mark a dict in a stay's history as one guest's snapshot.
IDENTITY_KEYS = frozenset({"full_name", "birth_date", "document_hash", "relationship"})
_BATCH = 500

Snapshot = dict[str, Any]


def purge_identity(session: DbSession, *, older_than: dt.timedelta, now: dt.datetime) -> int:
    """Clear the identity of guests whose stay ended before ``now - older_than``.

    A stay ends when the guests left; a cancelled one when it was declared; one still
    marked in house on its expected departure day. Names, birth dates, document
    numbers, foreign details and relationships go, from the guests and from the
    stays' history; the guests' ids and what statistics count stay. Guests whose
    report is still queued or being sent are kept for a later run. Idempotent:
    returns how many guests were purged by this call.
    """
    cutoff = now - older_than
    ended = or_(
        and_(Stay.status == StayStatus.CHECKED_OUT, Stay.departed_at < cutoff),
        and_(Stay.status == StayStatus.CANCELLED, Stay.created_at < cutoff),
        and_(
            Stay.status == StayStatus.IN_HOUSE,
            Stay.expected_departure < cutoff.astimezone(VIETNAM).date(),
        ),
    )
    due = session.execute(
        select(Guest.id, Guest.stay_id)
        .join(Stay, Stay.id == Guest.stay_id)
        .where(
            ended,
            Guest.purged_at.is_(None),
            or_(Guest.report_status.is_(None), Guest.report_status.not_in(IN_FLIGHT)),
        )
    ).all()
    for start in range(0, len(due), _BATCH):
        batch = due[start : start + _BATCH]
        _clear_guests(session, [guest_id for guest_id, _stay in batch], now)
        _scrub_history(session, {stay_id for _guest, stay_id in batch}, {g for g, _s in batch})
    return len(due)


def _clear_guests(session: DbSession, guest_ids: Sequence[int], now: dt.datetime) -> None:
    session.execute(
        update(Guest)
        .where(Guest.id.in_(guest_ids))
        .values(
            full_name="",
            name_folded="",
            birth_date=None,
            document_number=None,
            document_hash=None,
            document_expiry=None,
            foreign_details=None,
            foreign_details_hash=None,
            relationship_to_head="",
            purged_at=now,
        )
    )


def _scrub_history(session: DbSession, stay_ids: set[int], guest_ids: set[int]) -> None:
    def purged(snapshot: Snapshot) -> Snapshot | None:
        if snapshot["id"] in guest_ids:
            return {"id": snapshot["id"], "purged": True}
        return snapshot

    events = session.scalars(select(StayEvent).where(StayEvent.stay_id.in_(stay_ids)))
    for event in events:
        # JSON columns do not track changes inside them: assign new values.
        event.before = _map_snapshots(event.before, purged)
        event.after = _map_snapshots(event.after, purged)
    session.flush()


def _map_snapshots(value: Any, change: Callable[[Snapshot], Snapshot | None]) -> Any:
    """``value`` with every guest snapshot in it passed through ``change`` (None drops it)."""
    if isinstance(value, list):
        mapped = (_map_snapshots(item, change) for item in value)
        return [item for item in mapped if item is not None]
    if not isinstance(value, dict):
        return value
    if "id" in value and IDENTITY_KEYS.intersection(value):
        return change(value)
    return {key: _map_snapshots(item, change) for key, item in value.items()}


def export_guest_data(
    session: DbSession,
    cipher: PersonalDataCipher,
    *,
    document_type: DocumentType | str,
    document_number: str,
) -> dict[str, Any]:
    """Everything held about the person with this document, ready for ``json.dumps``.

    One entry per stay, oldest first: where and when, the guest's record with the
    document number and foreign details decrypted, and the stay's history. Other
    guests of the same stays are left out: they are not the data subject.
    """
    kind = DocumentType(document_type)
    number = normalise_document(kind, document_number)
    wanted = sealed.document_hash(cipher, kind, number)
    guests = session.scalars(
        select(Guest)
        .join(Stay, Stay.id == Guest.stay_id)
        .where(Guest.document_hash == wanted)
        .order_by(Stay.arrival, Guest.id)
    ).all()
    return {
        "document_type": kind.value,
        "document_number": number,
        "stays": [_stay_record(guest, cipher) for guest in guests],
    }


def _stay_record(guest: Guest, cipher: PersonalDataCipher) -> dict[str, Any]:
    stay = guest.stay

    def own(snapshot: Snapshot) -> Snapshot | None:
        return snapshot if snapshot["id"] == guest.id else None

    history = [
        {
            "kind": event.kind,
            "at": event.at,
            "channel": event.channel,
            "before": _map_snapshots(event.before, own),
            "after": _map_snapshots(event.after, own),
        }
        for event in stay.events
    ]
    record: dict[str, Any] = _jsonable(
        {
            "stay_id": stay.id,
            "establishment": {
                "id": stay.establishment.id,
                "name": stay.establishment.name,
                "street_address": stay.establishment.street_address,
            },
            "room": stay.room.number if stay.room else "",
            "arrival": stay.arrival,
            "expected_departure": stay.expected_departure,
            "departed_at": stay.departed_at,
            "status": stay.status,
            "purpose": stay.purpose,
            "channel": stay.channel,
            "declared_at": stay.created_at,
            "guest": _guest_record(guest, cipher),
            "history": history,
        }
    )
    return record


def _guest_record(guest: Guest, cipher: PersonalDataCipher) -> dict[str, Any]:
    foreigner = sealed.foreign_details(guest, cipher)
    return {
        "id": guest.id,
        "role": guest.role,
        "relationship": guest.relationship_to_head,
        "full_name": guest.full_name,
        "birth_date": guest.birth_date,
        "birth_year": guest.birth_year,
        "sex": guest.sex,
        "nationality": guest.nationality,
        "residence_country": guest.residence_country,
        "residence_province_code": guest.residence_province_code,
        "document_type": guest.document_type,
        "document_number": sealed.document_number(guest, cipher),
        "document_expiry": guest.document_expiry,
        "foreigner": dataclasses.asdict(foreigner) if foreigner else None,
        "arrival": guest.arrival,
        "reporting_deadline": guest.deadline,
        "report_status": guest.report_status,
        "reported_at": guest.reported_at,
        "confirmed_at": guest.confirmed_at,
        "confirmation_method": guest.confirmation_method,
    }


def _jsonable(value: Any) -> Any:
    """Dates as ISO 8601 (with their offset), enums as their values, all the way down."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
