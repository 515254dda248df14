"""The tourist-facing pages of the destination site: the URL map and the home page.

The content pages' handlers are in ``pages``; every URL here is under ``/<lang>``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from core.clock import local_now
from core.extensions import db
from portal.destinations import catalogue, pages
from portal.destinations import presentation as present
from portal.destinations.presentation import KIND_LABELS, WHEELCHAIR_LABELS

bp = Blueprint("destinations", __name__, url_prefix="/<locale:lang>", template_folder="templates")

for rule, view in (
    ("/places/", pages.list_places),
    ("/places/<slug>", pages.show_place),
    ("/events/", pages.list_events),
    ("/events/<slug>", pages.show_event),
    ("/events/<slug>.ics", pages.event_calendar),
    ("/itineraries/", pages.list_itineraries),
    ("/itineraries/<slug>", pages.show_itinerary),
    ("/news/", pages.list_articles),
    ("/news/<slug>", pages.show_article),
):
    bp.add_url_rule(rule, view_func=view)

HOME_EVENTS = 5
HOME_EVENT_DAYS = 30


@bp.context_processor
def _helpers() -> dict[str, Any]:
    settings = present.settings()
    return {
        "kind_label": KIND_LABELS.get,
        "category_label": present.CATEGORY_LABELS.get,
        "wheelchair_label": WHEELCHAIR_LABELS.get,
        "language_name": present.language_name,
        "opening_days": present.opening_days,
        "ticket_label": present.ticket_label,
        "accessibility_note": present.accessibility_note,
        "map_tiles": settings.map_tile_url,
        "map_attribution": settings.map_tile_attribution,
    }


@bp.route("/")
def home() -> ResponseReturnValue:
    today = local_now().date()
    occurrences = catalogue.event_occurrences(
        db.session, today, today + dt.timedelta(days=HOME_EVENT_DAYS)
    )[:HOME_EVENTS]
    lang = present.lang()
    events = [(o, present.shown(o.item, lang, with_photos=False)) for o in occurrences]
    places = pages.featured()
    return render_template(
        "destinations/home.html",
        places=places,
        events=[(o, s) for o, s in events if s is not None],
        markers=present.markers(places),
    )
