"""Itinerary days in the back office: the day forms filled from an item, and read back.

A multiple choice sends the chosen options in the order they are listed, so the chosen
places are listed first, in their visiting order: a place chosen later comes last.
"""

from __future__ import annotations

from typing import Any

from flask_babel import LazyString
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than its stubs

from portal.destinations.forms import DaysForm, ItineraryTranslationForm
from portal.destinations.itineraries import DayEdit, DayText
from portal.destinations.models import ContentItem


def _stop_choices(places: list[ContentItem], chosen: list[str]) -> list[SelectChoice]:
    titles = {str(p.id): p.original.title if p.original else str(p.id) for p in places}
    first = [value for value in dict.fromkeys(chosen) if value in titles]
    rest = sorted((v for v in titles if v not in first), key=lambda v: titles[v].casefold())
    return [SelectChoice(value, titles[value]) for value in first + rest]


def prepare_days_form(form: DaysForm, places: list[ContentItem]) -> DaysForm:
    """Give every row its choice of places, and end with an empty row to add a day."""
    last = form.days.entries[-1].form if form.days.entries else None
    if last is None or last.title.data or last.body.data or last.place_ids.data:
        form.days.append_entry()
    for entry in form.days:
        entry.form.place_ids.choices = _stop_choices(places, entry.form.place_ids.data or [])
    return form


def days_form_for(item: ContentItem, places: list[ContentItem]) -> DaysForm:
    """The days editor showing the item's days as they are."""
    lang = item.original_lang
    rows: list[dict[str, Any]] = [
        {
            "day_id": str(day.id),
            "title": day.titles.get(lang, ""),
            "body": day.bodies.get(lang, ""),
            "place_ids": [str(stop.place_id) for stop in day.stops],
        }
        for day in item.days
    ]
    return prepare_days_form(DaysForm(formdata=None, data={"days": rows}), places)


def day_edits(form: DaysForm) -> list[DayEdit]:
    return [
        DayEdit(
            title=row.title.data or "",
            body=row.body.data or "",
            place_ids=[int(value) for value in row.place_ids.data or []],
            day_id=int(row.day_id.data) if row.day_id.data else None,
            removed=bool(row.remove.data),
        )
        for row in (entry.form for entry in form.days)
    ]


def show_day_errors(form: DaysForm, errors: dict[str, LazyString]) -> list[str]:
    """Put ``"<index>.<field>"`` messages on their fields; return the others."""
    others = []
    for key, message in errors.items():
        index, _dot, name = key.partition(".")
        if index.isdigit() and int(index) < len(form.days.entries) and name:
            field = form.days.entries[int(index)].form[name]
            field.errors = [*field.errors, str(message)]
        else:
            others.append(str(message))
    return others


def translation_days(item: ContentItem, lang: str) -> dict[str, Any]:
    """Form data for the days of ``item`` in ``lang``, shown the first time."""
    return {
        "days": [
            {"day_id": str(d.id), "title": d.titles.get(lang, ""), "body": d.bodies.get(lang, "")}
            for d in item.days
        ]
    }


def day_texts(form: ItineraryTranslationForm) -> list[DayText]:
    return [
        DayText(
            day_id=int(entry.form.day_id.data or 0),  # checked to be digits by the form
            title=entry.form.title.data or "",
            body=entry.form.body.data or "",
        )
        for entry in form.days
    ]
