"""The official monthly form's figures: per establishment, and summed for each province.

The layout is the statistics office's monthly form for accommodation (Biểu số
01CS/LTDL, section I "Dịch vụ lưu trú"), which carries the accommodation indicators
Circular 18/2021/TT-BVHTTDL asks establishments for, plus the room- and bed-nights used
of the annual form 015.N/BCC-TMDV (see the README). Every figure comes from the owners'
submitted reports, the version in force of each; nothing here reads a guest.
``official_form_xlsx`` lays these values out; this module only gathers them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import select

from core.clock import VIETNAM
from core.database import DbSession
from lodging.properties import geography
from lodging.properties.models import Establishment, EstablishmentKind, EstablishmentStatus
from lodging.statistics import monthly_report as reports
from lodging.statistics.monthly_figures import month_range
from search.folding import fold

# The form is official: its words are Vietnamese in every language of the portal.
# Kinds as the Law on Tourism 2017 (Art. 48) names them.
KIND_NAMES = {
    EstablishmentKind.HOTEL: "Khách sạn",
    EstablishmentKind.RESORT: "Khách sạn nghỉ dưỡng",
    EstablishmentKind.HOMESTAY: "Nhà ở có phòng cho khách du lịch thuê (homestay)",
    EstablishmentKind.GUESTHOUSE: "Nhà nghỉ du lịch",
    EstablishmentKind.APARTMENT: "Căn hộ du lịch",
    EstablishmentKind.VILLA: "Biệt thự du lịch",
    EstablishmentKind.HOSTEL: "Cơ sở lưu trú du lịch khác (hostel)",
    EstablishmentKind.OTHER: "Cơ sở lưu trú du lịch khác",
}


class FormError(LookupError):
    """There is no form to make: the establishment has submitted nothing for the month."""


@dataclass(frozen=True)
class Indicators:
    """One column of the form. Revenue in đồng, ``None`` where nobody stated it."""

    revenue_international: int | None = None
    revenue_domestic: int | None = None
    overnight_international: int = 0
    overnight_domestic: int = 0
    same_day_international: int = 0
    same_day_domestic: int = 0
    nights_international: int = 0
    nights_domestic: int = 0
    room_nights: int = 0
    bed_nights: int = 0

    @classmethod
    def of(cls, report: reports.MonthlyReport) -> Indicators:
        return cls(**{f.name: getattr(report, f.name) for f in fields(cls)})

    @classmethod
    def total(cls, items: Iterable[Indicators]) -> Indicators:
        """The sum; a revenue nobody stated stays ``None``, one stated by some is their sum."""
        found = list(items)
        values: dict[str, int | None] = {}
        for f in fields(cls):
            stated = [v for v in (getattr(i, f.name) for i in found) if v is not None]
            values[f.name] = sum(stated) if stated or f.default is not None else None
        return cls(**values)  # type: ignore[arg-type]  # every field is an int or None


@dataclass(frozen=True)
class Unit:
    """The establishment as the form's heading names it."""

    name: str
    kind: str
    address: str
    commune: str
    province: str
    province_code: int
    licence_number: str
    phone: str
    email: str


@dataclass(frozen=True)
class Submission:
    """One establishment's line in the province's list: what it submitted, if anything."""

    unit: Unit
    version: int | None
    submitted_at: dt.datetime | None  # Vietnam time
    correction_reason: str


@dataclass(frozen=True)
class EstablishmentForm:
    year: int
    month: int
    submission: Submission
    month_figures: Indicators
    year_to_date: Indicators
    as_of: dt.datetime  # the workbook's date: the submission's


@dataclass(frozen=True)
class ProvinceForm:
    year: int
    month: int
    province: str
    submitted: int
    establishments: int
    month_figures: Indicators
    year_to_date: Indicators


@dataclass(frozen=True)
class ProvinceBook:
    year: int
    month: int
    provinces: tuple[ProvinceForm, ...]
    submissions: tuple[Submission, ...]
    as_of: dt.datetime  # the newest submission's date, else the month's end


def unit_of(place: Establishment) -> Unit:
    kind = KIND_NAMES[place.kind] + (f" {place.stars} sao" if place.stars else "")
    commune = geography.commune(place.commune_code).name
    province = geography.province(place.province_code).name
    return Unit(
        name=place.name,
        kind=kind,
        address=f"{place.street_address}, {commune}, {province}",
        commune=commune,
        province=province,
        province_code=place.province_code,
        licence_number=place.licence_number,
        phone=place.phone,
        email=place.email,
    )


def _submission(place: Establishment, report: reports.MonthlyReport | None) -> Submission:
    if report is None:
        return Submission(unit_of(place), None, None, "")
    submitted = report.submitted_at.astimezone(VIETNAM) if report.submitted_at else None
    return Submission(unit_of(place), report.version, submitted, report.correction_reason)


def _months_in_force(
    session: DbSession, year: int, month: int, ids: Sequence[int] | None
) -> list[dict[int, reports.MonthlyReport]]:
    """The reports in force for January to ``month``, one mapping per month."""
    return [reports.in_force(session, year, m, ids) for m in range(1, month + 1)]


def _month_end(year: int, month: int) -> dt.datetime:
    last = month_range(year, month)[1]
    return dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=VIETNAM)


def establishment_form(
    session: DbSession, place: Establishment, year: int, month: int
) -> EstablishmentForm:
    """The establishment's form for the month, from its version in force; else ``FormError``."""
    months = _months_in_force(session, year, month, [place.id])
    report = months[-1].get(place.id)
    if report is None:
        raise FormError(place.id)
    submission = _submission(place, report)
    return EstablishmentForm(
        year=year,
        month=month,
        submission=submission,
        month_figures=Indicators.of(report),
        year_to_date=Indicators.total(Indicators.of(r) for m in months for r in m.values()),
        as_of=submission.submitted_at or _month_end(year, month),
    )


def _listed(session: DbSession, reported: Iterable[int]) -> list[Establishment]:
    """Approved establishments, and any other that submitted (suspended since, say)."""
    query = select(Establishment).where(
        (Establishment.status == EstablishmentStatus.APPROVED) | Establishment.id.in_(reported)
    )
    return list(session.scalars(query.order_by(Establishment.id)))


def _province_form(
    places: list[Establishment], months: list[dict[int, reports.MonthlyReport]], year: int
) -> ProvinceForm:
    ids = {p.id for p in places}
    current = [r for i, r in months[-1].items() if i in ids]
    return ProvinceForm(
        year=year,
        month=len(months),
        province=geography.province(places[0].province_code).name,
        submitted=len(current),
        establishments=len(places),
        month_figures=Indicators.total(Indicators.of(r) for r in current),
        year_to_date=Indicators.total(
            Indicators.of(r) for m in months for i, r in m.items() if i in ids
        ),
    )


def province_book(session: DbSession, year: int, month: int) -> ProvinceBook:
    """Each province's summed form for the month, and who submitted which version."""
    months = _months_in_force(session, year, month, None)
    places = _listed(session, months[-1])
    by_province: dict[int, list[Establishment]] = {}
    for place in places:
        by_province.setdefault(place.province_code, []).append(place)
    forms = sorted(
        (_province_form(group, months, year) for group in by_province.values()),
        key=lambda form: fold(form.province),
    )
    submissions = sorted(
        (_submission(place, months[-1].get(place.id)) for place in places),
        key=lambda s: (fold(s.unit.province), fold(s.unit.commune), fold(s.unit.name)),
    )
    dates = [s.submitted_at for s in submissions if s.submitted_at is not None]
    return ProvinceBook(
        year=year,
        month=month,
        provinces=tuple(forms),
        submissions=tuple(submissions),
        as_of=max(dates, default=_month_end(year, month)),
    )
