"""Writing destination content: drafts, the original, translations, publishing.

Every change bumps the item's ``version`` and queues a search reindex in the caller's
transaction (the index follows the commit, never a rollback); every officer action is
audit-logged in the same transaction. Reading (slugs, lists, events) is in ``catalogue``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from core import audit
from core.database import DbSession
from portal.destinations.models import (
    ContentItem,
    ContentStatus,
    ContentTranslation,
    ContentType,
    EventCategory,
    ItineraryDay,
    ItineraryStop,
    PlaceKind,
    Recurrence,
    SlugRedirect,
)
from search.documents import DocumentType
from search.folding import fold
from search.indexing import enqueue_reindex

LANGUAGES = ("vi", "en", "zh", "ko", "ja", "fr", "ru")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS: dict[ContentType, frozenset[str]] = {
    ContentType.PLACE: frozenset(PlaceKind),
    ContentType.EVENT: frozenset(EventCategory),
    ContentType.ITINERARY: frozenset({""}),
    ContentType.ARTICLE: frozenset({""}),
}


class ContentError(ValueError):
    """Input that cannot become content: messages by form field."""

    def __init__(self, errors: dict[str, LazyString]) -> None:
        super().__init__(errors)
        self.errors = errors


class SlugTakenError(ContentError):
    """Another item of the same type already uses this slug in this language."""


@dataclass(frozen=True)
class Actor:
    """Who acts, for the audit log."""

    user_id: int | None
    label: str
    address: str = ""


@dataclass(frozen=True)
class TextInput:
    title: str
    slug: str = ""  # empty: made from the title
    summary: str = ""
    body: str = ""


@dataclass(frozen=True)
class FactsInput:
    """What does not depend on the language. Fields a type does not use stay empty."""

    kind: str = ""
    province: str = ""
    commune: str = ""
    commune_code: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: list[dict[str, Any]] = field(default_factory=list)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    accessibility: dict[str, Any] = field(default_factory=dict)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    start_time: dt.time | None = None
    end_time: dt.time | None = None
    recurrence: Recurrence = Recurrence.NONE
    recurrence_until: dt.date | None = None
    cancelled: bool = False
    place_id: int | None = None
    published_on: dt.date | None = None


@dataclass(frozen=True)
class DayInput:
    place_ids: list[int]
    titles: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)


def slugify(text: str) -> str:
    """ASCII words joined by "-": "Vịnh Hạ Long" -> "vinh-ha-long"."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text)))


def _check_facts(type_: ContentType, facts: FactsInput) -> dict[str, LazyString]:
    errors: dict[str, LazyString] = {}
    if facts.kind not in KINDS[type_]:
        errors["kind"] = _l("Choose a kind from the list.")
    if (facts.latitude is None) != (facts.longitude is None):
        errors["latitude"] = _l("Give both latitude and longitude, or neither.")
    elif (
        facts.latitude is not None
        and facts.longitude is not None
        and not (-90 <= facts.latitude <= 90 and -180 <= facts.longitude <= 180)
    ):
        errors["latitude"] = _l("These coordinates are not on Earth.")
    if type_ is ContentType.EVENT:
        if facts.starts_on is None:
            errors["starts_on"] = _l("An event needs its first day.")
        elif facts.ends_on is not None and facts.ends_on < facts.starts_on:
            errors["ends_on"] = _l("The last day cannot come before the first.")
        elif facts.recurrence_until is not None and facts.recurrence_until < facts.starts_on:
            errors["recurrence_until"] = _l("The repetition cannot end before the first day.")
    if any(int(t.get("amount", 0)) < 0 for t in facts.tickets):
        errors["tickets"] = _l("A price cannot be negative.")
    return errors


def _check_text(text: TextInput) -> tuple[TextInput, dict[str, LazyString]]:
    title = text.title.strip()
    slug = (text.slug.strip() or slugify(title)).lower()
    errors: dict[str, LazyString] = {}
    if not title:
        errors["title"] = _l("A title is required.")
    if not SLUG_PATTERN.match(slug):
        errors["slug"] = _l("Use lower-case letters a-z, digits and single hyphens.")
    clean = TextInput(title=title, slug=slug, summary=text.summary.strip(), body=text.body.strip())
    return clean, errors


def _apply_facts(item: ContentItem, facts: FactsInput) -> None:
    for name in FactsInput.__dataclass_fields__:
        value = getattr(facts, name)
        setattr(item, name, list(value) if isinstance(value, list) else value)
    if item.type is ContentType.EVENT and item.ends_on is None:
        item.ends_on = item.starts_on


def _changed(session: DbSession, item: ContentItem, now: dt.datetime) -> None:
    """Bump the search version and have the index follow after the commit."""
    item.version += 1
    item.updated_at = now
    enqueue_reindex(session, DocumentType(item.type.value), str(item.id), now=now)


def _audit(
    session: DbSession,
    action: str,
    item: ContentItem,
    actor: Actor,
    now: dt.datetime,
    **detail: Any,
) -> None:
    audit.record(
        session,
        action=f"content.{action}",
        now=now,
        actor_id=actor.user_id,
        actor_label=actor.label,
        target_type=f"content_{item.type.value}",
        target_id=item.id,
        address=actor.address,
        detail=detail,
    )


def record_change(
    session: DbSession,
    item: ContentItem,
    action: str,
    actor: Actor,
    now: dt.datetime,
    **detail: Any,
) -> None:
    """A change made elsewhere (images): new version, reindex, audit entry."""
    _changed(session, item, now)
    _audit(session, action, item, actor, now, **detail)


def _claim_slug(session: DbSession, item: ContentItem, lang: str, slug: str) -> None:
    """Refuse a slug another item uses; a slug that only redirects is taken over."""
    other = session.scalar(
        select(ContentTranslation.item_id).where(
            ContentTranslation.item_type == item.type,
            ContentTranslation.lang == lang,
            ContentTranslation.slug == slug,
            ContentTranslation.item_id != item.id,
        )
    )
    if other is not None:
        raise SlugTakenError({"slug": _l("Another page of this kind already uses this address.")})
    session.execute(
        delete(SlugRedirect).where(
            SlugRedirect.item_type == item.type,
            SlugRedirect.lang == lang,
            SlugRedirect.old_slug == slug,
        )
    )


def _write_text(
    session: DbSession, item: ContentItem, lang: str, text: TextInput, now: dt.datetime
) -> ContentTranslation:
    """Create or update one language's text, keeping the old slug as a redirect."""
    _claim_slug(session, item, lang, text.slug)
    translation = item.translation(lang)
    if translation is None:
        translation = ContentTranslation(item_type=item.type, lang=lang, slug=text.slug)
        item.translations.append(translation)
    elif translation.slug != text.slug:
        session.add(
            SlugRedirect(
                item_type=item.type,
                lang=lang,
                old_slug=translation.slug,
                item_id=item.id,
                created_at=now,
            )
        )
        translation.slug = text.slug
    translation.title = text.title
    translation.summary = text.summary
    translation.body = text.body
    translation.updated_at = now
    return translation


def create_draft(
    session: DbSession,
    type_: ContentType,
    text: TextInput,
    facts: FactsInput,
    *,
    actor: Actor,
    now: dt.datetime,
    original_lang: str = "vi",
    demo_key: str | None = None,
) -> ContentItem:
    """A new unpublished item with its original text."""
    text, errors = _check_text(text)
    errors |= _check_facts(type_, facts)
    if errors:
        raise ContentError(errors)
    item = ContentItem(
        type=type_,
        status=ContentStatus.DRAFT,
        original_lang=original_lang,
        demo_key=demo_key,
        version=0,
        text_version=1,
        created_at=now,
        updated_at=now,
    )
    _apply_facts(item, facts)
    session.add(item)
    session.flush()
    _write_text(session, item, original_lang, text, now).source_version = 1
    _changed(session, item, now)
    _audit(session, "create", item, actor, now)
    return item


def edit_original(
    session: DbSession,
    item: ContentItem,
    text: TextInput,
    facts: FactsInput,
    *,
    actor: Actor,
    now: dt.datetime,
) -> ContentItem:
    """Change the original text and the facts; a changed text makes translations stale."""
    text, errors = _check_text(text)
    errors |= _check_facts(item.type, facts)
    if errors:
        raise ContentError(errors)
    before = item.original
    text_changed = before is None or (before.title, before.summary, before.body) != (
        text.title,
        text.summary,
        text.body,
    )
    _apply_facts(item, facts)
    if text_changed:
        item.text_version += 1
    _write_text(session, item, item.original_lang, text, now).source_version = item.text_version
    _changed(session, item, now)
    _audit(session, "edit", item, actor, now, text_changed=text_changed)
    return item


def save_translation(
    session: DbSession,
    item: ContentItem,
    lang: str,
    text: TextInput,
    *,
    actor: Actor,
    now: dt.datetime,
) -> ContentTranslation:
    """Write ``lang``'s text, as translated from the original's current text."""
    if lang not in LANGUAGES or lang == item.original_lang:
        raise ContentError({"lang": _l("Choose a language other than the original's.")})
    text, errors = _check_text(text)
    if errors:
        raise ContentError(errors)
    translation = _write_text(session, item, lang, text, now)
    translation.source_version = item.text_version
    _changed(session, item, now)
    _audit(session, "translate", item, actor, now, lang=lang)
    return translation


def delete_translation(
    session: DbSession, item: ContentItem, lang: str, *, actor: Actor, now: dt.datetime
) -> None:
    """Remove one language (never the original's): its page stops existing."""
    translation = item.translation(lang)
    if translation is None or translation.is_original:
        raise ContentError({"lang": _l("This language cannot be removed.")})
    item.translations.remove(translation)
    _changed(session, item, now)
    _audit(session, "delete_translation", item, actor, now, lang=lang)


def publish(session: DbSession, item: ContentItem, *, actor: Actor, now: dt.datetime) -> None:
    if item.is_published:
        return
    item.status = ContentStatus.PUBLISHED
    item.first_published_at = item.first_published_at or now
    _changed(session, item, now)
    _audit(session, "publish", item, actor, now)


def unpublish(session: DbSession, item: ContentItem, *, actor: Actor, now: dt.datetime) -> None:
    if not item.is_published:
        return
    item.status = ContentStatus.DRAFT
    _changed(session, item, now)
    _audit(session, "unpublish", item, actor, now)


def set_itinerary_days(
    session: DbSession,
    item: ContentItem,
    days: list[DayInput],
    *,
    actor: Actor,
    now: dt.datetime,
) -> None:
    """Replace an itinerary's days; every stop must be a place."""
    if item.type is not ContentType.ITINERARY:
        raise ContentError({"days": _l("Only itineraries have days.")})
    wanted = {pid for day in days for pid in day.place_ids}
    found = set(
        session.scalars(
            select(ContentItem.id).where(
                ContentItem.id.in_(wanted), ContentItem.type == ContentType.PLACE
            )
        )
    )
    if found != wanted:
        raise ContentError({"days": _l("Every stop must be a place.")})
    item.days.clear()
    session.flush()
    for position, day in enumerate(days, start=1):
        item.days.append(
            ItineraryDay(
                position=position,
                titles=dict(day.titles),
                bodies=dict(day.bodies),
                stops=[
                    ItineraryStop(position=n, place_id=pid)
                    for n, pid in enumerate(day.place_ids, start=1)
                ],
            )
        )
    _changed(session, item, now)
    _audit(session, "edit_days", item, actor, now, days=len(days))
