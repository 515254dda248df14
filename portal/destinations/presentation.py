"""How an item looks on one language's page: its text, URL, photos, facts and metadata.

Request code (uses ``url_for`` and the locale); the views stay thin by asking here.
A language the item lacks shows the original's text, flagged so the template marks
the block with ``lang`` and says so, and the page is kept out of hreflang and indexes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from babel import Locale
from babel.dates import get_day_names
from flask import current_app, g, url_for
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

from core.links import absolute
from core.settings import Settings
from core.structured_data import json_ld_tag
from portal.destinations import seo
from portal.destinations.catalogue import page_slug
from portal.destinations.models import (
    ContentItem,
    ContentTranslation,
    ContentType,
    EventCategory,
    PlaceKind,
)

ENDPOINTS = {
    ContentType.PLACE: "destinations.show_place",
    ContentType.EVENT: "destinations.show_event",
    ContentType.ITINERARY: "destinations.show_itinerary",
    ContentType.ARTICLE: "destinations.show_article",
}
KIND_LABELS: dict[str, LazyString] = {
    PlaceKind.BAY: _l("Bay"),
    PlaceKind.BEACH: _l("Beach"),
    PlaceKind.ISLAND: _l("Island"),
    PlaceKind.CAVE: _l("Cave"),
    PlaceKind.MOUNTAIN: _l("Mountain"),
    PlaceKind.PAGODA: _l("Pagoda or temple"),
    PlaceKind.MUSEUM: _l("Museum"),
    PlaceKind.MARKET: _l("Market"),
    PlaceKind.VILLAGE: _l("Village"),
    PlaceKind.VIEWPOINT: _l("Viewpoint"),
    PlaceKind.TREK: _l("Trek"),
    PlaceKind.RESTAURANT: _l("Restaurant"),
}
CATEGORY_LABELS: dict[str, LazyString] = {
    EventCategory.FESTIVAL: _l("Festival"),
    EventCategory.MARKET: _l("Market day"),
    EventCategory.SPORT: _l("Sport"),
    EventCategory.CULTURE: _l("Culture"),
    EventCategory.MUSIC: _l("Music"),
}
WHEELCHAIR_LABELS: dict[str, LazyString] = {
    "yes": _l("Wheelchair accessible"),
    "partial": _l("Partly wheelchair accessible"),
    "no": _l("Not wheelchair accessible"),
}
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


@dataclass(frozen=True)
class Photo:
    src: str
    thumbnail: str
    srcset: str
    alt: str
    width: int
    height: int


@dataclass(frozen=True)
class Shown:
    """An item as the page in ``lang`` shows it."""

    item: ContentItem
    text: ContentTranslation
    lang: str
    url: str
    photos: list[Photo] = field(default_factory=list)

    @property
    def is_fallback(self) -> bool:
        return self.text.lang != self.lang

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.text.body) if p.strip()]


def lang() -> str:
    return str(get_locale() or "vi")


def settings() -> Settings:
    settings: Settings = current_app.config["PORTAL_SETTINGS"]
    return settings


def item_url(item: ContentItem, code: str, *, external: bool = False) -> str:
    path = url_for(ENDPOINTS[item.type], lang=code, slug=page_slug(item, code))
    return absolute(path) if external else path


def _media_url(name: str) -> str:
    # The images view belongs to the back office side (images.py); resolve it lazily
    # so pages still render, without photos, if it is not registered.
    endpoint = current_app.config.get("DESTINATION_MEDIA_ENDPOINT", "destinations.media")
    return url_for(endpoint, name=name) if endpoint in current_app.view_functions else ""


def photos(item: ContentItem, code: str) -> list[Photo]:
    found = []
    for image in item.images:
        src = _media_url(image.file_name)
        thumbnail = _media_url(image.thumbnail_name)
        if not src:
            continue
        found.append(
            Photo(
                src=src,
                thumbnail=thumbnail or src,
                srcset=f"{thumbnail} {image.thumbnail_width}w, {src} {image.width}w",
                alt=image.alt_for(code, item.original_lang),
                width=image.width,
                height=image.height,
            )
        )
    return found


def shown(item: ContentItem, code: str, *, with_photos: bool = True) -> Shown | None:
    text = item.text_for(code)
    if text is None:
        return None
    found = photos(item, code) if with_photos else []
    return Shown(item=item, text=text, lang=code, url=item_url(item, code), photos=found)


def shown_all(items: list[ContentItem], code: str) -> list[Shown]:
    return [s for s in (shown(item, code) for item in items) if s is not None]


def announce_languages(item: ContentItem) -> None:
    """Offer (hreflang, language switcher) only the languages the item really has."""
    g.page_alternate_args = {t.lang: {"slug": t.slug} for t in item.translations}


def language_name(code: str) -> str:
    """``code``'s language named in the page's language ("Vietnamese", "tiếng Việt")."""
    return Locale.parse(code).get_language_name(lang()) or code


def opening_days(days: str) -> str:
    """OSM-style "Mo-Fr,Su" in the page's language's short day names."""
    names = get_day_names("abbreviated", locale=lang())

    def name(token: str) -> str:
        return str(names[_DAYS.index(token)]) if token in _DAYS else token

    return ", ".join("–".join(name(part) for part in span.split("-")) for span in days.split(","))


def ticket_label(ticket: dict[str, Any], item: ContentItem, code: str) -> str:
    labels: dict[str, str] = ticket.get("label") or {}
    return labels.get(code) or labels.get(item.original_lang) or next(iter(labels.values()), "")


def accessibility_note(item: ContentItem, code: str) -> str:
    notes: dict[str, str] = item.accessibility.get("notes") or {}
    return notes.get(code) or notes.get(item.original_lang, "")


def marker(entry: Shown) -> dict[str, Any] | None:
    item = entry.item
    if item.latitude is None or item.longitude is None:
        return None
    return {
        "lat": item.latitude,
        "lon": item.longitude,
        "title": entry.text.title,
        "url": entry.url,
    }


def markers(entries: list[Shown]) -> list[dict[str, Any]]:
    return [m for m in (marker(entry) for entry in entries) if m is not None]


def upcoming_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    """This Saturday and Sunday (from today on a Sunday)."""
    if today.weekday() == 6:
        return today, today
    saturday = today + dt.timedelta(days=5 - today.weekday())
    return saturday, saturday + dt.timedelta(days=1)


@dataclass(frozen=True)
class Meta:
    """Everything in <head> about the item: canonical, Open Graph, JSON-LD, robots."""

    canonical: str
    open_graph: list[tuple[str, str]]
    json_ld: Any  # Markup: the <script type="application/ld+json"> element
    noindex: bool
    description: str


def seo_page(entry: Shown) -> seo.Page:
    """The page's canonical form: a fallback page points at the original's own page."""
    item, text = entry.item, entry.text
    return seo.Page(
        title=text.title,
        description=text.summary,
        url=item_url(item, text.lang, external=True),
        lang=text.lang,
        image_urls=[absolute(p.src) for p in entry.photos],
        languages=item.languages,
    )


def location(item: ContentItem, name: str = "") -> seo.Location:
    return seo.Location(
        name=name,
        commune=item.commune,
        province=item.province,
        lat=item.latitude,
        lon=item.longitude,
    )


def tickets(item: ContentItem, code: str) -> list[seo.Ticket]:
    return [
        seo.Ticket(label=ticket_label(t, item, code), amount=int(t.get("amount", 0)))
        for t in item.tickets
    ]


def meta(entry: Shown, json_ld: dict[str, Any]) -> Meta:
    page = seo_page(entry)
    return Meta(
        canonical=page.url,
        open_graph=seo.open_graph(
            page,
            og_type="article" if entry.item.type is ContentType.ARTICLE else "website",
            site_name=str(_l("Quảng Ninh and Lào Cai travel portal")),
        ),
        json_ld=json_ld_tag(json_ld),
        noindex=entry.is_fallback,
        description=page.description,
    )
