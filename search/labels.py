"""What a facet value is called on the page: "cave" is "Hang động" to a Vietnamese reader.

The index stores codes; each feature knows how to name its own (place kinds,
lodging kinds) and registers a function for its facet. Several features may share a
facet (places and lodgings both count under ``category``): each function answers
for the codes it knows and returns None (or raises ValueError/KeyError) for the
others. A code nobody names is shown as it is, as commune names already are.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l

from search.documents import DocumentType, Facet

LABELS = "search_facet_labels"  # the registry's key in app.extensions
FacetLabel = Callable[[str], Any]  # the value's label (str or lazy string), or None if not ours

TYPE_LABELS = {
    DocumentType.PLACE: _l("Places"),
    DocumentType.EVENT: _l("Events"),
    DocumentType.ITINERARY: _l("Itineraries"),
    DocumentType.LODGING: _l("Places to stay"),
    DocumentType.ARTICLE: _l("News"),
}
# One hit's type, beside its title.
TYPE_NAMES = {
    DocumentType.PLACE: _l("Place"),
    DocumentType.EVENT: _l("Event"),
    DocumentType.ITINERARY: _l("Itinerary"),
    DocumentType.LODGING: _l("Place to stay"),
    DocumentType.ARTICLE: _l("News"),
}
PRICE_BAND_LABELS = {
    "under-500k": _l("Under 500,000 ₫ a night"),
    "500k-1m": _l("500,000 to 1,000,000 ₫ a night"),
    "1m-2m": _l("1,000,000 to 2,000,000 ₫ a night"),
    "2m-plus": _l("2,000,000 ₫ a night or more"),
}
FACET_TITLES = {
    Facet.TYPE: _l("Type"),
    Facet.CATEGORY: _l("Kind"),
    Facet.COMMUNE: _l("Commune or ward"),
    Facet.STARS: _l("Stars"),
    Facet.AMENITIES: _l("Amenities"),
    Facet.PRICE_BAND: _l("Price"),
}


def register_facet_labels(app: Flask, facet: Facet, label: FacetLabel) -> None:
    """Name ``facet``'s values with ``label`` (after the functions registered before)."""
    app.extensions.setdefault(LABELS, {}).setdefault(facet, []).append(label)
    _label_in.cache_clear()


def labels_by_code(labels: Mapping[Any, Any]) -> FacetLabel:
    """A label function from a feature's ``{code enum: label}`` table (StrEnum keys)."""
    by_code = {str(code): label for code, label in labels.items()}
    return by_code.get


def facet_label(app: Flask, facet: Facet, value: str) -> str:
    """The translated label of one facet value; the value itself if nobody names it."""
    return _label_in(app, str(get_locale()), facet, value)


def facet_labeller(app: Flask) -> Callable[[Facet, str], str]:
    """``facet_label`` in the current locale, read once for an answer's many values.

    Reading the locale costs more than the (cached) label: an answer has dozens.
    """
    return functools.partial(_label_in, app, str(get_locale()))


# Labels are looked up for every facet value of every answer; each lookup translates.
# The values come from the index (a bounded set), and registration ends at start-up.
@functools.lru_cache(maxsize=8192)
def _label_in(app: Flask, _locale: str, facet: Facet, value: str) -> str:
    labels: Iterable[FacetLabel] = app.extensions.get(LABELS, {}).get(facet, ())
    for label in labels:
        try:
            found = label(value)
        except (ValueError, KeyError):
            continue
        if found:
            return str(found)
    return value


def _type_label(value: str) -> Any:
    return TYPE_LABELS[DocumentType(value)]


def _stars_label(value: str) -> str:
    stars = int(value)
    return str(ngettext("%(num)s star", "%(num)s stars", stars))


def init_app(app: Flask) -> None:
    """Name the codes search itself defines: types, stars and price bands."""
    register_facet_labels(app, Facet.TYPE, _type_label)
    register_facet_labels(app, Facet.STARS, _stars_label)
    register_facet_labels(app, Facet.PRICE_BAND, PRICE_BAND_LABELS.get)
