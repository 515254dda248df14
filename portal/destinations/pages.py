"""The public content pages: places, events (and their .ics), itineraries, news.

Each detail page answers 404 for a draft or an unknown slug, 301 from an old slug
(or the original's slug, once the language has its own) to the current one, and
otherwise renders the text in the URL's language or, lacking it, the original's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.clock import local_now, utcnow
from core.extensions import db
from core.links import absolute
from core.structured_data import json_ld_tag
from portal import ics
from portal.destinations import catalogue, seo
from portal.destinations import presentation as present
from portal.destinations.models import ContentItem, ContentType
from portal.destinations.presentation import Shown

UPCOMING_DAYS = 60
DETAIL_OCCURRENCES = 6


def _find(content_type: ContentType, slug: str, endpoint: str) -> Shown | ResponseReturnValue:
    """The page's item, or a 301 to its current slug; aborts 404 when there is none."""
    lang = present.lang()
    match = catalogue.find_by_slug(db.session, content_type, lang, slug)
    if match is None:
        abort(404)
    if match.moved:
        return redirect(url_for(endpoint, slug=match.slug), 301)
    entry = present.shown(match.item, lang)
    if entry is None:
        abort(404)
    present.announce_languages(match.item)
    return entry


def show_place(slug: str) -> ResponseReturnValue:
    entry = _find(ContentType.PLACE, slug, "destinations.show_place")
    if not isinstance(entry, Shown):
        return entry
    item = entry.item
    json_ld = seo.place_json_ld(
        present.seo_page(entry),
        present.location(item),
        opening_hours=item.opening_hours,
        tickets=present.tickets(item, entry.lang),
        wheelchair=str(item.accessibility.get("wheelchair", "")),
    )
    return render_template(
        "destinations/place.html",
        entry=entry,
        meta=present.meta(entry, json_ld),
        markers=present.markers([entry]),
    )


def _event_json_ld(entry: Shown, place: Shown | None) -> dict[str, Any]:
    item = entry.item
    assert item.starts_on is not None  # noqa: S101 - events are created with a date
    venue = present.location(item, place.text.title if place else "")
    if place is not None and venue.lat is None:
        venue = present.location(place.item, place.text.title)
    return seo.event_json_ld(
        present.seo_page(entry),
        venue,
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        start_time=item.start_time,
        end_time=item.end_time,
        cancelled=item.cancelled,
        tickets=present.tickets(item, entry.lang),
    )


def _venue(entry: Shown) -> Shown | None:
    place = entry.item.place
    if place is None or not place.is_published:
        return None
    return present.shown(place, entry.lang, with_photos=False)


def show_event(slug: str) -> ResponseReturnValue:
    entry = _find(ContentType.EVENT, slug, "destinations.show_event")
    if not isinstance(entry, Shown):
        return entry
    today = local_now().date()
    place = _venue(entry)
    occurrences = catalogue.expand_event(entry.item, today, today + dt.timedelta(days=366))
    located = entry if entry.item.latitude is not None else place
    return render_template(
        "destinations/event.html",
        entry=entry,
        place=place,
        occurrences=occurrences[:DETAIL_OCCURRENCES],
        meta=present.meta(entry, _event_json_ld(entry, place)),
        markers=present.markers([located]) if located else [],
    )


def _calendar_event(entry: Shown, place: Shown | None) -> ics.CalendarEvent:
    item = entry.item
    assert item.starts_on is not None  # noqa: S101 - events are created with a date
    where = [place.text.title] if place else []
    where += [part for part in (item.commune, item.province) if part]
    host = urlsplit(present.settings().public_url).hostname or "localhost"
    located = place.item if place is not None and item.latitude is None else item
    return ics.CalendarEvent(
        uid=f"event-{item.id}@{host}",
        summary=entry.text.title,
        description=entry.text.summary,
        location=", ".join(where),
        url=present.item_url(item, entry.text.lang, external=True),
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        start_time=item.start_time,
        end_time=item.end_time,
        recurrence=item.recurrence.value,
        recurrence_until=item.recurrence_until,
        cancelled=item.cancelled,
        lat=located.latitude,
        lon=located.longitude,
        sequence=item.version,
        last_modified=item.updated_at,
    )


def event_calendar(slug: str) -> ResponseReturnValue:
    entry = _find(ContentType.EVENT, slug, "destinations.event_calendar")
    if not isinstance(entry, Shown):
        return entry
    body = ics.calendar([_calendar_event(entry, _venue(entry))], now=utcnow())
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{entry.text.slug}.ics"',
        },
    )


def _trip_days(entry: Shown) -> list[tuple[str, str, list[Shown]]]:
    """(title, body, places) per day; unpublished places are not shown."""
    days = []
    for day in entry.item.days:
        places = [p for p in day.places if p.is_published]
        title = day.titles.get(entry.lang) or day.titles.get(entry.item.original_lang, "")
        body = day.bodies.get(entry.lang) or day.bodies.get(entry.item.original_lang, "")
        title = title or _("Day %(number)s", number=day.position)
        days.append((title, body, present.shown_all(places, entry.lang)))
    return days


def show_itinerary(slug: str) -> ResponseReturnValue:
    entry = _find(ContentType.ITINERARY, slug, "destinations.show_itinerary")
    if not isinstance(entry, Shown):
        return entry
    days = _trip_days(entry)
    json_ld = seo.trip_json_ld(
        present.seo_page(entry),
        [
            (
                title,
                [seo.ListEntry(p.text.title, absolute(p.url)) for p in places],
            )
            for title, _body, places in days
        ],
    )
    stops = [place for _title, _body, places in days for place in places]
    return render_template(
        "destinations/itinerary.html",
        entry=entry,
        days=days,
        meta=present.meta(entry, json_ld),
        markers=present.markers(stops),
    )


def show_article(slug: str) -> ResponseReturnValue:
    entry = _find(ContentType.ARTICLE, slug, "destinations.show_article")
    if not isinstance(entry, Shown):
        return entry
    json_ld = seo.article_json_ld(present.seo_page(entry), published_on=entry.item.published_on)
    return render_template(
        "destinations/article.html", entry=entry, meta=present.meta(entry, json_ld)
    )


def _item_list(entries: list[Shown], name: str) -> Any:
    return json_ld_tag(
        seo.item_list_json_ld(
            [seo.ListEntry(e.text.title, absolute(e.url)) for e in entries], name=name
        )
    )


def list_places() -> ResponseReturnValue:
    kind = request.args.get("kind", "")
    kind = kind if kind in present.KIND_LABELS else ""
    everything = catalogue.published_items(db.session, ContentType.PLACE)
    kinds = sorted({item.kind for item in everything if item.kind in present.KIND_LABELS})
    chosen = [item for item in everything if not kind or item.kind == kind]
    entries = present.shown_all(chosen, present.lang())
    title = str(present.KIND_LABELS[kind]) if kind else _("Places to visit")
    return render_template(
        "destinations/places.html",
        entries=entries,
        kinds=kinds,
        kind=kind,
        title=title,
        json_ld=_item_list(entries, title),
        markers=present.markers(entries),
    )


def list_events() -> ResponseReturnValue:
    today = local_now().date()
    weekend = request.args.get("when") == "weekend"
    start, end = (
        present.upcoming_weekend(today)
        if weekend
        else (today, today + dt.timedelta(days=UPCOMING_DAYS))
    )
    occurrences = catalogue.event_occurrences(db.session, start, end)
    lang = present.lang()
    shown = {o.item.id: present.shown(o.item, lang, with_photos=False) for o in occurrences}
    rows = [(o, shown[o.item.id]) for o in occurrences if shown[o.item.id] is not None]
    # A weekly event is listed once per date, but is one item in the structured list.
    events = [entry for entry in shown.values() if entry is not None]
    return render_template(
        "destinations/events.html",
        rows=rows,
        weekend=weekend,
        start=start,
        end=end,
        json_ld=_item_list(events, _("Events")),
    )


def _simple_list(content_type: ContentType, title: str) -> ResponseReturnValue:
    items = catalogue.published_items(db.session, content_type)
    entries = present.shown_all(items, present.lang())
    return render_template(
        "destinations/list.html", entries=entries, title=title, json_ld=_item_list(entries, title)
    )


def list_itineraries() -> ResponseReturnValue:
    return _simple_list(ContentType.ITINERARY, _("Itineraries"))


def list_articles() -> ResponseReturnValue:
    return _simple_list(ContentType.ARTICLE, _("News"))


def featured(limit: int = 6) -> list[Shown]:
    """Places for the home page: those with photos first."""
    places: list[ContentItem] = catalogue.published_items(db.session, ContentType.PLACE)
    places.sort(key=lambda item: (not item.images, item.id))
    return present.shown_all(places[:limit], present.lang())
