"""What an officer sees and does in their area: plain arguments in, plain values out.

Every query is limited by ``jurisdiction.in_area``: a stay or guest outside the area
raises ``NotInAreaError`` exactly like one that does not exist. Reading guests'
identity data (lists, searches, a declaration) is put on the audit log with the
officer's reason in the caller's transaction; document numbers never are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager, selectinload

from core import audit
from core.auth.models import User
from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.properties import geography
from lodging.properties.models import Establishment
from lodging.registration import police_answers, sealed
from lodging.registration.deadlines import FineBand, fine_band
from lodging.registration.declarations import ForeignerInput, normalise_document
from lodging.registration.delivery_state import FIELD_LABELS
from lodging.registration.models import DocumentType, Guest, Stay, StayStatus
from portal.dashboard.compliance import late_declarations, silent_establishments
from portal.police.jurisdiction import in_area
from search.folding import fold

COMPLIANCE_WINDOW = dt.timedelta(days=30)
# Why an officer opens the lists: their daily supervision of the area's lodgings.
ROUTINE_REASON = "routine supervision of declarations"
MAX_RESULTS = 200
_GUEST_PATH = re.compile(r"guests\[(\d+)\]\.(.+)")
SEARCHABLE_DOCUMENTS = (
    DocumentType.CCCD,
    DocumentType.CMND,
    DocumentType.PASSPORT,
    DocumentType.OTHER,
)


class NotInAreaError(LookupError):
    """No such stay in the officer's area (whether it exists elsewhere or not at all)."""


class SearchError(ValueError):
    """A search that cannot run: ``field`` and the reason (an English code for the API)."""

    def __init__(self, field: str, code: str) -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class EstablishmentRow:
    establishment_id: int
    name: str
    commune: str
    street_address: str
    late: int  # last 30 days: reported after the deadline
    overdue: int  # deadline passed, not notified
    silent: bool  # nothing declared for a week
    last_declared_at: dt.datetime | None
    fine_band: FineBand | None  # the band the late and missing guests fall in


@dataclass(frozen=True)
class GuestRow:
    """A guest as the law lets the police see them (no more)."""

    guest_id: int
    stay_id: int
    establishment_id: int
    establishment_name: str
    full_name: str
    birth_date: dt.date | None
    sex: str
    nationality: str
    document_type: DocumentType
    document_number: str
    room: str
    arrival: dt.datetime
    expected_departure: dt.date
    departed_at: dt.datetime | None
    report_status: str | None
    foreigner: ForeignerInput | None  # the NA17 fields, for foreigners


def officer_label(officer: User) -> str:
    return officer.full_name or officer.email


def _area_ids(session: DbSession, officer: User) -> list[int]:
    return list(session.scalars(select(Establishment.id).where(in_area(officer))))


def establishments(
    session: DbSession, officer: User, *, now: dt.datetime
) -> list[EstablishmentRow]:
    """The area's establishments with their compliance over the last 30 days."""
    ids = _area_ids(session, officer)
    if not ids:
        return []
    today = now.astimezone(VIETNAM).date()
    late = {
        row.establishment_id: row
        for row in late_declarations(
            session, since=now - COMPLIANCE_WINDOW, now=now, establishment_ids=ids
        )
    }
    silent = {
        row.establishment_id
        for row in silent_establishments(session, today=today, now=now, establishment_ids=ids)
    }
    last: dict[int, dt.datetime] = {
        row[0]: row[1]
        for row in session.execute(
            select(Stay.establishment_id, func.max(Stay.created_at))
            .where(Stay.establishment_id.in_(ids))
            .group_by(Stay.establishment_id)
        )
    }
    places = session.scalars(select(Establishment).where(Establishment.id.in_(ids)))
    rows = [_establishment_row(e, late.get(e.id), e.id in silent, last.get(e.id)) for e in places]
    return sorted(rows, key=lambda r: (-(r.overdue + r.late), not r.silent, fold(r.name)))


def _establishment_row(
    establishment: Establishment, late: object, silent: bool, last: dt.datetime | None
) -> EstablishmentRow:
    late_count = int(getattr(late, "late", 0))
    overdue = int(getattr(late, "overdue", 0))
    return EstablishmentRow(
        establishment_id=establishment.id,
        name=establishment.name,
        commune=_commune_name(establishment.commune_code),
        street_address=establishment.street_address,
        late=late_count,
        overdue=overdue,
        silent=silent,
        last_declared_at=last,
        fine_band=fine_band(late_count + overdue),
    )


def _commune_name(code: int) -> str:
    try:
        return geography.commune(code).name
    except geography.UnknownPlaceError:
        return str(code)


def _guests_query(officer: User, *conditions: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    return (
        select(Guest)
        .join(Guest.stay)
        .join(Stay.establishment)
        .options(
            contains_eager(Guest.stay).contains_eager(Stay.establishment),
            contains_eager(Guest.stay).selectinload(Stay.room),
        )
        .where(
            in_area(officer),
            Stay.status != StayStatus.CANCELLED,
            Guest.confirmed_at.is_not(None),
            Guest.purged_at.is_(None),
            *conditions,
        )
        .order_by(Establishment.name, Guest.arrival, Guest.id)
        .limit(MAX_RESULTS)
    )


def present_guests(session: DbSession, officer: User, cipher: PersonalDataCipher) -> list[GuestRow]:
    """Guests in the house now in the area's establishments."""
    query = _guests_query(officer, Stay.status == StayStatus.IN_HOUSE)
    return [guest_row(g, cipher) for g in session.scalars(query)]


def arrivals_on(
    session: DbSession, officer: User, day: dt.date, cipher: PersonalDataCipher
) -> list[GuestRow]:
    """Guests who arrived on ``day`` (Vietnam time) in the area's establishments."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)
    query = _guests_query(
        officer, Guest.arrival >= start, Guest.arrival < start + dt.timedelta(days=1)
    )
    return [guest_row(g, cipher) for g in session.scalars(query)]


def guest_row(guest: Guest, cipher: PersonalDataCipher) -> GuestRow:
    stay = guest.stay
    return GuestRow(
        guest_id=guest.id,
        stay_id=stay.id,
        establishment_id=stay.establishment_id,
        establishment_name=stay.establishment.name,
        full_name=guest.full_name,
        birth_date=guest.birth_date,
        sex=guest.sex,
        nationality=guest.nationality,
        document_type=guest.document_type,
        document_number=sealed.document_number(guest, cipher),
        room=stay.room.number if stay.room else "",
        arrival=guest.arrival,
        expected_departure=stay.expected_departure,
        departed_at=stay.departed_at,
        report_status=guest.report_status,
        foreigner=sealed.foreign_details(guest, cipher) if guest.is_foreigner else None,
    )


@dataclass(frozen=True)
class SearchQuery:
    reason: str
    document_number: str = ""
    full_name: str = ""
    birth_date: dt.date | None = None


def search(
    session: DbSession, officer: User, query: SearchQuery, cipher: PersonalDataCipher
) -> list[GuestRow]:
    """Guests in the area by exact document number (its keyed hash) or name and birth date."""
    reason = " ".join(query.reason.split())
    if not reason:
        raise SearchError("reason", "required")
    number = "".join(query.document_number.split())
    if number:
        hashes = [
            sealed.document_hash(cipher, kind, normalise_document(kind, number))
            for kind in SEARCHABLE_DOCUMENTS
        ]
        condition: ColumnElement[bool] = Guest.document_hash.in_(hashes)
    elif query.full_name.strip() and query.birth_date is not None:
        condition = (Guest.name_folded == fold(query.full_name)[:200]) & (
            Guest.birth_date == query.birth_date
        )
    else:
        raise SearchError("document_number", "document_number or full_name and birth_date")
    return [guest_row(g, cipher) for g in session.scalars(_guests_query(officer, condition))]


def stay_in_area(session: DbSession, officer: User, stay_id: int) -> Stay:
    stay = session.scalar(
        select(Stay)
        .join(Stay.establishment)
        .options(selectinload(Stay.guests), selectinload(Stay.events))
        .where(Stay.id == stay_id, in_area(officer))
    )
    if stay is None:
        raise NotInAreaError(stay_id)
    return stay


def record_read(
    session: DbSession,
    officer: User,
    *,
    action: str,
    reason: str,
    guest_ids: Sequence[int],
    now: dt.datetime,
    address: str,
    target: tuple[str, int | str] = ("lodging_guest", ""),
    criteria: str = "",
) -> None:
    """Put an officer's read of guests on the audit log, with the reason and never a number."""
    detail: dict[str, object] = {"reason": reason[:500], "guest_ids": list(guest_ids)[:MAX_RESULTS]}
    if criteria:
        detail["criteria"] = criteria
    audit.record(
        session,
        action=action,
        now=now,
        actor_id=officer.id,
        actor_label=officer.email,
        target_type=target[0],
        target_id=target[1],
        address=address,
        detail=detail,
    )


def _officer(officer: User) -> police_answers.Officer:
    return police_answers.Officer(officer.id, officer_label(officer))


def acknowledge(
    session: DbSession, officer: User, stay: Stay, *, now: dt.datetime, address: str
) -> list[police_answers.PoliceAnswer]:
    """The officer received the declaration: on the record, and on the owner's desk."""
    answers = police_answers.acknowledge(session, stay, officer=_officer(officer), now=now)
    _record_answer(session, officer, stay, "police.receipt", answers, now=now, address=address)
    return answers


def reject(
    session: DbSession,
    officer: User,
    stay: Stay,
    reasons: dict[str, str],
    *,
    now: dt.datetime,
    address: str,
) -> list[police_answers.PoliceAnswer]:
    """The officer refused the declaration with a reason per field (AnswerError if none)."""
    unknown = [path for path in reasons if _field_name(path) not in FIELD_LABELS]
    if unknown:
        raise police_answers.AnswerError(dict.fromkeys(unknown, "not a field of a declaration"))
    answers = police_answers.reject(session, stay, reasons, officer=_officer(officer), now=now)
    _record_answer(session, officer, stay, "police.rejection", answers, now=now, address=address)
    return answers


def _field_name(path: str) -> str:
    match = _GUEST_PATH.fullmatch(path)
    return match[2] if match else path


def _record_answer(
    session: DbSession,
    officer: User,
    stay: Stay,
    action: str,
    answers: Sequence[police_answers.PoliceAnswer],
    *,
    now: dt.datetime,
    address: str,
) -> None:
    fields = sorted({path for answer in answers for path in answer.errors})
    audit.record(
        session,
        action=action,
        now=now,
        actor_id=officer.id,
        actor_label=officer.email,
        target_type="lodging_stay",
        target_id=stay.id,
        address=address,
        detail={"guest_ids": [a.guest_id for a in answers], "fields": fields},
    )


def _count(session: DbSession, officer: User, *conditions: ColumnElement[bool]) -> int:
    return int(
        session.scalar(
            select(func.count(Guest.id))
            .join(Guest.stay)
            .join(Stay.establishment)
            .where(
                in_area(officer),
                Stay.status != StayStatus.CANCELLED,
                Guest.confirmed_at.is_not(None),
                Guest.purged_at.is_(None),
                *conditions,
            )
        )
        or 0
    )


def present_count(session: DbSession, officer: User) -> int:
    return _count(session, officer, Stay.status == StayStatus.IN_HOUSE)


def arrival_count(session: DbSession, officer: User, day: dt.date) -> int:
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM)
    return _count(
        session, officer, Guest.arrival >= start, Guest.arrival < start + dt.timedelta(days=1)
    )
