"""A declaration at the desk reaches the police through the app's own feeds wiring.

The app as ``create_app`` builds it (handlers registered, no receiver configured and no
police unit address: the embedded file drop), one worker step at a time: the guests'
report status follows. The file drop is an archive copy no police body reads, so the
guests show ``filed`` and are not notified (``reported_at`` stays empty).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from core.settings import Settings
from lodging.registration.models import GuestRole
from tests.factories import (
    citizen,
    declare,
    deliver_due,
    foreigner,
    make_establishment,
    stay_input,
)


def deliver_everything_due(app: Flask, session: Session) -> None:
    assert deliver_due(app, session)


def test_declared_family_is_filed_on_both_channels_but_not_notified(
    app: Flask, db_session: Session, settings: Settings
) -> None:
    hotel = make_establishment(db_session)
    family = stay_input(
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="husband"),
    )
    stay = declare(db_session, hotel, family)
    assert [guest.report_status for guest in stay.guests] == ["queued", "queued"]

    deliver_everything_due(app, db_session)

    db_session.expire_all()
    assert [guest.report_status for guest in stay.guests] == ["filed", "filed"]
    assert all(guest.reported_at is None for guest in stay.guests)
    drop = Path(settings.feed_drop_dir)
    citizens = [json.loads(p.read_text()) for p in drop.glob("vn-luutru/*/*.json")]
    foreigners = [json.loads(p.read_text()) for p in drop.glob("vn-tamtru/*/*.json")]
    assert "Nguyễn Thị Ánh" in json.dumps(citizens, ensure_ascii=False)
    assert "M12345678" in json.dumps(foreigners)
    assert "M12345678" not in json.dumps(citizens)
