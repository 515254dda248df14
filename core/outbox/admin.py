"""The admins' page on the outbox: ``flask outbox status`` and ``replay`` in a browser.

What it shows is for operators, who are not entitled to the guests' data: a message's
payload is shown by its ids only, and a receiver's field errors with the values they
quote blanked out (a JSON Schema message repeats the value it refused: a name, a
document number).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import ColumnElement, func, select

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import utcnow
from core.database import DbSession
from core.extensions import db
from core.outbox.messages import (
    REPLAYABLE,
    ChannelStatus,
    OutboxAttempt,
    OutboxMessage,
    OutboxState,
    ReplayError,
    delivery_status,
    handlers_of,
    replay,
    replay_all,
)

bp = Blueprint(
    "outbox_admin", __name__, url_prefix="/<locale:lang>/admin/feeds", template_folder="templates"
)

PAGE_SIZE = 50
STATE_LABELS = {
    OutboxState.QUEUED: _l("Queued"),
    OutboxState.SENDING: _l("Sending"),
    OutboxState.DELIVERED: _l("Delivered"),
    OutboxState.REJECTED: _l("Rejected"),
    OutboxState.UNVERIFIED: _l("Unverified"),
    OutboxState.DEAD: _l("Dead"),
}
# What came of an attempt (an Outcome's kind, or "abandoned" by a worker that stopped).
OUTCOME_LABELS = {
    "delivered": _l("Delivered"),
    "rejected": _l("Rejected"),
    "retry": _l("Failed, to be retried"),
    "unverified": _l("No answer: outcome unknown"),
    "abandoned": _l("Abandoned: the worker stopped"),
}
# The registry's ``channel_of``: which channel takes a kind (None: no handler takes it).
ChannelOf = Callable[[str], str | None]
# Quoted values ('Nguyễn Thị Ánh', "M12345678") and long digit runs (a CCCD number).
_QUOTED_OR_NUMBER = re.compile(r"'[^']*'|\"[^\"]*\"|\d{6,}")


# --- Queries --------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageRow:
    """A message needing attention, as the list shows it."""

    message: OutboxMessage
    channel: str
    ids: list[tuple[str, str]]
    errors: list[tuple[str, str]]
    last_attempt_at: dt.datetime | None


@dataclass(frozen=True)
class AttentionPage:
    rows: list[MessageRow]
    total: int
    page: int
    pages: int


def attention_page(
    session: DbSession, states: Sequence[OutboxState], channel_of: ChannelOf, page: int = 1
) -> AttentionPage:
    """Messages in ``states``, the most recently active first, ``PAGE_SIZE`` a page."""
    last_attempt = (
        select(OutboxAttempt.message_id, func.max(OutboxAttempt.at).label("at"))
        .group_by(OutboxAttempt.message_id)
        .subquery()
    )
    condition: ColumnElement[bool] = OutboxMessage.state.in_(states)
    total = session.scalar(select(func.count()).where(condition)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    found = session.execute(
        select(OutboxMessage, last_attempt.c.at)
        .outerjoin(last_attempt, last_attempt.c.message_id == OutboxMessage.id)
        .where(condition)
        .order_by(
            func.coalesce(last_attempt.c.at, OutboxMessage.created_at).desc(),
            OutboxMessage.id.desc(),
        )
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    rows = [message_row(message, channel_of, at) for message, at in found]
    return AttentionPage(rows, total, page, pages)


def message_row(
    message: OutboxMessage, channel_of: ChannelOf, last_attempt_at: dt.datetime | None
) -> MessageRow:
    return MessageRow(
        message=message,
        channel=message.channel or channel_of(message.kind) or "",
        ids=payload_ids(message.payload),
        errors=[(path, without_values(text)) for path, text in sorted(message.errors.items())],
        last_attempt_at=last_attempt_at,
    )


def attempts_of(session: DbSession, message_id: int) -> list[OutboxAttempt]:
    """Every delivery attempt of a message, in the order they were made."""
    return list(
        session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_id == message_id)
            .order_by(OutboxAttempt.at, OutboxAttempt.id)
        )
    )


def payload_ids(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The payload's ids (``stay_id``, ``guest_ids``…) and nothing else."""
    ids = []
    for name, value in sorted(payload.items()):
        if name.endswith("_id") and _is_id(value):
            ids.append((name, str(value)))
        elif name.endswith("_ids") and isinstance(value, list) and all(map(_is_id, value)):
            ids.append((name, ", ".join(map(str, value))))
    return ids


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def without_values(text: str) -> str:
    """A receiver's message with the values it quotes blanked: the rule, not the data."""
    return _QUOTED_OR_NUMBER.sub("…", text)


def oldest_waiting(channels: Iterable[ChannelStatus]) -> dt.datetime | None:
    return min((c.oldest_waiting_since for c in channels if c.oldest_waiting_since), default=None)


# --- Pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StateFilter:
    """One of the list's filters: a state (None: all needing attention) and its count."""

    state: str | None
    label: str
    count: int
    current: bool


@bp.route("/")
@roles_required(Role.ADMIN)
def show_status() -> ResponseReturnValue:
    registry = handlers_of(current_app)
    channels = delivery_status(db.session, registry.channel_of)
    asked = _state_asked()
    found = attention_page(
        db.session,
        (asked,) if asked else REPLAYABLE,
        registry.channel_of,
        request.args.get("page", 1, type=int),
    )
    totals = {state: sum(c.counts.get(state, 0) for c in channels) for state in OutboxState}
    return render_template(
        "outbox_admin/status.html",
        channels=channels,
        states=list(OutboxState),
        oldest=oldest_waiting(channels),
        now=utcnow(),
        found=found,
        asked=asked.value if asked else None,
        filters=_filters(asked, totals),
        dead_count=totals[OutboxState.DEAD],
        state_label=STATE_LABELS.get,
    )


def _state_asked() -> OutboxState | None:
    asked = request.args.get("state", "")
    return next((state for state in REPLAYABLE if state.value == asked), None)


def _filters(asked: OutboxState | None, totals: dict[OutboxState, int]) -> list[StateFilter]:
    everything = StateFilter(None, _("All"), sum(totals[s] for s in REPLAYABLE), asked is None)
    return [everything] + [
        StateFilter(state.value, str(STATE_LABELS[state]), totals[state], state is asked)
        for state in REPLAYABLE
    ]


@bp.route("/<int:message_id>")
@roles_required(Role.ADMIN)
def show_message(message_id: int) -> ResponseReturnValue:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    attempts = attempts_of(db.session, message.id)
    row = message_row(
        message, handlers_of(current_app).channel_of, attempts[-1].at if attempts else None
    )
    return render_template(
        "outbox_admin/message.html",
        row=row,
        attempts=attempts,
        replayable=message.state in REPLAYABLE,
        state_label=STATE_LABELS.get,
        outcome_label=_outcome_label,
    )


@bp.route("/<int:message_id>/replay", methods=["POST"])
@roles_required(Role.ADMIN)
def replay_message(message_id: int) -> ResponseReturnValue:
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    admin = signed_in_user()
    try:
        replay(
            db.session,
            message,
            now=utcnow(),
            actor_label=admin.email,
            actor_id=admin.id,
            on_state=handlers_of(current_app).notify,
        )
    except ReplayError:
        flash(_not_replayable(message), "error")
    else:
        db.session.commit()
        flash(_("Message %(id)s is queued again with the same key.", id=message.id), "success")
    return redirect(url_for("outbox_admin.show_message", message_id=message_id))


def _outcome_label(outcome: str) -> str:
    return str(OUTCOME_LABELS.get(outcome, outcome))


def _not_replayable(message: OutboxMessage) -> str:
    reason = _(
        "Message %(id)s was not sent again: its state is “%(state)s”. Only dead,"
        " unverified or rejected messages can be sent again.",
        id=message.id,
        state=STATE_LABELS[message.state],
    )
    return str(reason)


@bp.route("/replay-dead", methods=["POST"])
@roles_required(Role.ADMIN)
def replay_dead() -> ResponseReturnValue:
    admin = signed_in_user()
    count = replay_all(
        db.session,
        OutboxState.DEAD,
        now=utcnow(),
        actor_label=admin.email,
        on_state=handlers_of(current_app).notify,
    )
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d dead message is queued again.",
                "%(num)d dead messages are queued again.",
                count,
            ),
            "success",
        )
    else:
        flash(_("There was no dead message to send again."), "info")
    return redirect(url_for("outbox_admin.show_status"))
