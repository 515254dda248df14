"""A small province by hand: two hotels, stays in one past month, an officer and owners.

Hotel A (3 double rooms, owner ``owner``): five guests in the month, so its figures
are published. Hotel B (another owner): one guest, so the department sees "<5".

Month M (the month before last):
- A, room 101: three Vietnamese guests from M+2 to M+5: 3 arrivals, 9 guest-nights,
  rooms occupied 3 room-nights.
- A, room 102: two Korean residents from M+3 to M+4: 2 arrivals, 2 guest-nights, 1 room-night.
- B, room 101: one Vietnamese guest from M+2 to M+4: 1 arrival, 2 guest-nights.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.roles import Role
from core.clock import VIETNAM, local_now
from lodging.properties.models import Establishment
from lodging.registration.declarations import ForeignerInput, GuestInput
from lodging.registration.models import GuestRole
from lodging.statistics import monthly_report as reports
from lodging.statistics.monthly_report import MonthlyReport
from tests.factories import citizen, declare, foreigner, make_establishment, make_user, stay_input

SECRET_NAME = "KIM MIN-JUN"
SECRET_NUMBER = "M12345678"


def month_start() -> dt.date:
    """The first day of the month before last: wholly in the past, whatever today is."""
    first = local_now().date().replace(day=1)
    return (first - dt.timedelta(days=35)).replace(day=1)


def at(day: dt.date, hour: int = 14) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=VIETNAM)


@dataclass
class Province:
    officer: User
    owner: User
    other_owner: User
    a: Establishment
    b: Establishment
    month: dt.date

    @property
    def month_args(self) -> dict[str, str]:
        last = (self.month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return {"from": self.month.isoformat(), "to": last.isoformat(), "period": "month"}


def _family(n: int) -> tuple[GuestInput, ...]:
    head = replace(citizen(document_number="001190012301"), role=GuestRole.HEAD)
    members = tuple(
        replace(
            citizen(document_number=f"0011900123{10 + i:02d}"),
            role=GuestRole.MEMBER,
            relationship="friend",
        )
        for i in range(n - 1)
    )
    return (head, *members)


def _entered(guest: GuestInput, on: dt.date) -> ForeignerInput:
    assert guest.foreigner is not None
    return replace(guest.foreigner, entry_date=on)


def _koreans(arrival: dt.date) -> tuple[GuestInput, ...]:
    """Two Korean residents who entered Vietnam the day before they arrive."""
    entered = arrival - dt.timedelta(days=1)
    head = foreigner()
    head = replace(head, role=GuestRole.HEAD, foreigner=_entered(head, entered))
    member = foreigner(full_name="LEE SO-YEON", document_number="M87654321")
    member = replace(
        member, role=GuestRole.MEMBER, relationship="wife", foreigner=_entered(member, entered)
    )
    return (head, member)


@pytest.fixture
def province(db_session: Session) -> Province:
    officer = make_user(db_session, Role.TOURISM_OFFICER)
    owner = make_user(db_session, Role.LODGING_OWNER)
    other_owner = make_user(db_session, Role.LODGING_OWNER)
    a = make_establishment(db_session, owner=owner)
    b = make_establishment(db_session, owner=other_owner, name="Nhà nghỉ Hoa Biển")
    m = month_start()
    day = dt.timedelta(days=1)
    declare(
        db_session,
        a,
        stay_input(
            *_family(3), room="101", arrival=at(m + 2 * day), expected_departure=m + 5 * day
        ),
        by=owner,
    )
    declare(
        db_session,
        a,
        stay_input(
            *_koreans(m + 3 * day),
            room="102",
            arrival=at(m + 3 * day),
            expected_departure=m + 4 * day,
        ),
        by=owner,
    )
    declare(
        db_session,
        b,
        stay_input(room="101", arrival=at(m + 2 * day), expected_departure=m + 4 * day),
        by=other_owner,
    )
    return Province(officer, owner, other_owner, a, b, m)


def report_month(province: Province) -> tuple[int, int]:
    return province.month.year, province.month.month


def submit_report(
    session: Session,
    place: Establishment,
    by: User,
    at: dt.datetime,
    *,
    month: tuple[int, int],
    revenue: tuple[int | None, int | None] = (None, 10_000_000),
    reason: str = "",
    submit: bool = True,
) -> MonthlyReport:
    """Save the month's report (a correction when ``reason``) and submit it at ``at``."""
    draft = reports.save_draft(
        session,
        place,
        *month,
        revenue=revenue,
        correction_reason=reason,
        by_id=by.id,
        now=at,
        today=local_now().date(),
    )
    if submit:
        reports.submit(session, draft, by_id=by.id, now=at)
    session.commit()
    return draft


@dataclass
class Reporting:
    """The province's month M, as the owners reported it.

    - A: in time on the 5th of M+1, corrected (revenue) on the 20th: in force v2.
    - B: first submitted on the 13th of M+1 at 00:30, just after the deadline: late.
    - C (owner writes in English): a draft only.
    - D: nothing, and nobody to write to.
    - E: nothing; its owner reads Vietnamese.
    """

    province: Province
    c: Establishment
    d: Establishment
    e: Establishment
    c_owner: User
    e_owner: User

    @property
    def month(self) -> str:
        return self.province.month.strftime("%Y-%m")


@pytest.fixture
def reporting(db_session: Session, province: Province) -> Reporting:
    month = report_month(province)
    following = (province.month + dt.timedelta(days=32)).replace(day=1)
    a, b = province.a, province.b
    submit_report(db_session, a, province.owner, at(following.replace(day=5), 10), month=month)
    submit_report(
        db_session,
        a,
        province.owner,
        at(following.replace(day=20), 9),
        month=month,
        revenue=(2_000_000, 10_000_000),
        reason="Quên doanh thu khách quốc tế",
    )
    late = dt.datetime.combine(following.replace(day=13), dt.time(0, 30), tzinfo=VIETNAM)
    submit_report(db_session, b, province.other_owner, late, month=month)
    c_owner = make_user(db_session, Role.LODGING_OWNER, locale="en", full_name="Jane Roe")
    c = make_establishment(db_session, owner=c_owner, name="Cát Bà Lodge")
    submit_report(db_session, c, c_owner, at(following.replace(day=2)), month=month, submit=False)
    d = make_establishment(db_session, name="Đảo Ngọc Homestay")
    e_owner = make_user(db_session, Role.LODGING_OWNER, full_name="Trần Văn Em")
    e = make_establishment(db_session, owner=e_owner, name="Biển Xanh Hotel")
    return Reporting(province, c, d, e, c_owner, e_owner)
