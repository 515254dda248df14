"""Destination content as search documents: one per published item.

Each language the item really has gives its texts and the page's address in that
language; the titles in its other languages become keywords, so "Ha Long Bay" typed
on the Vietnamese site still finds Vịnh Hạ Long.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from flask import Flask
from sqlalchemy import select

from core.database import DbSession
from portal.destinations.models import ContentItem, ContentStatus, ContentType, Recurrence
from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument
from search.indexing import register_document_source

# The public pages' path segment per type (the pages are /<lang>/<segment>/<slug>).
URL_SEGMENTS = {
    ContentType.PLACE: "places",
    ContentType.EVENT: "events",
    ContentType.ITINERARY: "itineraries",
    ContentType.ARTICLE: "news",
}
# A recurring event with no end is indexed as running this long after its first day.
OPEN_ENDED_SPAN = dt.timedelta(days=5 * 366)


def page_path(type_: ContentType, lang: str, slug: str) -> str:
    return f"/{lang}/{URL_SEGMENTS[type_]}/{slug}"


def _location(item: ContentItem) -> GeoPoint | None:
    source = item
    if item.latitude is None and item.place is not None:
        source = item.place  # an event held at a place is where the place is
    if source.latitude is None or source.longitude is None:
        return None
    return GeoPoint(source.latitude, source.longitude)


def _event_span(item: ContentItem) -> tuple[dt.date | None, dt.date | None]:
    """First day of the first occurrence, last day of the last one.

    A recurring event is found by any date range within its span, even one that
    falls between two occurrences: the event pages list the exact dates.
    """
    if item.starts_on is None:
        return None, None
    length = (item.ends_on or item.starts_on) - item.starts_on
    if item.recurrence is Recurrence.NONE:
        return item.starts_on, item.starts_on + length
    last_start = item.recurrence_until or item.starts_on + OPEN_ENDED_SPAN
    return item.starts_on, last_start + length


def build_document(item: ContentItem) -> SearchDocument | None:
    """The item's document, or None when it must not be found (a draft)."""
    if item.status is not ContentStatus.PUBLISHED or item.original is None:
        return None
    titles = {t.lang: t.title for t in item.translations}
    texts = {
        t.lang: LocalizedText(
            title=t.title,
            url=page_path(item.type, t.lang, t.slug),
            summary=t.summary,
            body=t.body,
            keywords=tuple(title for lang, title in titles.items() if lang != t.lang),
        )
        for t in item.translations
    }
    starts_on, ends_on = _event_span(item) if item.type is ContentType.EVENT else (None, None)
    commune = item.commune or (item.place.commune if item.place is not None else "")
    return SearchDocument(
        type=DocumentType(item.type.value),
        id=str(item.id),
        version=item.version,
        texts=texts,
        original_lang=item.original_lang,
        location=_location(item),
        commune=commune,
        category=item.kind,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def _loader(type_: ContentType) -> Callable[[DbSession, str], SearchDocument | None]:
    def load(session: DbSession, id_: str) -> SearchDocument | None:
        item = session.get(ContentItem, int(id_)) if id_.isdigit() else None
        if item is None or item.type is not type_:
            return None
        return build_document(item)

    return load


def _all_ids(type_: ContentType) -> Callable[[DbSession], Iterable[str]]:
    def all_ids(session: DbSession) -> Iterable[str]:
        query = select(ContentItem.id).where(
            ContentItem.type == type_, ContentItem.status == ContentStatus.PUBLISHED
        )
        return [str(id_) for id_ in session.scalars(query)]

    return all_ids


def register_sources(app: Flask) -> None:
    """Tell the search indexer how to build places, events, itineraries and articles."""
    for type_ in ContentType:
        register_document_source(app, DocumentType(type_.value), _loader(type_), _all_ids(type_))
