"""Demo places, events, itineraries and news in Quảng Ninh and Lào Cai, published.

The texts and facts come from ``demo_content.json`` (schema: one entry per item with a
stable ``key``). Loading adds the items whose key is not there yet, so it can run again.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.database import DbSession
from lodging.properties import geography
from portal.destinations import services
from portal.destinations.models import ContentItem, ContentType, Recurrence
from portal.destinations.services import Actor, DayInput, FactsInput, TextInput

DEMO_FILE = Path(__file__).with_name("demo_content.json")
DEMO_ACTOR = Actor(user_id=None, label="demo")
DEMO_PROVINCES = ("Quảng Ninh", "Lào Cai")
SECTIONS = (
    ("places", ContentType.PLACE),
    ("events", ContentType.EVENT),
    ("itineraries", ContentType.ITINERARY),
    ("articles", ContentType.ARTICLE),
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _time(value: str | None) -> dt.time | None:
    return dt.time.fromisoformat(value) if value else None


def _locate(province: str, commune: str) -> tuple[str, int | None]:
    """The province and commune code (events name only a commune: try the demo's two)."""
    for candidate in [province] if province else list(DEMO_PROVINCES):
        try:
            code = geography.find_province(candidate).code
            return candidate, geography.find_commune(code, commune).code
        except geography.UnknownPlaceError:
            continue
    return province, None


def _facts(type_: ContentType, entry: dict[str, Any], places: dict[str, int]) -> FactsInput:
    place_key = entry.get("place_key")
    commune = entry.get("commune", "")
    province, commune_code = _locate(entry.get("province", ""), commune)
    return FactsInput(
        kind=entry.get("kind") or entry.get("category") or "",
        province=province,
        commune=commune,
        commune_code=commune_code,
        latitude=entry.get("lat"),
        longitude=entry.get("lon"),
        opening_hours=list(entry.get("opening_hours", [])),
        tickets=list(entry.get("tickets", [])),
        accessibility=dict(entry.get("accessibility", {})),
        starts_on=_date(entry.get("starts_on")),
        ends_on=_date(entry.get("ends_on")),
        start_time=_time(entry.get("start_time")),
        end_time=_time(entry.get("end_time")),
        recurrence=Recurrence(entry.get("recurrence") or "none"),
        recurrence_until=_date(entry.get("recurrence_until")),
        cancelled=bool(entry.get("cancelled", False)),
        place_id=places.get(place_key) if place_key else None,
        published_on=_date(entry.get("published_on")) if type_ is ContentType.ARTICLE else None,
    )


def _text(values: dict[str, str]) -> TextInput:
    return TextInput(
        title=values["title"],
        slug=values.get("slug", ""),
        summary=values.get("summary", ""),
        body=values.get("body", ""),
    )


def _existing(session: DbSession, type_: ContentType) -> dict[str, ContentItem]:
    items = session.scalars(
        select(ContentItem).where(ContentItem.type == type_, ContentItem.demo_key.is_not(None))
    )
    return {item.demo_key: item for item in items if item.demo_key}


def _add(
    session: DbSession,
    type_: ContentType,
    entry: dict[str, Any],
    places: dict[str, int],
    now: dt.datetime,
) -> ContentItem:
    texts = dict(entry["translations"])
    original = texts.pop("vi")
    item = services.create_draft(
        session,
        type_,
        _text(original),
        _facts(type_, entry, places),
        actor=DEMO_ACTOR,
        now=now,
        demo_key=entry["key"],
    )
    for lang, values in texts.items():
        services.save_translation(session, item, lang, _text(values), actor=DEMO_ACTOR, now=now)
    if type_ is ContentType.ITINERARY:
        days = [
            DayInput(
                place_ids=[places[key] for key in day.get("place_keys", [])],
                titles={lang: t.get("title", "") for lang, t in day["translations"].items()},
                bodies={lang: t.get("body", "") for lang, t in day["translations"].items()},
            )
            for day in entry.get("days", [])
        ]
        services.set_itinerary_days(session, item, days, actor=DEMO_ACTOR, now=now)
    services.publish(session, item, actor=DEMO_ACTOR, now=now)
    return item


def load_demo_content(session: DbSession, now: dt.datetime, path: Path = DEMO_FILE) -> list[str]:
    """Add the demo items that are missing; return a line to print."""
    if not path.exists():
        return [f"Demo content: {path.name} not found, none loaded."]
    data = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    places: dict[str, int] = {}
    for section, type_ in SECTIONS:
        existing = _existing(session, type_)
        for entry in data.get(section, []):
            item = existing.get(entry["key"])
            if item is None:
                item = _add(session, type_, entry, places, now)
                added += 1
            if type_ is ContentType.PLACE:
                places[entry["key"]] = item.id
        session.flush()
    return [f"Demo content: {added} items added."]
