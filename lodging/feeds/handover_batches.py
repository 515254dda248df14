"""Making, downloading and handing over a batch (see ``lodging.feeds.handover``).

Every download puts the guests it holds on the audit log, as every look at guests'
identity data must be; the URLs name the batch, never a guest or a document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import audit
from core.crypto import PersonalDataCipher
from core.database import DbSession
from lodging.feeds import batch_templates
from lodging.feeds.handover import (
    FILE_NUMBER,
    BatchNotFoundError,
    Download,
    HandoverError,
    due_guests,
    fingerprint,
    portal_of,
)
from lodging.feeds.models import HandoverBatch, HandoverGuest
from lodging.properties.models import Establishment
from lodging.registration.models import Guest, Stay


def make_batch(
    session: DbSession,
    establishment: Establishment,
    portal: str,
    *,
    cipher: PersonalDataCipher,
    now: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    address: str,
) -> Download:
    """A new batch of the guests due at ``portal`` now, and its file in the current template."""
    if portal not in batch_templates.PORTALS:
        raise HandoverError("portal", _l("There is no such portal."))
    guests = [
        (guest, correction)
        for guest, correction in due_guests(session, establishment.id, cipher)
        if portal_of(guest) == portal
    ]
    if not guests:
        raise HandoverError("portal", _l("No guest is due at this portal."))
    template = batch_templates.current(portal)
    batch = HandoverBatch(
        establishment_id=establishment.id,
        portal=portal,
        template_version=template.version,
        created_at=now,
        created_by_id=actor_id,
        created_by_label=actor_label[:254],
        downloaded_at=now,
        downloaded_by_label=actor_label[:254],
    )
    for position, (guest, correction) in enumerate(guests):
        batch.guests.append(
            HandoverGuest(
                guest_id=guest.id,
                position=position,
                fingerprint=fingerprint(guest, cipher),
                correction=correction,
            )
        )
    session.add(batch)
    session.flush()
    chosen = [guest for guest, _correction in guests]
    return _download(session, establishment, batch, chosen, cipher, actor_id, address)


def download_batch(
    session: DbSession,
    establishment: Establishment,
    batch_id: int,
    *,
    cipher: PersonalDataCipher,
    now: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    address: str,
) -> Download:
    """The batch's file again: the same guests, in its template version, as they are now."""
    batch = _batch(session, establishment.id, batch_id)
    batch.downloaded_at = now
    batch.downloaded_by_label = actor_label[:254]
    ids = [entry.guest_id for entry in batch.guests]
    found = {
        guest.id: guest
        for guest in session.scalars(
            select(Guest)
            .where(Guest.id.in_(ids))
            .options(selectinload(Guest.stay).selectinload(Stay.room))
        )
    }
    guests = [found[guest_id] for guest_id in ids if guest_id in found]
    return _download(session, establishment, batch, guests, cipher, actor_id, address)


def _download(  # noqa: PLR0917 (a private step of the two downloads, called twice)
    session: DbSession,
    establishment: Establishment,
    batch: HandoverBatch,
    guests: Sequence[Guest],
    cipher: PersonalDataCipher,
    actor_id: int | None,
    address: str,
) -> Download:
    template = batch_templates.load(batch.portal, batch.template_version)
    content = batch_templates.render(template, batch_templates.rows_of(guests, cipher))
    audit.record(
        session,
        action="guest.export_handover",
        now=batch.downloaded_at,
        actor_id=actor_id,
        actor_label=batch.downloaded_by_label,
        target_type="lodging_establishment",
        target_id=establishment.id,
        address=address,
        detail={
            "batch_id": batch.id,
            "portal": batch.portal,
            "template_version": batch.template_version,
            "guest_ids": [guest.id for guest in guests],
        },
    )
    name = batch_templates.filename(template, establishment.id, batch.id)
    return Download(batch.id, name, content)


def clean_file_number(typed: str) -> str:
    """The portal's file number, trimmed; ``HandoverError`` if it cannot be one."""
    number = " ".join(typed.split())
    if not number:
        raise HandoverError("file_number", _l("Type the file number the portal gave you."))
    if not FILE_NUMBER.fullmatch(number):
        raise HandoverError(
            "file_number",
            _l("A file number has 1 to 64 characters: letters, digits, spaces and - / . only."),
        )
    return number


def record_file_number(
    session: DbSession,
    establishment: Establishment,
    portal: str,
    typed: str,
    *,
    now: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    batch_id: int | None = None,
) -> HandoverBatch:
    """The batch was uploaded: its guests are notified from ``now`` (if they were not yet).

    Without ``batch_id``, the newest batch of ``portal`` still waiting for its number.
    """
    number = clean_file_number(typed)
    if batch_id is not None:
        batch = _batch(session, establishment.id, batch_id)
    else:
        batch = _open_batch(session, establishment.id, portal)
    if batch.handed_over_at is not None:
        raise HandoverError(
            "file_number",
            _l(
                "This batch was handed over already, file no. %(number)s.",
                number=batch.file_number or "",
            ),
        )
    batch.file_number = number
    batch.handed_over_at = now
    batch.handed_over_by_id = actor_id
    batch.handed_over_by_label = actor_label[:254]
    for entry in batch.guests:
        if entry.guest.reported_at is None:
            entry.guest.reported_at = now
    return batch


def _open_batch(session: DbSession, establishment_id: int, portal: str) -> HandoverBatch:
    batch = session.scalar(
        select(HandoverBatch)
        .where(
            HandoverBatch.establishment_id == establishment_id,
            HandoverBatch.portal == portal,
            HandoverBatch.handed_over_at.is_(None),
        )
        .order_by(HandoverBatch.created_at.desc(), HandoverBatch.id.desc())
        .limit(1)
    )
    if batch is None:
        raise HandoverError("file_number", _l("Download the batch first, then upload it."))
    return batch


def _batch(session: DbSession, establishment_id: int, batch_id: int) -> HandoverBatch:
    batch = session.get(HandoverBatch, batch_id)
    if batch is None or batch.establishment_id != establishment_id:
        raise BatchNotFoundError(batch_id)
    return batch
