"""What became of each guest's police report, for the desk and its deadline alerts.

The services queue one outbox message per reportable change of a stay (key
``lodging-stay-event-<event id>``, the guests it concerns in ``guest_ids``); the
feeds' worker moves it through its states and copies each state onto the guests'
``report_status``. What the state alone does not say, the guest's latest message
does: the receiver's field errors when it refused the report, the last error when
it could not be sent. The police's own answer in their workspace
(``police_answers``) counts when it is newer than the latest message: a receipt, or a
refusal with its reasons on the same field paths.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.database import DbSession
from core.outbox.messages import OutboxMessage, OutboxState
from lodging.registration.deadlines import LAST_ALERT_LEAD
from lodging.registration.models import Guest, StayEvent
from lodging.registration.police_answers import AnswerKind, PoliceAnswer, latest_answers
from lodging.registration.reports import report_keys

# Thirty minutes before the deadline, a report not delivered turns into an alert.
ALERT_WINDOW = LAST_ALERT_LEAD
_GUEST_PATH = re.compile(r"guests\[(\d+)\]\.(.+)")
# The declaration's fields a receiver's error can name (lodging.feeds.handlers).
FIELD_LABELS = {
    "room": _l("Room"),
    "purpose": _l("Purpose of the stay"),
    "full_name": _l("Full name"),
    "sex": _l("Sex"),
    "birth_date": _l("Date of birth"),
    "nationality": _l("Nationality"),
    "arrival": _l("Arrival"),
    "document_type": _l("Document"),
    "document_number": _l("Document number"),
    "document_expiry": _l("Document valid until"),
    "foreigner.passport_type": _l("Passport type"),
    "foreigner.visa_type": _l("Visa or exemption"),
    "foreigner.visa_number": _l("Visa number"),
    "foreigner.visa_valid_until": _l("Visa valid until"),
    "foreigner.visa_issued_on": _l("Visa issued on"),
    "foreigner.visa_issuer": _l("Visa issued by"),
    "foreigner.entry_date": _l("Date of entry into Vietnam"),
    "foreigner.entry_port": _l("Border gate of entry"),
    "foreigner.entry_purpose": _l("Purpose of entry"),
}


@dataclass(frozen=True)
class FieldError:
    """One field the receiver refused: its label (or its path) and the receiver's words."""

    field: Any  # a lazy label, or the receiver's own path when the declaration has none
    message: str


@dataclass(frozen=True)
class Delivery:
    """A guest's report: its state, and what the receiver or the channel last said."""

    state: str | None  # an OutboxState value; None before the report is queued
    errors: tuple[FieldError, ...] = ()  # when refused
    last_error: str = ""  # when it could not be sent, or the answer was lost
    by_police: bool = False  # the police answered in their workspace (receipt or refusal)
    answered_by: str = ""  # the officer who answered
    answered_at: dt.datetime | None = None


def deliveries(session: DbSession, guests: Sequence[Guest]) -> dict[int, Delivery]:
    """Each guest's report state with the details of the latest message that carries it."""
    stay_ids = {guest.stay_id for guest in guests}
    latest: dict[int, OutboxMessage] = {}
    if stay_ids:
        event_ids = session.scalars(select(StayEvent.id).where(StayEvent.stay_id.in_(stay_ids)))
        keys = report_keys(event_ids)
        messages = session.scalars(
            select(OutboxMessage).where(OutboxMessage.key.in_(keys)).order_by(OutboxMessage.id)
        )
        for message in messages:
            for guest_id in message.payload.get("guest_ids", ()):
                latest[guest_id] = message
    answers = latest_answers(session, guests)
    return {
        guest.id: _answered(guest, answers.get(guest.id), latest.get(guest.id))
        or _delivery(guest, latest.get(guest.id))
        for guest in guests
    }


def _answered(
    guest: Guest, answer: PoliceAnswer | None, message: OutboxMessage | None
) -> Delivery | None:
    """The police's answer, unless a later report (a correction) superseded it."""
    if answer is None or (message is not None and message.created_at > answer.at):
        return None
    errors: tuple[FieldError, ...] = ()
    if answer.kind is AnswerKind.REJECTION:
        if guest.report_status != OutboxState.REJECTED.value:
            return None
        errors = tuple(
            FieldError(label, text)
            for path, text in sorted(answer.errors.items())
            if (label := _label(path, guest.position)) is not None
        )
    return Delivery(guest.report_status, errors, "", True, answer.officer_label, answer.at)


def _delivery(guest: Guest, message: OutboxMessage | None) -> Delivery:
    if message is None:
        return Delivery(guest.report_status)
    errors: tuple[FieldError, ...] = ()
    if message.state is OutboxState.REJECTED:
        errors = tuple(
            FieldError(label, text)
            for path, text in sorted(message.errors.items())
            if (label := _label(path, guest.position)) is not None
        )
    shown = (OutboxState.DEAD, OutboxState.UNVERIFIED, OutboxState.QUEUED)
    last_error = message.last_error if message.state in shown else ""
    return Delivery(guest.report_status, errors, last_error)


def _label(path: str, position: int) -> Any:
    """The label of an error's field if it is about this guest or the whole stay."""
    match = _GUEST_PATH.fullmatch(path)
    if match is None:
        return FIELD_LABELS.get(path, path)
    if int(match[1]) != position:
        return None  # another guest's field
    return FIELD_LABELS.get(match[2], match[2])
