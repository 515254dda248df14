"""Money from the monthly reports: the figures' arithmetic and the disclosure rule.

The disclosure test is an attack: for random reports and bookings, an officer reads
every grouping of every month and works out, again and again, any figure that is
the only unknown of a sum the tables publish (groups to the month's total, and
international plus domestic to it). No suppressed figure may come out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

import pytest

from core.auth.roles import Role
from core.clock import local_now, utcnow
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.statistics.money import MONEY_GROUPS, MoneyRow, monthly_money
from lodging.statistics.monthly_report import MonthlyReport, ReportStatus
from tests.factories import make_establishment, make_user


def last_month() -> dt.date:
    return (local_now().date().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def days_in(month: dt.date) -> int:
    return ((month + dt.timedelta(days=32)).replace(day=1) - month).days


def add_report(
    session: Any,
    place: Establishment,
    month: dt.date,
    *,
    international: int | None,
    domestic: int | None,
    room_nights: int = 10,
    rooms_available: int = 90,
    version: int = 1,
) -> MonthlyReport:
    report = MonthlyReport(
        establishment_id=place.id,
        year=month.year,
        month=month.month,
        version=version,
        status=ReportStatus.SUBMITTED,
        room_nights=room_nights,
        rooms_available=rooms_available,
        revenue_international=international,
        revenue_domestic=domestic,
        created_at=utcnow(),
        submitted_at=utcnow(),
    )
    session.add(report)
    session.flush()
    return report


def money(session: Any, month: dt.date, group_by: Any = "total", **kwargs: Any) -> list[MoneyRow]:
    values: dict[str, Any] = {"min_cell": 0, "booked": {}}
    values.update(kwargs)
    return monthly_money(session, first_month=month, last_month=month, group_by=group_by, **values)


def test_revenue_adr_revpar_and_coverage_of_the_reporting_establishments(db_session):
    month = last_month()
    owner = make_user(db_session, Role.LODGING_OWNER)
    a, b, c, d = (make_establishment(db_session, owner=owner) for _ in range(4))
    add_report(db_session, a, month, international=1_000_000, domestic=2_000_000, room_nights=10)
    add_report(db_session, b, month, international=None, domestic=3_000_000, room_nights=20)
    add_report(db_session, d, month, international=None, domestic=None, room_nights=50)
    # c has not reported; d submitted without revenue: neither is in the figures.
    booked = {(a.id, month): 700_000, (c.id, month): 300_000}
    (total,) = money(db_session, month, booked=booked)
    assert total.revenue == 6_000_000
    assert (total.reporting, total.establishments) == (2, 4)
    assert total.adr == pytest.approx(6_000_000 / 30)  # room-nights of a and b only
    assert total.revpar == pytest.approx(6_000_000 / 180)  # their room-days only
    assert total.establishments_coverage == pytest.approx(50.0)
    assert total.room_days == 4 * 3 * days_in(month)  # three rooms each, the ledger's
    assert total.room_days_coverage == pytest.approx(50.0)
    assert total.booked == 1_000_000  # booked counts whether or not a report came
    assert not total.suppressed


def test_by_origin_only_revenue_and_who_entered_it(db_session):
    month = last_month()
    a, b = make_establishment(db_session), make_establishment(db_session)
    add_report(db_session, a, month, international=1_000_000, domestic=2_000_000)
    add_report(db_session, b, month, international=None, domestic=3_000_000)
    total, international, domestic = money(db_session, month, "international")
    assert (international.group, international.revenue, international.reporting) == (
        "international",
        1_000_000,
        1,
    )
    assert (domestic.revenue, domestic.reporting) == (5_000_000, 2)
    assert (international.revenue or 0) + (domestic.revenue or 0) == total.revenue
    assert international.adr is None
    assert international.booked is None


def test_the_version_in_force_counts(db_session):
    month = last_month()
    a = make_establishment(db_session)
    add_report(db_session, a, month, international=0, domestic=1_000_000)
    add_report(db_session, a, month, international=0, domestic=4_000_000, version=2)
    (total,) = money(db_session, month)
    assert total.revenue == 4_000_000


def test_a_month_nobody_reported_has_no_figures(db_session):
    make_establishment(db_session)
    (total,) = money(db_session, last_month())
    assert total.revenue is None
    assert total.adr is None
    assert total.revpar is None
    assert total.establishments_coverage == 0


def test_a_small_commune_and_its_complement_are_hidden(db_session):
    """Hạ Long has one reporting hotel: hidden, and Bãi Cháy too, or total - Bãi Cháy = it."""
    month = last_month()
    for n in range(4):
        add_report(
            db_session, make_establishment(db_session), month, international=0, domestic=n + 1
        )
    lonely = make_establishment(db_session, commune="Hạ Long")
    add_report(db_session, lonely, month, international=0, domestic=5_000_000)
    total, *communes = money(db_session, month, "commune", min_cell=3)
    assert not total.suppressed
    assert total.revenue == 5_000_010
    by_code = {row.group: row for row in communes}
    assert by_code[lonely.commune_code].suppressed
    assert by_code[lonely.commune_code].revenue is None
    assert all(row.suppressed for row in communes)  # the complement went too
    assert all(row.adr is None and row.revpar is None and row.booked is None for row in communes)
    # Coverage is no business figure: it stays.
    assert by_code[lonely.commune_code].reporting == 1


def test_an_owner_sees_their_own_figures_unsuppressed(db_session):
    month = last_month()
    a = make_establishment(db_session)
    add_report(db_session, a, month, international=0, domestic=1_000_000)
    (total,) = money(db_session, month, establishment_ids=[a.id], min_cell=0)
    assert total.revenue == 1_000_000
    assert not total.suppressed
    assert money(db_session, month, establishment_ids=[]) == []


# The attack.

COMMUNES = ("Bãi Cháy", "Hạ Long", "Tuần Châu")
KINDS = (EstablishmentKind.HOTEL, EstablishmentKind.HOMESTAY)
MIN_CELL = 3
PLACE_ATTRIBUTES = {"commune": "commune_code", "kind": "kind", "stars": "stars"}


def _random_province(session: Any, rng: random.Random, months: list[dt.date]) -> Any:
    places = []
    for _ in range(9):
        kind = rng.choice(KINDS)
        stars = rng.choice((None, 3, 4)) if kind is EstablishmentKind.HOTEL else None
        places.append(
            make_establishment(session, commune=rng.choice(COMMUNES), kind=kind, stars=stars)
        )
    entered: dict[tuple[int, dt.date], tuple[int | None, int | None]] = {}
    booked: dict[tuple[int, dt.date], int] = {}
    for month in months:
        for place in places:
            if rng.random() < 0.75:
                values = tuple(rng.choice((None, 0, rng.randrange(1, 10**7))) for _ in range(2))
                add_report(session, place, month, international=values[0], domestic=values[1])
                entered[(place.id, month)] = values  # type: ignore[assignment]
            if rng.random() < 0.4:
                booked[(place.id, month)] = rng.randrange(1, 10**6)
    return places, entered, booked


def _names(data, month, group_by, group) -> dict[str, Any]:
    """What each of a row's figures adds up: the strongest attacker knows who reported."""
    places, entered, booked = data
    if group_by == "international":
        part = 0 if group == "international" else 1
        atoms = {(e, part) for (e, m), v in entered.items() if m == month and v[part]}
        return {"revenue": ("revenue", frozenset(atoms), month)}
    members = {
        p.id
        for p in places
        if group_by == "total" or str(getattr(p, PLACE_ATTRIBUTES[group_by]) or 0) == str(group)
    }
    atoms = {
        (e, part)
        for (e, m), v in entered.items()
        if m == month and e in members
        for part in (0, 1)
        if v[part]
    }
    bookers = {e for (e, m), n in booked.items() if m == month and e in members and n}
    return {
        "revenue": ("revenue", frozenset(atoms), month),
        "booked": ("booked", frozenset(bookers), month),
    }


def _solve(known: dict[Any, int], sums: list[tuple[Any, list[Any]]]) -> dict[Any, int]:
    """Every figure a sum leaves as its only unknown, to a fixed point."""
    known = dict(known)
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            if total in parts:  # the group is the whole: it says nothing new
                continue
            unknown = {name for name in (total, *parts) if name not in known}
            if len(unknown) != 1:
                continue
            (name,) = unknown
            rest = sum(known[p] for p in parts if p != name)
            known[name] = rest if name == total else known[total] - rest
            changed = True
    return known


@pytest.mark.parametrize("seed", range(4))
def test_no_suppressed_figure_comes_out_of_a_subtraction(db_session, seed):
    rng = random.Random(seed)
    first = last_month()
    months = [(first - dt.timedelta(days=1)).replace(day=1), first]
    data = _random_province(db_session, rng, months)
    booked = data[2]
    known: dict[Any, int] = {}
    suppressed: set[Any] = set()
    sums: list[tuple[Any, list[Any]]] = []
    for group_by in MONEY_GROUPS:
        found = monthly_money(
            db_session,
            first_month=months[0],
            last_month=months[1],
            group_by=group_by,
            min_cell=MIN_CELL,
            booked=booked,
        )
        parts: dict[Any, list[Any]] = defaultdict(list)
        for row in found:
            level = "total" if row.group is None else group_by
            names = _names(data, row.month, level, row.group)
            for figure, name in names.items():
                value = row.revenue if figure == "revenue" else row.booked
                if row.suppressed:
                    suppressed.add(name)
                else:  # nothing reported or booked adds nothing
                    known[name] = value or 0
                if row.group is not None:
                    parts[(figure, row.month)].append(name)
        for (figure, month), group_names in parts.items():
            total = _names(data, month, "total", None)[figure]
            sums.append((total, group_names))
    assert suppressed, "the data should have small groups"
    worked_out = _solve(known, sums)
    # Empty figures (nothing entered, nothing booked) are zeros: no secret.
    leaked = {name for name in suppressed if name in worked_out and name[1]}
    assert not leaked
