"""The police's own answer to a declaration: received, or refused on named fields.

A province that runs the police workspace (``portal.police``) needs no other receiver:
an officer acknowledges a stay's declaration (each guest then shows "received by the
police", with who and when, and counts as notified from then on if nothing had
delivered it before) or refuses it with one reason per field, on the same paths a
receiver's refusal uses (``room``, ``guests[0].document_number``…). A refused guest's
``report_status`` becomes ``rejected``, so the desk lists it among what to fix and
shows each reason on its field; the owner's correction is the ordinary amendment, which
queues a new report and supersedes the refusal.

Plain arguments in, model objects out; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, DbSession, enum_type
from core.outbox.messages import OutboxState
from lodging.registration.models import Guest, Stay

_GUEST_PATH = re.compile(r"guests\[(\d+)\]\.(.+)")
MAX_REASON_LENGTH = 500


class AnswerKind(StrEnum):
    RECEIPT = "receipt"
    REJECTION = "rejection"


class PoliceAnswer(Base):
    """One officer's answer about one guest of a declaration (append-only)."""

    __tablename__ = "lodging_police_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("lodging_stay.id"), index=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("lodging_guest.id"), index=True)
    kind: Mapped[AnswerKind] = mapped_column(enum_type(AnswerKind))
    at: Mapped[dt.datetime]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"))
    officer_label: Mapped[str] = mapped_column(String(254), default="")
    # Field path -> the officer's reason, for a rejection.
    errors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


@dataclass(frozen=True)
class Officer:
    user_id: int | None
    label: str  # the name shown to the owner: "Phạm Quốc Bảo (Công an phường Bãi Cháy)"


class AnswerError(ValueError):
    """A rejection that cannot be recorded: ``errors`` says why, per field path."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {text}" for path, text in errors.items()))
        self.errors = dict(errors)


def _answerable(stay: Stay) -> list[Guest]:
    return [g for g in stay.guests if g.confirmed_at is not None and g.purged_at is None]


def acknowledge(
    session: DbSession, stay: Stay, *, officer: Officer, now: dt.datetime
) -> list[PoliceAnswer]:
    """Record that the police received the stay's declaration, guest by guest."""
    answers = []
    for guest in _answerable(stay):
        if guest.reported_at is None:
            guest.reported_at = now  # notified now; an earlier delivery keeps its time
        guest.report_status = OutboxState.DELIVERED.value
        answers.append(_answer(stay, guest, AnswerKind.RECEIPT, officer, now, {}))
    session.add_all(answers)
    session.flush()
    return answers


def reject(
    session: DbSession,
    stay: Stay,
    errors: Mapping[str, str],
    *,
    officer: Officer,
    now: dt.datetime,
) -> list[PoliceAnswer]:
    """Refuse the declaration with a reason per field; the guests concerned must correct it.

    A stay's own field (``room``, ``arrival``…) concerns every guest; a guest's field
    (``guests[1].birth_date``) concerns that guest only.
    """
    reasons = {path: " ".join(text.split())[:MAX_REASON_LENGTH] for path, text in errors.items()}
    reasons = {path: text for path, text in reasons.items() if text}
    if not reasons:
        raise AnswerError({"errors": "at least one field and its reason"})
    guests = _answerable(stay)
    positions = {guest.position for guest in guests}
    unknown = [path for path in reasons if _position(path) not in {None, *positions}]
    if unknown:
        raise AnswerError(dict.fromkeys(unknown, "no such guest in this declaration"))
    answers = []
    for guest in guests:
        mine = {p: t for p, t in reasons.items() if _position(p) in {None, guest.position}}
        if mine:
            guest.report_status = OutboxState.REJECTED.value
            answers.append(_answer(stay, guest, AnswerKind.REJECTION, officer, now, mine))
    session.add_all(answers)
    session.flush()
    return answers


def _position(path: str) -> int | None:
    match = _GUEST_PATH.fullmatch(path)
    return int(match[1]) if match else None


def _answer(  # noqa: PLR0917 - one answer's facts, private
    stay: Stay,
    guest: Guest,
    kind: AnswerKind,
    officer: Officer,
    now: dt.datetime,
    errors: dict[str, str],
) -> PoliceAnswer:
    return PoliceAnswer(
        stay_id=stay.id,
        guest_id=guest.id,
        kind=kind,
        at=now,
        officer_id=officer.user_id,
        officer_label=officer.label[:254],
        errors=errors,
    )


def latest_answers(session: DbSession, guests: Sequence[Guest]) -> dict[int, PoliceAnswer]:
    """Each guest's latest police answer, for the guests that have one."""
    ids = [guest.id for guest in guests]
    if not ids:
        return {}
    rows = session.scalars(
        select(PoliceAnswer).where(PoliceAnswer.guest_id.in_(ids)).order_by(PoliceAnswer.id)
    )
    return {answer.guest_id: answer for answer in rows}


def stay_answers(session: DbSession, stay_id: int) -> list[PoliceAnswer]:
    """Every answer about a stay, oldest first (the declaration's police history)."""
    return list(
        session.scalars(
            select(PoliceAnswer).where(PoliceAnswer.stay_id == stay_id).order_by(PoliceAnswer.id)
        )
    )


def open_rejection(guest: Guest, answer: PoliceAnswer | None) -> dict[str, Any]:
    """The police's reasons still to fix for this guest: none once a correction was queued."""
    if answer is None or answer.kind is not AnswerKind.REJECTION:
        return {}
    if guest.report_status != OutboxState.REJECTED.value:
        return {}
    return dict(answer.errors)
