"""Builders for destination content in tests (through the services, as officers would)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from core.clock import utcnow
from portal.destinations import services
from portal.destinations.models import ContentItem, ContentType
from portal.destinations.services import Actor, FactsInput, TextInput

ACTOR = Actor(user_id=None, label="test")


def make_item(
    session: Session,
    type_: ContentType = ContentType.PLACE,
    *,
    title: str = "Vịnh Hạ Long",
    slug: str = "",
    publish: bool = True,
    translations: dict[str, tuple[str, str]] | None = None,
    now: dt.datetime | None = None,
    **facts: Any,
) -> ContentItem:
    """An item with a Vietnamese original and ``translations`` ({lang: (title, slug)})."""
    now = now or utcnow()
    if type_ is ContentType.PLACE:
        facts.setdefault("kind", "bay")
    if type_ is ContentType.EVENT:
        facts.setdefault("kind", "festival")
        facts.setdefault("starts_on", dt.date(2027, 4, 28))
    text = TextInput(title=title, slug=slug, summary=f"Tóm tắt {title}", body=f"Bài {title}")
    item = services.create_draft(session, type_, text, FactsInput(**facts), actor=ACTOR, now=now)
    for lang, (t_title, t_slug) in (translations or {}).items():
        services.save_translation(
            session, item, lang, TextInput(title=t_title, slug=t_slug), actor=ACTOR, now=now
        )
    if publish:
        services.publish(session, item, actor=ACTOR, now=now)
    session.flush()
    return item
