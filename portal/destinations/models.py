"""Destination content: places, events, itineraries and articles, in several languages.

One generic ``ContentItem`` holds what every type shares (status, location, version);
type-specific fields are nullable columns on it, which keeps queries across types (the
sitemap, the back office list, search) to one table. Texts live in ``ContentTranslation``,
one row per language the item really has; the Vietnamese original is the one whose
``lang`` equals the item's ``original_lang``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, enum_type


class ContentType(StrEnum):
    PLACE = "place"
    EVENT = "event"
    ITINERARY = "itinerary"
    ARTICLE = "article"


class ContentStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class PlaceKind(StrEnum):
    BAY = "bay"
    BEACH = "beach"
    ISLAND = "island"
    CAVE = "cave"
    MOUNTAIN = "mountain"
    PAGODA = "pagoda"
    MUSEUM = "museum"
    MARKET = "market"
    VILLAGE = "village"
    VIEWPOINT = "viewpoint"
    TREK = "trek"
    RESTAURANT = "restaurant"


class EventCategory(StrEnum):
    FESTIVAL = "festival"
    MARKET = "market"
    SPORT = "sport"
    CULTURE = "culture"
    MUSIC = "music"


class Recurrence(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    YEARLY = "yearly"


class ContentItem(Base):
    """A place, event, itinerary or article.

    ``version`` orders the item's search documents: bumped on every change (text,
    facts, status). ``text_version`` is bumped only when the original's text changes,
    so a translation made from an older one is stale.
    """

    __tablename__ = "destinations_item"
    __table_args__ = (UniqueConstraint("type", "demo_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[ContentType] = mapped_column(enum_type(ContentType), index=True)
    status: Mapped[ContentStatus] = mapped_column(
        enum_type(ContentStatus), default=ContentStatus.DRAFT, index=True
    )
    original_lang: Mapped[str] = mapped_column(String(8), default="vi")
    # A PlaceKind for places, an EventCategory for events, "" otherwise.
    kind: Mapped[str] = mapped_column(String(32), default="", index=True)
    province: Mapped[str] = mapped_column(String(100), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    commune_code: Mapped[int | None]
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # [{"days": "Mo-Su", "opens": "06:30", "closes": "17:30"}]; [] = always open.
    opening_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"label": {"vi": "Người lớn", "en": "Adult"}, "amount": 290000}] in VND; [] = free.
    tickets: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # {"wheelchair": "no|partial|yes", "notes": {"vi": "...", "en": "..."}}
    accessibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Events: the first occurrence; later ones follow ``recurrence`` until ``recurrence_until``.
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    start_time: Mapped[dt.time | None]  # local time (Asia/Ho_Chi_Minh)
    end_time: Mapped[dt.time | None]
    recurrence: Mapped[Recurrence] = mapped_column(enum_type(Recurrence), default=Recurrence.NONE)
    recurrence_until: Mapped[dt.date | None]
    cancelled: Mapped[bool] = mapped_column(default=False)
    place_id: Mapped[int | None] = mapped_column(
        ForeignKey("destinations_item.id", ondelete="SET NULL"), index=True
    )
    # Articles: the date shown on the news item.
    published_on: Mapped[dt.date | None]
    first_published_at: Mapped[dt.datetime | None]
    # The demo file's stable key, so loading it twice adds nothing.
    demo_key: Mapped[str | None] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(default=1)
    text_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    translations: Mapped[list[ContentTranslation]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="ContentTranslation.lang"
    )
    images: Mapped[list[Image]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Image.position"
    )
    days: Mapped[list[ItineraryDay]] = relationship(
        back_populates="itinerary", cascade="all, delete-orphan", order_by="ItineraryDay.position"
    )
    place: Mapped[ContentItem | None] = relationship(remote_side="ContentItem.id")

    @property
    def is_published(self) -> bool:
        return self.status is ContentStatus.PUBLISHED

    @property
    def languages(self) -> list[str]:
        """The languages this item really has a text in."""
        return [t.lang for t in self.translations]

    def translation(self, lang: str) -> ContentTranslation | None:
        return next((t for t in self.translations if t.lang == lang), None)

    @property
    def original(self) -> ContentTranslation | None:
        return self.translation(self.original_lang)

    def text_for(self, lang: str) -> ContentTranslation | None:
        """The text to show in ``lang``: its own, else the original (check ``.lang``)."""
        return self.translation(lang) or self.original


class ContentTranslation(Base):
    """An item's texts in one language. Slugs are unique per language per type."""

    __tablename__ = "destinations_translation"
    __table_args__ = (
        UniqueConstraint("item_id", "lang"),
        UniqueConstraint("item_type", "lang", "slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("destinations_item.id", ondelete="CASCADE"))
    # The item's type, repeated here so the database can keep slugs unique per type.
    item_type: Mapped[ContentType] = mapped_column(enum_type(ContentType))
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # The original's ``text_version`` this text was written from.
    source_version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime]

    item: Mapped[ContentItem] = relationship(back_populates="translations")

    @property
    def is_original(self) -> bool:
        return self.lang == self.item.original_lang

    @property
    def is_stale(self) -> bool:
        """The original's text changed since this translation was written."""
        return not self.is_original and self.source_version < self.item.text_version


class SlugRedirect(Base):
    """A slug an item had before: its old URL answers 301 to the current one."""

    __tablename__ = "destinations_slug_redirect"
    __table_args__ = (UniqueConstraint("item_type", "lang", "old_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[ContentType] = mapped_column(enum_type(ContentType))
    lang: Mapped[str] = mapped_column(String(8))
    old_slug: Mapped[str] = mapped_column(String(200))
    item_id: Mapped[int] = mapped_column(
        ForeignKey("destinations_item.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime]


class ItineraryDay(Base):
    """One day of an itinerary: its places in visiting order, and texts per language."""

    __tablename__ = "destinations_itinerary_day"
    __table_args__ = (UniqueConstraint("itinerary_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    itinerary_id: Mapped[int] = mapped_column(
        ForeignKey("destinations_item.id", ondelete="CASCADE")
    )
    position: Mapped[int]  # 1 = the first day
    titles: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # by language
    bodies: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    itinerary: Mapped[ContentItem] = relationship(back_populates="days")
    stops: Mapped[list[ItineraryStop]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="ItineraryStop.position"
    )

    @property
    def places(self) -> list[ContentItem]:
        return [stop.place for stop in self.stops]


class ItineraryStop(Base):
    __tablename__ = "destinations_itinerary_stop"
    __table_args__ = (UniqueConstraint("day_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(
        ForeignKey("destinations_itinerary_day.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    place_id: Mapped[int] = mapped_column(
        ForeignKey("destinations_item.id", ondelete="CASCADE"), index=True
    )

    day: Mapped[ItineraryDay] = relationship(back_populates="stops")
    place: Mapped[ContentItem] = relationship()


class Image(Base):
    """A photo of an item, re-encoded on upload (see ``images``); files under media/."""

    __tablename__ = "destinations_image"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("destinations_item.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    # Random names chosen by the server ("3f9c….jpg"); never the uploader's.
    file_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str] = mapped_column(String(64), unique=True)
    media_type: Mapped[str] = mapped_column(String(32))  # image/jpeg | image/png | image/webp
    width: Mapped[int]
    height: Mapped[int]
    thumbnail_width: Mapped[int]
    thumbnail_height: Mapped[int]
    alt: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # by language
    created_at: Mapped[dt.datetime]

    item: Mapped[ContentItem] = relationship(back_populates="images")

    def alt_for(self, lang: str, original_lang: str = "vi") -> str:
        return self.alt.get(lang) or self.alt.get(original_lang, "")
