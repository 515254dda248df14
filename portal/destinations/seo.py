"""Structured data and link metadata for content pages. Pure: plain values in, data out.

JSON-LD follows schema.org as Google reads it (TouristAttraction, Event with
``eventStatus``, TouristTrip, NewsArticle, ItemList); Open Graph tags follow ogp.me.
Callers pass absolute URLs; nothing here knows about requests or the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "https://schema.org"
TIMEZONE_OFFSET = "+07:00"  # Asia/Ho_Chi_Minh has had no daylight saving since 1975.

# Open Graph wants language_TERRITORY; one usual territory per language we speak.
OG_LOCALES = {
    "vi": "vi_VN",
    "en": "en_US",
    "zh": "zh_CN",
    "ko": "ko_KR",
    "ja": "ja_JP",
    "fr": "fr_FR",
    "ru": "ru_RU",
}

# Inside <script>, "</script>" (or "<!--") would end or confuse the element; JSON allows
# these escapes, so the data reads back unchanged.


@dataclass(frozen=True)
class Page:
    """What every content page's metadata needs."""

    title: str
    description: str
    url: str  # absolute canonical URL
    lang: str  # the language of the text shown
    image_urls: Sequence[str] = ()
    languages: Sequence[str] = ()  # every language the item really has


@dataclass(frozen=True)
class Location:
    name: str = ""
    commune: str = ""
    province: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Ticket:
    label: str
    amount: int  # VND


@dataclass(frozen=True)
class ListEntry:
    name: str
    url: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def _place_node(location: Location) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "Place"}
    if location.name:
        node["name"] = location.name
    address = {
        key: value
        for key, value in (
            ("addressLocality", location.commune),
            ("addressRegion", location.province),
        )
        if value
    }
    if address:
        node["address"] = {"@type": "PostalAddress", "addressCountry": "VN", **address}
    if location.lat is not None and location.lon is not None:
        node["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": location.lat,
            "longitude": location.lon,
        }
    return node


def _offers(tickets: Sequence[Ticket], url: str) -> list[dict[str, Any]]:
    return [
        {
            "@type": "Offer",
            "name": ticket.label,
            "price": ticket.amount,
            "priceCurrency": "VND",
            "url": url,
        }
        for ticket in tickets
    ]


def _base(kind: str, page: Page) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": kind,
        "name": page.title,
        "url": page.url,
        "inLanguage": page.lang,
    }
    if page.description:
        data["description"] = page.description
    if page.image_urls:
        data["image"] = list(page.image_urls)
    return data


def place_json_ld(
    page: Page,
    location: Location,
    *,
    opening_hours: Sequence[Mapping[str, str]] = (),
    tickets: Sequence[Ticket] = (),
    wheelchair: str = "",
) -> dict[str, Any]:
    """A TouristAttraction: the place, where it is, when it opens and what it costs."""
    data = _base("TouristAttraction", page) | {
        key: value for key, value in _place_node(location).items() if key != "@type"
    }
    data["name"] = page.title
    if page.languages:
        data["availableLanguage"] = list(page.languages)
    if opening_hours:
        data["openingHours"] = [
            f"{h.get('days', 'Mo-Su')} {h.get('opens', '')}-{h.get('closes', '')}"
            for h in opening_hours
        ]
    data["isAccessibleForFree"] = not tickets
    if tickets:
        data["offers"] = _offers(tickets, page.url)
    if wheelchair in {"yes", "no"}:  # "partial" is neither: say nothing rather than guess
        data["amenityFeature"] = {
            "@type": "LocationFeatureSpecification",
            "name": "Wheelchair accessible",
            "value": wheelchair == "yes",
        }
    return data


def _when(day: dt.date, time: dt.time | None) -> str:
    if time is None:
        return day.isoformat()
    return f"{day.isoformat()}T{time.strftime('%H:%M')}:00{TIMEZONE_OFFSET}"


def event_json_ld(
    page: Page,
    location: Location,
    *,
    starts_on: dt.date,
    ends_on: dt.date | None,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    cancelled: bool = False,
    tickets: Sequence[Ticket] = (),
) -> dict[str, Any]:
    """An Event; a cancelled one keeps its start date and says EventCancelled (Google)."""
    data = _base("Event", page)
    data["startDate"] = _when(starts_on, start_time)
    if ends_on or end_time:
        data["endDate"] = _when(ends_on or starts_on, end_time)
    status = "EventCancelled" if cancelled else "EventScheduled"
    data["eventStatus"] = f"{SCHEMA}/{status}"
    data["eventAttendanceMode"] = f"{SCHEMA}/OfflineEventAttendanceMode"
    data["location"] = _place_node(location)
    if tickets:
        data["offers"] = _offers(tickets, page.url)
    return data


def item_list_json_ld(entries: Sequence[ListEntry], *, name: str = "") -> dict[str, Any]:
    """An ItemList of links, in the order shown."""
    data: dict[str, Any] = {
        "@context": SCHEMA,
        "@type": "ItemList",
        "numberOfItems": len(entries),
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": entry.name, "url": entry.url}
            for n, entry in enumerate(entries, start=1)
        ],
    }
    if name:
        data["name"] = name
    return data


def trip_json_ld(page: Page, days: Sequence[tuple[str, Sequence[ListEntry]]]) -> dict[str, Any]:
    """A TouristTrip: one subTrip per day, each with its places as an ItemList."""
    data = _base("TouristTrip", page)
    data["subTrip"] = [
        {
            "@type": "TouristTrip",
            "name": title,
            "itinerary": {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": n,
                        "item": {"@type": "TouristAttraction", "name": p.name, "url": p.url},
                    }
                    for n, p in enumerate(places, start=1)
                ],
            },
        }
        for title, places in days
    ]
    return data


def article_json_ld(page: Page, *, published_on: dt.date | None) -> dict[str, Any]:
    data = _base("NewsArticle", page)
    data["headline"] = page.title
    if published_on:
        data["datePublished"] = published_on.isoformat()
    return data


def open_graph(
    page: Page, *, og_type: str = "website", site_name: str = ""
) -> list[tuple[str, str]]:
    """``(property, content)`` pairs for ``<meta property content>``."""
    tags = [
        ("og:type", og_type),
        ("og:title", page.title),
        ("og:url", page.url),
        ("og:locale", OG_LOCALES.get(page.lang, page.lang)),
    ]
    if site_name:
        tags.append(("og:site_name", site_name))
    if page.description:
        tags.append(("og:description", page.description))
    tags.extend(("og:image", url) for url in page.image_urls[:1])
    tags.extend(
        ("og:locale:alternate", OG_LOCALES.get(code, code))
        for code in page.languages
        if code != page.lang
    )
    return tags
