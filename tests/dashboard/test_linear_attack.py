"""The differencing attack by linear algebra: no small figure can be worked out.

For random provinces, a tourism officer reads through HTTP what the department can ask
for over two months, one period at a time: the overview, every commune's and
establishment's drill-down and the monthly summaries as XLSX (the same tables as the
CSV files and the HTML, checked below), with every grouping, filtered by each commune,
kind, stars and establishment; the overview's headline under every filter;
``/api/v1/statistics/occupancy`` with its groupings and filters; ``/statistics/now``.
Each figure is a sum of atoms (an establishment's guests of one country on one day).
Whatever combination of additions and subtractions of the published figures (and of
the zeros they show) the attacker tries, no figure from fewer than the threshold's
guests comes out: its atoms are not a combination of the published ones'.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from lodging.statistics import measures
from lodging.statistics.disclosure import is_small
from lodging.statistics.measures import Scope
from portal.dashboard.filters import GROUPS
from tests.dashboard.attack_reader import Reader
from tests.dashboard.attack_solver import Knowledge, leaks
from tests.dashboard.attack_world import DAY, World, build_world
from tests.factories import log_in, make_user

PAGE_PERIODS = ("day", "week", "month", "year")
API_PERIODS = ("day", "month")
MIN_CELL = 5  # the test settings' threshold
API_GROUPS = ("total", "commune", "kind", "residence_country")
Args = dict[str, Any]


def _span(first: dt.date, last: dt.date, period: str, group_by: str = "commune") -> Args:
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "period": period,
        "group_by": group_by,
    }


def filters(world: World) -> list[Args]:
    """Each commune, kind, stars and establishment the filter form offers."""
    found: list[Args] = [{"commune": c} for c in sorted({p.commune_code for p in world.places})]
    found += [{"kind": k} for k in sorted({p.kind.value for p in world.places})]
    found += [{"stars": s} for s in sorted({p.stars for p in world.places if p.stars})]
    return found + [{"establishment": p.id} for p in world.places]


def page_plan(
    world: World, rng: random.Random, span: tuple[dt.date, dt.date], period: str
) -> Iterator[tuple[str, Args]]:
    """The pages an officer can open, with what the filter form can send (some of it)."""
    communes = [
        f"/en/dashboard/communes/{c}" for c in sorted({p.commune_code for p in world.places})
    ]
    for group_by in GROUPS:
        args = _span(*span, period, group_by)
        yield "/en/dashboard/", args
        yield from ((path, args) for path in communes)
        yield from (("/en/dashboard/", {**args, **extra}) for extra in filters(world))
        for extra in rng.sample(filters(world)[len(communes) :], 4):
            yield rng.choice(communes), {**args, **extra}
    for place in world.places:
        yield f"/en/dashboard/establishments/{place.id}", _span(*span, period)


def api_plan(span: tuple[dt.date, dt.date], period: str, world: World) -> Iterator[Args]:
    """``/statistics/occupancy`` with its groupings and filters (not by establishment)."""
    for group_by in API_GROUPS:
        for extra in [{}, *filters(world)[: -len(world.places)]]:
            yield {**_span(*span, period, group_by), **extra}


def read_pages(reader: Reader, plan: Iterable[tuple[str, Args]]) -> None:
    for path, args in plan:
        places = reader.places(args)
        if "/communes/" in path:  # the commune in the path, whatever the query says
            places = reader.places({**args, "commune": int(path.rsplit("/", 1)[1])})
        elif "/establishments/" in path:
            places &= frozenset({int(path.rsplit("/", 1)[1])})
        reader.page(path, args, places)


def read_today(reader: Reader, world: World) -> None:
    """The overview's headline for every filter, ``/statistics/now``."""
    for extra in [{}, *filters(world)]:
        reader.headline(extra, reader.places(extra))
    reader.now()


def read_summaries(reader: Reader, world: World) -> None:
    for month in (world.first_day, world.last_day.replace(day=1)):
        last = (month + 32 * DAY).replace(day=1) - DAY
        args = {"month": month.strftime("%Y-%m"), "from": month.isoformat(), "to": last.isoformat()}
        reader.page("/en/dashboard/summary", args, world.everywhere())


def small_leaks(session: Session, facts: Knowledge) -> list[str]:
    """The figures worked out that are from fewer than the threshold's guests."""
    found = []
    for leak in leaks(facts):
        places, countries, (first, last) = leak.figure
        rows = measures.occupancy(
            session,
            first_day=first,
            last_day=last,
            period="year",
            group_by="residence_country",
            scope=Scope(establishment_ids=sorted(places)),
        )
        guests = sum(row.guests for row in rows if row.group in countries)
        if is_small(guests, MIN_CELL):
            found.append(f"{guests} guests: {leak}")
    return found


@pytest.fixture
def officer_reader(app: Flask, client: FlaskClient, db_session: Session) -> Any:
    def start(world: World) -> Reader:
        officer = make_user(db_session, Role.TOURISM_OFFICER)
        token = accounts.create_api_token(db_session, officer, "ioc", utcnow())
        db_session.commit()
        log_in(client, officer.email)
        return Reader(app, client, world, token)

    return start


@pytest.mark.parametrize(("seed", "period"), [(1, "day"), (2, "week"), (3, "month"), (4, "year")])
def test_no_small_figure_is_a_combination_of_published_ones(
    db_session: Session, officer_reader: Any, seed: int, period: str
):
    world = build_world(db_session, seed)
    reader = officer_reader(world)
    span = (world.first_day, world.last_day)
    read_pages(reader, page_plan(world, random.Random(seed), span, period))
    read_summaries(reader, world)
    read_today(reader, world)
    for args in api_plan(span, period, world) if period in API_PERIODS else ():
        reader.api(args)

    facts = reader.facts
    assert len(facts.published) > 20
    assert facts.suppressed, "the random province has small figures to protect"
    assert facts.surfaces == {
        "page",
        "headline",
        "now",
        *(["api"] if period in API_PERIODS else []),
    }
    found = small_leaks(db_session, facts)
    assert not found, f"{len(found)} of {len(facts.suppressed)} leak:\n" + "\n".join(found[:12])


def _trimmed(line: list[Any]) -> list[Any]:
    """A line without its empty cells at the end, numbers as numbers."""
    cells = ["" if cell is None else str(cell) for cell in line]
    while cells and not cells[-1]:
        cells.pop()
    return [float(c) if c.replace(".", "", 1).isdigit() else c for c in cells]


def _csv_lines(body: bytes) -> list[list[str]]:
    return [_trimmed(line) for line in csv.reader(io.StringIO(body.decode().lstrip("\ufeff")))]


@pytest.mark.parametrize("path", ["/en/dashboard/", "/en/dashboard/communes/{commune}"])
def test_the_xlsx_file_holds_what_the_csv_files_and_the_page_show(
    client: FlaskClient, db_session: Session, officer_reader: Any, path: str
):
    world = build_world(db_session, 4)
    officer_reader(world)
    path = path.format(commune=world.places[0].commune_code)
    args = _span(world.first_day, world.last_day, "day", "residence_country")
    book = load_workbook(io.BytesIO(client.get(path, query_string={**args, "format": "xlsx"}).data))
    page = client.get(path, query_string=args).get_data(as_text=True)
    suppressed = 0
    for index, sheet in enumerate(book.worksheets):
        lines = [_trimmed(list(line)) for line in sheet.values]
        answer = client.get(path, query_string={**args, "format": "csv", "table": index})
        assert _csv_lines(answer.data) == lines
        suppressed += sum(cell == "<5" for line in lines for cell in line)
    assert suppressed, "the random province has small figures to protect"
    assert page.count("&lt;5</abbr>") == suppressed


@pytest.mark.parametrize("seed", [6, 7])
def test_no_small_figure_comes_out_of_other_ranges_and_periods(
    db_session: Session, officer_reader: Any, seed: int
):
    """The two months by every period, each month, up to today and random days, at once."""
    world = build_world(db_session, seed)
    reader = officer_reader(world)
    second = world.last_day.replace(day=1)
    rng = random.Random(seed)
    a, b = sorted(rng.sample(range((world.last_day - world.first_day).days), 2))
    spans = [
        ((world.first_day, world.last_day), PAGE_PERIODS),
        ((world.first_day, second - DAY), ("month", "day")),
        ((second, world.last_day), ("month", "day")),
        ((world.first_day, world.today), ("month",)),
        ((world.first_day + a * DAY, world.first_day + b * DAY), ("month",)),
    ]
    for span, periods in spans:
        for period in periods:
            plan = page_plan(world, random.Random(seed), span, period)
            read_pages(reader, [(path, args) for path, args in plan if len(args) == 4])
    read_summaries(reader, world)
    read_today(reader, world)

    facts = reader.facts
    assert facts.suppressed, "the random province has small figures to protect"
    found = small_leaks(db_session, facts)
    assert not found, f"{len(found)} of {len(facts.suppressed)} leak:\n" + "\n".join(found[:12])
