"""Itinerary days as officers edit them: the original's days, and a language's day texts.

``services.set_itinerary_days`` replaces the days wholesale. Here a day edited in the back
office keeps the translations it already has (carried over by its id), stops are checked
day by day so a refusal names the day, a day left empty adds nothing, and a changed
original day text makes the item's translations stale, as a changed original body does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.database import DbSession
from portal.destinations import services
from portal.destinations.models import ContentItem, ContentTranslation, ContentType, ItineraryDay

NOT_A_PLACE = _l("Every stop must be a place.")
DAYS_CHANGED = _l("The days changed while you were translating: check them and save again.")


@dataclass(frozen=True)
class DayEdit:
    """One day as the officer left it, in the original language."""

    title: str = ""
    body: str = ""
    place_ids: list[int] = field(default_factory=list)
    day_id: int | None = None  # the existing day it was, whose translations it keeps
    removed: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.title.strip() or self.body.strip() or self.place_ids)


@dataclass(frozen=True)
class DayText:
    """One day's title and description in one language."""

    day_id: int
    title: str = ""
    body: str = ""


def _place_errors(session: DbSession, days: list[DayEdit]) -> dict[str, LazyString]:
    """``"<index>.place_ids"`` for each day with a stop that is not a place."""
    wanted = {pid for day in days for pid in day.place_ids}
    places = set(
        session.scalars(
            select(ContentItem.id).where(
                ContentItem.id.in_(wanted), ContentItem.type == ContentType.PLACE
            )
        )
    )
    return {
        f"{index}.place_ids": NOT_A_PLACE
        for index, day in enumerate(days)
        if not set(day.place_ids) <= places
    }


def _with_texts(lang: str, texts: dict[str, str], text: str) -> dict[str, str]:
    """``texts`` with ``lang``'s entry set to ``text`` (removed when empty)."""
    changed = {code: value for code, value in texts.items() if code != lang}
    if text.strip():
        changed[lang] = text.strip()
    return changed


def edit_itinerary_days(
    session: DbSession,
    item: ContentItem,
    days: list[DayEdit],
    *,
    actor: services.Actor,
    now: dt.datetime,
) -> None:
    """Replace the days with ``days`` (removed and empty ones left out).

    ``ContentError`` keys are ``"<index in days>.<field>"``, so the form can put each
    message on the day it is about.
    """
    if item.type is not ContentType.ITINERARY:
        raise services.ContentError({"days": _l("Only itineraries have days.")})
    kept = [day for day in days if not day.removed and not day.is_empty]
    errors = _place_errors(session, [DayEdit() if day.removed else day for day in days])
    if errors:
        raise services.ContentError(errors)
    lang = item.original_lang
    existing = {day.id: day for day in item.days}
    before = [(day.titles.get(lang, ""), day.bodies.get(lang, "")) for day in item.days]
    inputs = []
    for day in kept:
        old = existing.get(day.day_id) if day.day_id is not None else None
        inputs.append(
            services.DayInput(
                # A place listed twice in one day is visited once, at its first place.
                place_ids=list(dict.fromkeys(day.place_ids)),
                titles=_with_texts(lang, old.titles if old else {}, day.title),
                bodies=_with_texts(lang, old.bodies if old else {}, day.body),
            )
        )
    after = [(i.titles.get(lang, ""), i.bodies.get(lang, "")) for i in inputs]
    if after != before:
        item.text_version += 1  # translations of the days are now out of date
        if item.original is not None:
            item.original.source_version = item.text_version
    services.set_itinerary_days(session, item, inputs, actor=actor, now=now)


def translate_itinerary_days(
    session: DbSession,
    item: ContentItem,
    lang: str,
    texts: list[DayText],
    *,
    actor: services.Actor,
    now: dt.datetime,
) -> None:
    """Write ``lang``'s day titles and descriptions; other languages stay as they are."""
    if lang not in services.LANGUAGES or lang == item.original_lang:
        raise services.ContentError({"lang": _l("Choose a language other than the original's.")})
    days: dict[int, ItineraryDay] = {day.id: day for day in item.days}
    if any(text.day_id not in days for text in texts):
        raise services.ContentError({"days": DAYS_CHANGED})
    for text in texts:
        day = days[text.day_id]
        # New dicts, not changed ones: a JSON column only notices a new value.
        day.titles = _with_texts(lang, day.titles, text.title)
        day.bodies = _with_texts(lang, day.bodies, text.body)
    services.record_change(session, item, "translate_days", actor, now, lang=lang)


def save_itinerary_translation(
    session: DbSession,
    item: ContentItem,
    lang: str,
    text: services.TextInput,
    day_texts: list[DayText],
    *,
    actor: services.Actor,
    now: dt.datetime,
) -> ContentTranslation:
    """An itinerary's translation: its own texts and its days', saved together."""
    translation = services.save_translation(session, item, lang, text, actor=actor, now=now)
    translate_itinerary_days(session, item, lang, day_texts, actor=actor, now=now)
    return translation
