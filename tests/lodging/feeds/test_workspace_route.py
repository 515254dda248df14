"""A province whose police work in this portal gets its reports in the workspace at once.

``POLICE_WORKSPACE_PROVINCES`` names them: their establishments' reports are delivered
to the police workspace when the worker takes them (the guests are notified then, not
when an officer gets round to acknowledging), while other provinces' reports still go
over HTTPS, by e-mail or into the file drop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.outbox.messages import OutboxMessage, OutboxState
from core.settings import Settings, SettingsError
from lodging.feeds.handlers import follow_delivery, make_handler
from lodging.feeds.transports import FileDropTransport
from lodging.registration.models import Stay
from lodging.registration.reports import FeedChannel, report_key
from tests.factories import TEST_CIPHER, declare, make_establishment

LAO_CAI = 10


def report(session: Session, stay: Stay) -> OutboxMessage:
    key = report_key(stay.events[0].id, FeedChannel.CITIZENS)
    return session.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()


def deliver(session: Session, stay: Stay, drop: Path, provinces: set[int]) -> OutboxMessage:
    """One delivery of the stay's citizens' report, as the worker makes it."""
    handler = make_handler(
        FileDropTransport(drop, b"secret"),
        TEST_CIPHER,
        FeedChannel.CITIZENS,
        https=True,  # a receiver is configured (here, the file drop stands in for it)
        workspace_provinces=provinces,
    )
    message = report(session, stay)
    now = utcnow()
    outcome = handler(session, message, now)
    if outcome.kind == "delivered":
        message.receipt_id = outcome.receipt_id
        follow_delivery(session, message, OutboxState.DELIVERED, now)
    return message


def test_a_workspace_provinces_report_is_delivered_there_and_notifies_at_once(
    db_session: Session, tmp_path: Path
) -> None:
    hotel = make_establishment(db_session)
    stay = declare(db_session, hotel)

    message = deliver(db_session, stay, tmp_path, {hotel.police_province_code})

    assert message.receipt_id == f"workspace:{message.key}"
    assert list(tmp_path.iterdir()) == []  # the workspace comes before the receiver
    guest = stay.guests[0]
    assert guest.report_status == "delivered"
    assert guest.reported_at is not None


def test_another_provinces_report_does_not_go_to_the_workspace(
    db_session: Session, tmp_path: Path
) -> None:
    hotel = make_establishment(db_session)
    stay = declare(db_session, hotel)

    message = deliver(db_session, stay, tmp_path, {LAO_CAI})

    assert message.receipt_id.startswith("file-drop:")  # the receiver's route, as before
    assert stay.guests[0].reported_at is None


def test_the_setting_lists_province_codes() -> None:
    environ = {"POLICE_WORKSPACE_PROVINCES": "22, 10"}
    assert Settings.from_env(environ).workspace_province_codes == {22, 10}
    assert Settings.from_env({}).workspace_province_codes == frozenset()
    with pytest.raises(SettingsError, match="POLICE_WORKSPACE_PROVINCES"):
        Settings.from_env({"POLICE_WORKSPACE_PROVINCES": "Quảng Ninh"})
