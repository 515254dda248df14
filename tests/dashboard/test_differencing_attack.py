"""An attack on the small-cell rule: nothing suppressed can be worked out by subtraction.

For random stays in three communes, the attacker (a tourism officer) reads everything
the dashboard offers over one range: the overview, every commune's and establishment's
drill-down, for every period and every grouping, and the API's occupancy for every
period and grouping. Every figure is named by what it counts (which establishments,
which guests, which days), so the same figure read on two pages is one unknown. Then
every sum the attacker knows (groups to their total, periods to the range, a commune's
establishments to the commune) is used, again and again, to work out any figure it
leaves as the only unknown. None of them may be one the portal suppressed.

The pages' tables are the ones their CSV and XLSX files are written from.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import VIETNAM, local_now, utcnow
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration.declarations import DeclarationError, ForeignerInput
from lodging.registration.models import GuestRole
from lodging.statistics.measures import Period
from portal.dashboard import pages
from portal.dashboard.filters import GROUPS, PERIODS, Filters
from portal.dashboard.tables import Table
from tests.factories import citizen, declare, foreigner, make_establishment, make_user, stay_input

MIN_CELL = 5
MEASURES = ("arrivals", "nights")
API_PERIODS = ("day", "month")
API_GROUPS = ("total", "commune", "kind", "residence_country")
COMMUNES = ("Bãi Cháy", "Hạ Long", "Tuần Châu")
COUNTRIES = ("VN", "VN", "VN", "KR", "JP")
EVERYONE = None  # the guests part of a figure's name: every guest

# A figure's name: the measure, the establishments, which guests, the days.
Name = tuple[str, frozenset[int], Any, tuple[dt.date, dt.date]]


@dataclass
class Knowledge:
    """What the attacker read: figures, the suppressed ones, and the sums between them."""

    known: dict[Name, int] = field(default_factory=dict)
    suppressed: set[Name] = field(default_factory=set)
    sums: list[tuple[Name, list[Name]]] = field(default_factory=list)

    def read(self, name: Name, value: int | None, hidden: bool) -> None:
        if hidden:
            self.suppressed.add(name)
        else:
            assert value is not None
            assert self.known.setdefault(name, value) == value, name  # one figure, one value

    def add_sum(self, total: Name, parts: Iterable[Name]) -> None:
        self.sums.append((total, list(parts)))

    def work_out(self) -> dict[Name, int]:
        """Every figure the sums give away, until they give no more."""
        known = dict(self.known)
        changed = True
        while changed:
            changed = False
            for total, parts in self.sums:
                unknown = [n for n in (total, *parts) if n not in known]
                if len(unknown) == 1:
                    (name,) = unknown
                    rest = sum(known[p] for p in parts if p != name)
                    known[name] = known[total] - rest if name != total else rest
                    changed = True
                elif not unknown:
                    assert known[total] == sum(known[p] for p in parts), (total, parts)
        return known


@dataclass
class World:
    places: list[Establishment]
    first_day: dt.date
    last_day: dt.date

    def everywhere(self) -> frozenset[int]:
        return frozenset(p.id for p in self.places)

    def where(self, **attrs: Any) -> frozenset[int]:
        return frozenset(
            p.id for p in self.places if all(getattr(p, k) == v for k, v in attrs.items())
        )

    def place_set(self, group_by: str, key: Any, inside: frozenset[int]) -> frozenset[int]:
        attribute = {"commune": "commune_code", "kind": "kind", "stars": "stars"}[group_by]
        if group_by == "kind":
            key = EstablishmentKind(key)
        return inside & self.where(**{attribute: key})


def _stay_guests(rng: random.Random, serial: list[int], arrival: dt.date) -> tuple[Any, ...]:
    guests = []
    for i in range(rng.choice((1, 1, 2, 3))):
        serial[0] += 1
        country = rng.choice(COUNTRIES)
        if country == "VN":
            guest = citizen(document_number=f"0011900{serial[0]:05d}")
        else:
            guest = foreigner(document_number=f"M{serial[0]:08d}", residence_country=country)
            assert guest.foreigner is not None
            entered: ForeignerInput = replace(
                guest.foreigner, entry_date=arrival - dt.timedelta(days=1)
            )
            guest = replace(guest, foreigner=entered)
        if i == 0:
            guests.append(replace(guest, role=GuestRole.HEAD))
        else:
            guests.append(replace(guest, role=GuestRole.MEMBER, relationship="friend"))
    return tuple(guests)


def build_world(session: Session, seed: int) -> World:
    """Six establishments in three communes, random stays over two past months."""
    rng = random.Random(seed)
    this_month = local_now().date().replace(day=1)
    first = (this_month - dt.timedelta(days=62)).replace(day=1)
    last = this_month - dt.timedelta(days=1)
    places = []
    for n, commune in enumerate(COMMUNES * 2):
        kind = (EstablishmentKind.HOTEL, EstablishmentKind.HOMESTAY)[n % 2]
        places.append(
            make_establishment(
                session,
                name=f"Nơi ở {n}",
                commune=commune,
                kind=kind,
                stars=rng.choice((2, 3)) if kind is EstablishmentKind.HOTEL else None,
                rooms=("101", "102", "103", "104"),
            )
        )
    serial = [0]
    for _ in range(rng.randint(20, 30)):
        place = rng.choice(places)
        arrival = first + dt.timedelta(days=rng.randrange((last - first).days - 3))
        data = stay_input(
            *_stay_guests(rng, serial, arrival),
            room=rng.choice(("101", "102", "103", "104")),
            arrival=dt.datetime.combine(arrival, dt.time(14), tzinfo=VIETNAM),
            expected_departure=arrival + dt.timedelta(days=rng.randint(1, 3)),
        )
        try:
            declare(session, place, data)
        except DeclarationError:  # a room taken on those nights: draw again
            session.rollback()
    return World(places, first, last)


def span_of(label: str, period: str, world: World) -> tuple[dt.date, dt.date]:
    """The days an over-time row's label stands for, inside the range."""
    if period == "day":
        first = last = dt.date.fromisoformat(label)
    elif period == "week":
        year, week = label.split("-W")
        first = dt.date.fromisocalendar(int(year), int(week), 1)
        last = first + dt.timedelta(days=6)
    elif period == "month":
        first = dt.date.fromisoformat(f"{label}-01")
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    else:
        first, last = dt.date(int(label), 1, 1), dt.date(int(label), 12, 31)
    return max(first, world.first_day), min(last, world.last_day)


def guests_part(group_by: str, key: Any) -> Any:
    return (group_by, key) if group_by in {"residence_country", "international"} else EVERYONE


def read_over_time(  # noqa: PLR0917 - the table, where its figures come from, and whose
    facts: Knowledge, table: Table, period: str, world: World, places: frozenset[int], who: Any
) -> None:
    whole = (world.first_day, world.last_day)
    for measure in MEASURES:
        column = next(c for c in table.columns if c.key == measure)
        names = []
        for row in table.rows:
            name = (measure, places, who, span_of(str(row.values["period"]), period, world))
            facts.read(name, table.cell(row, column), row.suppressed)  # type: ignore[arg-type]
            names.append(name)
        facts.add_sum((measure, places, who, whole), names)


def read_groups(
    facts: Knowledge, table: Table, group_by: str, world: World, places: frozenset[int]
) -> None:
    """A table by group over the range: its rows add up to the places' range figure."""
    whole = (world.first_day, world.last_day)
    for measure in MEASURES:
        column = next(c for c in table.columns if c.key == measure)
        names = []
        for row in table.rows:
            who = guests_part(group_by, row.key)
            where = places if who is not EVERYONE else _places(group_by, row.key, world, places)
            name = (measure, where, who, whole)
            facts.read(name, table.cell(row, column), row.suppressed)  # type: ignore[arg-type]
            names.append(name)
        facts.add_sum((measure, places, EVERYONE, whole), names)


def _places(group_by: str, key: Any, world: World, inside: frozenset[int]) -> frozenset[int]:
    if group_by == "establishment":
        return frozenset({int(key)})
    return world.place_set(group_by, key, inside)


def read_pages(facts: Knowledge, session: Session, world: World, period: Period) -> None:
    base = replace(Filters(first_day=world.first_day, last_day=world.last_day), period=period)
    everywhere = world.everywhere()
    for group_by in GROUPS:
        filters = replace(base, group_by=group_by)
        page = pages.overview(
            session,
            filters,
            today=local_now().date(),
            min_cell=MIN_CELL,
            establishment_ids=None,
            commune_link=lambda _k: None,
            place_link=lambda _k: None,
        )
        time, *groups = page.sections
        read_over_time(facts, time.table, period, world, everywhere, EVERYONE)
        bys = [*([group_by] if group_by != "commune" else []), "commune"]
        for section, by in zip(groups, bys, strict=True):
            read_groups(facts, section.table, by, world, everywhere)
        for commune in {p.commune_code for p in world.places}:
            inside = world.where(commune_code=commune)
            drill = pages.commune_page(
                session,
                replace(filters, commune_code=commune),
                min_cell=MIN_CELL,
                place_link=lambda _k: None,
            )
            time, *groups = drill.sections
            read_over_time(facts, time.table, period, world, inside, EVERYONE)
            bys = ["establishment", *([group_by] if group_by != "commune" else [])]
            for section, by in zip(groups, bys, strict=True):
                read_groups(facts, section.table, by, world, inside)
    for place in world.places:
        own = frozenset({place.id})
        page = pages.establishment_page(
            session, replace(base, establishment_id=place.id), min_cell=MIN_CELL
        )
        time, countries, origins = page.sections
        read_over_time(facts, time.table, period, world, own, EVERYONE)
        read_groups(facts, countries.table, "residence_country", world, own)
        read_groups(facts, origins.table, "international", world, own)


def read_api(facts: Knowledge, client: FlaskClient, headers: dict[str, str], world: World) -> None:
    whole = (world.first_day, world.last_day)
    everywhere = world.everywhere()
    for period in API_PERIODS:
        for group_by in API_GROUPS:
            args = {
                "from": world.first_day.isoformat(),
                "to": world.last_day.isoformat(),
                "period": period,
                "group_by": group_by,
            }
            answer = client.get("/api/v1/statistics/occupancy", query_string=args, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            by_span: dict[tuple[str, Any], list[Name]] = defaultdict(list)
            by_group: dict[tuple[str, Any, Any], list[Name]] = defaultdict(list)
            for row in answer.get_json()["rows"]:
                span = (
                    dt.date.fromisoformat(row["first_day"]),
                    dt.date.fromisoformat(row["last_day"]),
                )
                key = row["group"]
                who = guests_part(group_by, key)
                where = everywhere
                if group_by in {"commune", "kind"}:
                    where = world.place_set(group_by, key, everywhere)
                for measure in MEASURES:
                    name = (measure, where, who, span)
                    facts.read(name, row[measure], row["suppressed"])
                    by_span[measure, span].append(name)
                    by_group[measure, where, who].append(name)
            for (measure, span), names in by_span.items():
                if group_by != "total":
                    facts.add_sum((measure, everywhere, EVERYONE, span), names)
            for (measure, where, who), names in by_group.items():
                facts.add_sum((measure, where, who, whole), names)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_suppressed_figure_can_be_worked_out_by_subtraction(
    app: Flask, client: FlaskClient, db_session: Session, seed: int
):
    world = build_world(db_session, seed)
    officer = make_user(db_session, Role.TOURISM_OFFICER)
    token = accounts.create_api_token(db_session, officer, "ioc", utcnow())
    db_session.commit()
    facts = Knowledge()
    with app.test_request_context("/en/dashboard/"):
        for period in PERIODS:
            read_pages(facts, db_session, world, period)
    read_api(facts, client, {"Authorization": f"Bearer {token}"}, world)

    assert facts.suppressed, "the random data has small figures to protect"
    assert len(facts.known) > 100
    worked_out = facts.work_out()
    leaked = {name: worked_out[name] for name in facts.suppressed if name in worked_out}
    assert leaked == {}
