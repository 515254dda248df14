from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit import AuditEntry
from core.clock import utcnow
from core.outbox.messages import OutboxMessage
from portal.destinations import catalogue, services
from portal.destinations.models import ContentStatus, ContentType, Recurrence
from portal.destinations.services import FactsInput, TextInput
from tests.destinations.content import ACTOR, make_item


def _reindex_messages(session: Session, item_id: int) -> list[OutboxMessage]:
    return [
        m
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.kind.like("search.%")))
        if m.payload["id"] == str(item_id)
    ]


def test_slug_is_made_from_the_vietnamese_title_without_marks() -> None:
    assert services.slugify("Đảo Cô Tô – Bãi Hồng Vàn") == "dao-co-to-bai-hong-van"


def test_editing_the_original_text_marks_translations_stale(db_session: Session) -> None:
    item = make_item(db_session, translations={"en": ("Ha Long Bay", "ha-long-bay")})
    assert item.translation("en").is_stale is False  # type: ignore[union-attr]

    services.edit_original(
        db_session,
        item,
        TextInput(title="Vịnh Hạ Long", slug="vinh-ha-long", summary="Di sản thế giới"),
        FactsInput(kind="bay"),
        actor=ACTOR,
        now=utcnow(),
    )
    english = item.translation("en")
    assert english is not None
    assert english.is_stale

    services.save_translation(
        db_session, item, "en", TextInput("Ha Long Bay", "ha-long-bay"), actor=ACTOR, now=utcnow()
    )
    assert not english.is_stale


def test_changing_only_facts_keeps_translations_fresh(db_session: Session) -> None:
    item = make_item(db_session, translations={"en": ("Ha Long Bay", "ha-long-bay")})
    original = item.original
    assert original is not None
    services.edit_original(
        db_session,
        item,
        TextInput(original.title, original.slug, original.summary, original.body),
        FactsInput(kind="bay", latitude=20.91, longitude=107.18),
        actor=ACTOR,
        now=utcnow(),
    )
    assert not item.translation("en").is_stale  # type: ignore[union-attr]


def test_old_slug_redirects_to_the_new_one(db_session: Session) -> None:
    item = make_item(db_session, translations={"en": ("Halong Bay", "halong-bay")})
    services.save_translation(
        db_session, item, "en", TextInput("Ha Long Bay", "ha-long-bay"), actor=ACTOR, now=utcnow()
    )

    old = catalogue.find_by_slug(db_session, ContentType.PLACE, "en", "halong-bay")
    assert old is not None
    assert old.moved
    assert old.slug == "ha-long-bay"
    assert old.item is item
    current = catalogue.find_by_slug(db_session, ContentType.PLACE, "en", "ha-long-bay")
    assert current is not None
    assert not current.moved


def test_page_without_the_language_uses_the_original_slug(db_session: Session) -> None:
    item = make_item(db_session, translations={"en": ("Ha Long Bay", "ha-long-bay")})
    fallback = catalogue.find_by_slug(db_session, ContentType.PLACE, "ko", "vinh-ha-long")
    assert fallback is not None
    assert fallback.item is item
    assert not fallback.moved
    # In English the Vietnamese address moves to the English one.
    moved = catalogue.find_by_slug(db_session, ContentType.PLACE, "en", "vinh-ha-long")
    assert moved is not None
    assert moved.moved
    assert moved.slug == "ha-long-bay"


def test_slug_taken_by_another_item_of_the_same_type_is_refused(db_session: Session) -> None:
    make_item(db_session, title="Bãi Cháy")
    with pytest.raises(services.SlugTakenError):
        make_item(db_session, title="Bãi Cháy")
    # Another type may use the same slug.
    assert make_item(db_session, ContentType.ARTICLE, title="Bãi Cháy").id


def test_draft_is_not_found_and_publishing_queues_a_reindex(db_session: Session) -> None:
    item = make_item(db_session, publish=False)
    assert catalogue.find_by_slug(db_session, ContentType.PLACE, "vi", "vinh-ha-long") is None
    before = len(_reindex_messages(db_session, item.id))

    services.publish(db_session, item, actor=ACTOR, now=utcnow())
    db_session.flush()

    messages = _reindex_messages(db_session, item.id)
    assert len(messages) == before + 1
    assert messages[-1].kind == "search.index.place"
    assert item.status is ContentStatus.PUBLISHED
    assert catalogue.find_by_slug(db_session, ContentType.PLACE, "vi", "vinh-ha-long")
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_id == str(item.id))
    ).all()
    assert "content.publish" in actions


def test_unpublish_bumps_the_version_and_hides_the_page(db_session: Session) -> None:
    item = make_item(db_session)
    version = item.version
    services.unpublish(db_session, item, actor=ACTOR, now=utcnow())
    assert item.version == version + 1
    assert catalogue.find_by_slug(db_session, ContentType.PLACE, "vi", "vinh-ha-long") is None


def test_event_needs_a_first_day_and_an_end_after_it(db_session: Session) -> None:
    with pytest.raises(services.ContentError) as caught:
        make_item(db_session, ContentType.EVENT, title="Lễ hội", starts_on=None)
    assert "starts_on" in caught.value.errors
    with pytest.raises(services.ContentError) as caught:
        make_item(
            db_session,
            ContentType.EVENT,
            title="Lễ hội",
            starts_on=dt.date(2027, 5, 2),
            ends_on=dt.date(2027, 5, 1),
        )
    assert "ends_on" in caught.value.errors


def test_weekly_market_repeats_until_its_end_and_cancelled_is_flagged(
    db_session: Session,
) -> None:
    make_item(
        db_session,
        ContentType.EVENT,
        title="Chợ phiên Bắc Hà",
        kind="market",
        starts_on=dt.date(2026, 11, 1),  # a Sunday
        recurrence=Recurrence.WEEKLY,
        recurrence_until=dt.date(2026, 11, 22),
    )
    make_item(
        db_session,
        ContentType.EVENT,
        title="Lễ hội hủy",
        starts_on=dt.date(2026, 11, 14),
        ends_on=dt.date(2026, 11, 16),
        cancelled=True,
    )
    found = catalogue.event_occurrences(db_session, dt.date(2026, 11, 10), dt.date(2026, 12, 31))

    # 1 and 8 November are before the range; 29 November is after the last Sunday.
    assert [(o.starts_on, o.cancelled) for o in found] == [
        (dt.date(2026, 11, 14), True),
        (dt.date(2026, 11, 15), False),
        (dt.date(2026, 11, 22), False),
    ]


def test_yearly_event_spanning_the_range_start_is_included(db_session: Session) -> None:
    make_item(
        db_session,
        ContentType.EVENT,
        title="Carnaval Hạ Long",
        starts_on=dt.date(2026, 4, 28),
        ends_on=dt.date(2026, 4, 30),
        recurrence=Recurrence.YEARLY,
    )
    found = catalogue.event_occurrences(db_session, dt.date(2027, 4, 30), dt.date(2028, 4, 28))
    assert [(o.starts_on, o.ends_on) for o in found] == [
        (dt.date(2027, 4, 28), dt.date(2027, 4, 30)),
        (dt.date(2028, 4, 28), dt.date(2028, 4, 30)),
    ]
