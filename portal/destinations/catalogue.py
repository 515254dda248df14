"""Reading destination content: by slug (with redirects), lists, event occurrences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.database import DbSession
from portal.destinations.models import (
    ContentItem,
    ContentStatus,
    ContentTranslation,
    ContentType,
    SlugRedirect,
)
from portal.destinations.recurrence import occurrences


@dataclass(frozen=True)
class SlugMatch:
    """The item a URL names.

    ``moved``: the URL's slug is not the current one for ``lang``, so the page answers
    301 to ``slug``. ``slug`` is in ``lang`` when the item has that language, else the
    original's (a fallback page).
    """

    item: ContentItem
    slug: str
    moved: bool


@dataclass(frozen=True)
class Occurrence:
    item: ContentItem
    starts_on: dt.date
    ends_on: dt.date

    @property
    def cancelled(self) -> bool:
        return self.item.cancelled


def get_item(session: DbSession, item_id: int) -> ContentItem | None:
    return session.get(ContentItem, item_id)


def page_slug(item: ContentItem, lang: str) -> str:
    """The slug of the item's page in ``lang`` (the original's when it lacks ``lang``)."""
    text = item.text_for(lang)
    return text.slug if text is not None else ""


def _by_slug(
    session: DbSession, type_: ContentType, lang: str, slug: str
) -> ContentTranslation | None:
    return session.scalar(
        select(ContentTranslation).where(
            ContentTranslation.item_type == type_,
            ContentTranslation.lang == lang,
            ContentTranslation.slug == slug,
        )
    )


def find_by_slug(
    session: DbSession, type_: ContentType, lang: str, slug: str, *, published_only: bool = True
) -> SlugMatch | None:
    """The item behind ``/<lang>/<type>/<slug>``, or None (not found, or a draft).

    Tried in order: the slug in ``lang``; an old slug in ``lang`` (moved); the
    original's slug, which is the page's own address when the item lacks ``lang``
    (a fallback page) and moved otherwise.
    """
    item: ContentItem | None = None
    translation = _by_slug(session, type_, lang, slug)
    if translation is not None:
        item = translation.item
    else:
        redirect = session.scalar(
            select(SlugRedirect).where(
                SlugRedirect.item_type == type_,
                SlugRedirect.lang == lang,
                SlugRedirect.old_slug == slug,
            )
        )
        if redirect is not None:
            item = session.get(ContentItem, redirect.item_id)
        else:
            item = _fallback_item(session, type_, lang, slug)
    if item is None or (published_only and not item.is_published):
        return None
    current = page_slug(item, lang)
    return SlugMatch(item=item, slug=current, moved=current != slug)


def _fallback_item(
    session: DbSession, type_: ContentType, lang: str, slug: str
) -> ContentItem | None:
    """An item whose original (or old original) slug is ``slug``, seen from ``lang``."""
    for translation in session.scalars(
        select(ContentTranslation).where(
            ContentTranslation.item_type == type_,
            ContentTranslation.slug == slug,
            ContentTranslation.lang != lang,
        )
    ):
        if translation.is_original:
            return translation.item
    redirect = session.scalar(
        select(SlugRedirect).where(
            SlugRedirect.item_type == type_,
            SlugRedirect.old_slug == slug,
            SlugRedirect.lang != lang,
        )
    )
    if redirect is None:
        return None
    item = session.get(ContentItem, redirect.item_id)
    return item if item is not None and item.original_lang == redirect.lang else None


def published_items(
    session: DbSession, type_: ContentType | None = None, *, kind: str | None = None
) -> list[ContentItem]:
    """Published items (of one type, of one kind), newest first for articles."""
    query = (
        select(ContentItem)
        .where(ContentItem.status == ContentStatus.PUBLISHED)
        .options(selectinload(ContentItem.translations), selectinload(ContentItem.images))
        .order_by(ContentItem.published_on.desc(), ContentItem.id)
    )
    if type_ is not None:
        query = query.where(ContentItem.type == type_)
    if kind:
        query = query.where(ContentItem.kind == kind)
    return list(session.scalars(query))


def list_items(
    session: DbSession,
    type_: ContentType | None = None,
    status: ContentStatus | None = None,
) -> list[ContentItem]:
    """Every item for the back office, most recently changed first."""
    query = (
        select(ContentItem)
        .options(selectinload(ContentItem.translations))
        .order_by(ContentItem.updated_at.desc(), ContentItem.id.desc())
    )
    if type_ is not None:
        query = query.where(ContentItem.type == type_)
    if status is not None:
        query = query.where(ContentItem.status == status)
    return list(session.scalars(query))


def expand_event(item: ContentItem, start: dt.date, end: dt.date) -> list[Occurrence]:
    """The item's occurrences overlapping ``[start, end]``."""
    if item.starts_on is None:
        return []
    return [
        Occurrence(item, first, last)
        for first, last in occurrences(
            item.starts_on,
            item.ends_on,
            item.recurrence,
            item.recurrence_until,
            range_start=start,
            range_end=end,
        )
    ]


def event_occurrences(session: DbSession, start: dt.date, end: dt.date) -> list[Occurrence]:
    """Published events' occurrences overlapping ``[start, end]``, in date order.

    Cancelled events are included (flagged): a tourist who planned for one should
    see that it will not happen.
    """
    found = [
        occurrence
        for item in published_items(session, ContentType.EVENT)
        for occurrence in expand_event(item, start, end)
    ]
    found.sort(key=lambda o: (o.starts_on, o.item.start_time or dt.time.min, o.item.id))
    return found
