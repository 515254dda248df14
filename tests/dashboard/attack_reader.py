"""The attacker's reading: every figure the department's pages, files and API give.

A tourism officer signed in (and with an API token) reads, through HTTP, the pages'
XLSX files (the same tables as the pages and their CSV files), the headline figures
of the overview's HTML, ``/api/v1/statistics/occupancy`` and ``/statistics/now``, and
records each figure by its atoms (``attack_world``).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from lodging.properties.models import EstablishmentKind
from portal.dashboard import pages
from tests.dashboard.attack_solver import Knowledge, Values
from tests.dashboard.attack_world import COUNTRIES, DAY, Figure, World, countries_of

EVERY_COUNTRY = frozenset(COUNTRIES)
PLACE_GROUPS = ("commune", "kind", "stars", "establishment")
TIME = "time"
HEADLINES = {
    "Guests staying tonight": "now",
    "Arrivals today": "now",
    "Room occupancy this month": "month",
}


def span_of(label: str, period: str, first_day: dt.date, last_day: dt.date) -> tuple[dt.date, ...]:
    """The days an over-time row's label stands for, inside the range."""
    if period == "day":
        first = last = dt.date.fromisoformat(label)
    elif period == "week":
        year, week = label.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        last = first + 6 * DAY
    elif period == "month":
        first = dt.date.fromisoformat(f"{label}-01")
        last = (first + 32 * DAY).replace(day=1) - DAY
    else:
        first, last = dt.date(int(label), 1, 1), dt.date(int(label), 12, 31)
    return max(first, first_day), min(last, last_day)


def _labels(app: Flask, world: World) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """English sheet titles to what they group by, and each grouping's labels to keys."""
    keys: dict[str, list[Any]] = {
        "commune": sorted({p.commune_code for p in world.places}),
        "kind": [kind.value for kind in EstablishmentKind],
        "stars": [None, 1, 2, 3, 4, 5],
        "residence_country": list(COUNTRIES),
        "international": ["international", "domestic"],
    }
    with app.test_request_context("/en/dashboard/"):
        titles = {str(title): group for group, title in pages.GROUP_TITLES.items()}
        titles["Over time"] = TIME
        labels = {g: {pages.LABELLERS[g](k): k for k in ks} for g, ks in keys.items()}
    labels["establishment"] = {p.name: p.id for p in world.places}
    return titles, labels


@dataclass
class Reader:
    app: Flask
    client: FlaskClient
    world: World
    token: str
    facts: Knowledge = field(default_factory=Knowledge)
    titles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.titles, self.labels = _labels(self.app, self.world)

    def places(self, args: dict[str, Any]) -> frozenset[int]:
        """The establishments a query's filters leave."""
        chosen = self.world.everywhere()
        for name, group_by in (("commune", "commune"), ("establishment", "establishment")):
            if name in args:
                chosen &= self.world.of_group(group_by, int(args[name]))
        if "kind" in args:
            chosen &= self.world.of_group("kind", args["kind"])
        if "stars" in args:
            chosen &= self.world.of_group("stars", int(args["stars"]))
        return chosen

    def figure(self, group_by: str, key: Any, places: frozenset[int], span: Any) -> Figure:
        if group_by in PLACE_GROUPS:
            places &= self.world.of_group(group_by, key)
        return places, countries_of(group_by, key), tuple(span)

    def page(self, path: str, args: dict[str, Any], places: frozenset[int]) -> None:
        """Every table of a page, from its XLSX file."""
        answer = self.client.get(path, query_string={**args, "format": "xlsx"})
        assert answer.status_code == 200, (path, args, answer.status_code)
        book = load_workbook(io.BytesIO(answer.data), read_only=True)
        first = dt.date.fromisoformat(args["from"])
        last = dt.date.fromisoformat(args["to"])
        for sheet in book.worksheets:
            lines = list(sheet.values)
            end = next((i for i, line in enumerate(lines) if not any(line)), len(lines))
            header, rows = [str(c) for c in lines[0]], lines[1:end]
            meaning = self.titles[sheet.title.split(" ", 1)[1]]
            where = f"page {path}?{_query(args)} [{sheet.title}]"
            whole = (places, EVERY_COUNTRY, (first, last))
            parts = []
            for row in rows:
                cells = dict(zip(header, row, strict=True))
                label = str(row[0])
                if meaning == TIME:
                    span = span_of(label, args.get("period", "month"), first, last)
                    figure: Figure = (places, EVERY_COUNTRY, span)  # type: ignore[assignment]
                else:
                    key = self.labels[meaning][label]
                    figure = self.figure(meaning, key, places, (first, last))
                parts.append(figure)
                self.facts.read(figure, _values(cells), where=f"{where} {label}")
            self.facts.missing(whole, parts)

    def headline(self, args: dict[str, Any], places: frozenset[int]) -> None:
        """The overview's headline: tonight's guests, today's arrivals, this month."""
        answer = self.client.get("/en/dashboard/", query_string=args)
        assert answer.status_code == 200
        body = answer.get_data(as_text=True)
        today = self.world.today
        spans = {"now": (today, today), "month": (today.replace(day=1), today)}
        for title, when in HEADLINES.items():
            span = spans[when]
            match = re.search(rf"<dt>{title}</dt><dd>(.*?)</dd>", body, re.DOTALL)
            assert match, title
            shown = html.unescape(match[1])
            if "No data" in shown or "<abbr" in shown:
                continue
            where = f"headline {_query(args)} {title} = {shown}"
            self.facts.partly((places, EVERY_COUNTRY, span), where=where)

    def api(self, args: dict[str, Any]) -> None:
        """One answer of ``/api/v1/statistics/occupancy``."""
        answer = self.client.get(
            "/api/v1/statistics/occupancy", query_string=args, headers=self._bearer()
        )
        assert answer.status_code == 200, (args, answer.get_data(as_text=True))
        places = self.places(args)
        group_by = args.get("group_by", "total")
        first = dt.date.fromisoformat(args["from"])
        last = dt.date.fromisoformat(args["to"])
        by_span: dict[Any, list[Figure]] = {}
        for row in answer.get_json()["rows"]:
            span = (dt.date.fromisoformat(row["first_day"]), dt.date.fromisoformat(row["last_day"]))
            figure = self.figure(group_by, row["group"], places, span)
            values = (
                None if row["suppressed"] else (row["arrivals"], row["nights"], row["same_day"])
            )
            where = f"api {_query(args)} {row['period']} {row['group']}"
            self.facts.read(figure, values, where=where)
            by_span.setdefault(span, []).append(figure)
        if group_by == "total":
            self.facts.missing(
                (places, EVERY_COUNTRY, (first, last)),
                [f for parts in by_span.values() for f in parts],
            )
        for span, parts in by_span.items():
            self.facts.missing((places, EVERY_COUNTRY, span), parts)

    def now(self) -> None:
        """``/api/v1/statistics/now``: tonight's guests and today's arrivals by commune."""
        answer = self.client.get("/api/v1/statistics/now", headers=self._bearer())
        assert answer.status_code == 200
        today = self.world.today
        parts = []
        for row in answer.get_json()["rows"]:
            figure = self.figure("commune", row["commune_code"], self.world.everywhere(), ())
            figure = (figure[0], figure[1], (today, today))
            values = (
                None
                if row["suppressed"]
                else (row["arrivals"], row["guests_present"], row["same_day"])
            )
            self.facts.read(figure, values, where=f"now {row['commune']}")
            parts.append(figure)
        self.facts.missing((self.world.everywhere(), EVERY_COUNTRY, (today, today)), parts)

    def _bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _values(cells: dict[str, Any]) -> Values | None:
    names = ("Arrivals (overnight)", "Guest-nights", "Same-day guests")
    if any(isinstance(cells[name], str) for name in names):  # "<5"
        return None
    return tuple(int(cells[name]) for name in names)


def _query(args: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in args.items())
