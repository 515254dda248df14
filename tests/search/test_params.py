"""Reading search parameters, writing them back, naming facet values, "this weekend"."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from search.documents import DocumentType, Facet, GeoPoint, SearchQuery
from search.labels import facet_label, register_facet_labels
from search.params import SearchParamsError, parse_search_args, query_args, without
from search.services import this_weekend

LANGS = ("vi", "en")


def parse(app: Flask, **args: str | list[str]) -> SearchQuery:
    with app.test_request_context("/en/"):
        return parse_search_args(MultiDict(args), lang="en", languages=LANGS)


def test_a_query_written_back_as_parameters_reads_the_same(app: Flask) -> None:
    query = parse(
        app,
        q="hang động",
        type="place,lodging",
        stars=["4", "5"],
        near="20.95,107.05",
        radius_km="12.5",
        bbox="20.5,106.5,21.5,108",
        **{"from": "2026-11-28", "to": "2026-11-29"},
        limit="10",
        offset="20",
    )

    assert query.near == GeoPoint(20.95, 107.05)
    assert query.types == {DocumentType.PLACE, DocumentType.LODGING}
    assert parse(app, **query_args(query)) == query


def test_dropping_a_filter_goes_back_to_the_first_page(app: Flask) -> None:
    query = parse(app, q="bay", stars=["4", "5"], type="place", offset="20")

    assert query_args(without(query, Facet.STARS, "4")) == {
        "q": "bay",
        "type": ["place"],
        "stars": ["5"],
    }
    assert query_args(without(query, Facet.TYPE, "place")) == {"q": "bay", "stars": ["4", "5"]}


def test_several_bad_parameters_are_all_named(app: Flask) -> None:
    with pytest.raises(SearchParamsError) as caught:
        parse(app, near="north", bbox="1,2,3,4,5", limit="100")

    assert set(caught.value.errors) == {"near", "bbox", "limit"}


def test_a_facet_value_is_named_by_the_feature_that_knows_it(app: Flask) -> None:
    other = Flask(__name__)
    register_facet_labels(other, Facet.CATEGORY, {"cave": "Hang động"}.get)
    register_facet_labels(other, Facet.CATEGORY, lambda value: f"Kind {int(value)}")

    assert facet_label(other, Facet.CATEGORY, "cave") == "Hang động"
    assert facet_label(other, Facet.CATEGORY, "7") == "Kind 7"
    assert facet_label(other, Facet.CATEGORY, "hotel") == "hotel"  # nobody names it


@pytest.mark.parametrize(
    ("today", "saturday"),
    [
        (dt.date(2026, 11, 25), dt.date(2026, 11, 28)),  # Wednesday: the coming one
        (dt.date(2026, 11, 28), dt.date(2026, 11, 28)),  # Saturday: this one
        (dt.date(2026, 11, 29), dt.date(2026, 11, 28)),  # Sunday: still this one
        (dt.date(2026, 11, 30), dt.date(2026, 12, 5)),  # Monday: the next
    ],
)
def test_this_weekend(today: dt.date, saturday: dt.date) -> None:
    assert this_weekend(today) == (saturday, saturday + dt.timedelta(days=1))
