"""Owners' and staff's statistics: their own establishments' figures and monthly reports.

Every establishment is looked up through the caller's membership, so another
establishment's id answers 404 exactly like one that does not exist. Their own
guests' figures are not suppressed: there is nobody to hide them from.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.statistics import monthly_report as reports
from lodging.statistics.measures import GroupBy, GroupKey
from lodging.statistics.monthly_figures import monthly_figures
from portal.dashboard import money, pages
from portal.dashboard.filters import Filters, last_month, month_of, parse_filters
from portal.dashboard.views import dashboard_helpers, query_args, render_or_export, today

bp = Blueprint(
    "owner_dashboard",
    __name__,
    template_folder="templates",
    url_prefix="/<locale:lang>/dashboard/my",
)
bp.context_processor(dashboard_helpers)
MEMBERS = (Role.LODGING_OWNER, Role.LODGING_STAFF)
OWNER_GROUPS: tuple[GroupBy, ...] = ("establishment", "kind", "residence_country", "international")


def _own(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except properties.NotFoundError:
        abort(404)


def _place_link(key: GroupKey) -> str | None:
    return url_for("owner_dashboard.establishment", establishment_id=key, **query_args())


@bp.get("/")
@roles_required(*MEMBERS)
def overview() -> ResponseReturnValue:
    """The figures of every establishment the caller works at."""
    ids = [e.id for e in properties.establishments_of(db.session, signed_in_user())]
    filters, errors = parse_filters(request.args, today(), groups=OWNER_GROUPS)
    page = pages.overview(
        db.session,
        filters,
        today=today(),
        min_cell=0,
        establishment_ids=ids,
        commune_link=lambda _key: None,
        place_link=_place_link,
    )
    return render_or_export(
        page,
        "dashboard/overview.html",
        "my-establishments",
        errors=errors,
        heading=_("Statistics of my establishments"),
        nav=None,
    )


@bp.get("/establishments/<int:establishment_id>")
@roles_required(*MEMBERS)
def establishment(establishment_id: int) -> ResponseReturnValue:
    """One own establishment's figures, and its monthly reports."""
    place = _own(establishment_id)
    filters, errors = parse_filters(request.args, today(), groups=OWNER_GROUPS)
    filters = replace(filters, establishment_id=place.id)
    page = pages.establishment_page(db.session, filters, min_cell=0)
    page = replace(page, sections=(*page.sections, _money_section(place.id, filters)))
    return render_or_export(
        page,
        "dashboard/drill.html",
        f"establishment-{place.id}",
        errors=errors,
        title=place.name,
        home_endpoint="owner_dashboard.overview",
        home_label=_("My establishments"),
        report_link=url_for("owner_dashboard.monthly_report", establishment_id=place.id),
        money_note=money.DEFINITIONS,
    )


def _money_section(establishment_id: int, filters: Filters) -> pages.Section:
    """The establishment's own money, month by month over the page's range."""
    months = money.MoneyFilters(
        first_month=filters.first_day.replace(day=1), last_month=filters.last_day.replace(day=1)
    )
    rows = money.money_rows(db.session, months, min_cell=0, establishment_ids=[establishment_id])
    table = money.money_table(rows, months, min_cell=0, with_group=False)
    return pages.Section(replace(table, notes=(str(money.DEFINITIONS),)))


def _month(raw: str | None) -> tuple[int, int]:
    """``YYYY-MM`` from the query string, else last month."""
    return month_of(raw) or last_month(today())


def _money(raw: str | None) -> int | None:
    digits = (raw or "").replace(".", "").replace(",", "").replace(" ", "").strip()
    if not digits:
        return None
    if not digits.isdigit():
        raise reports.ReportError(_("Enter revenue as a whole number of đồng."))
    return int(digits)


@bp.route("/establishments/<int:establishment_id>/report", methods=["GET", "POST"])
@roles_required(*MEMBERS)
def monthly_report(establishment_id: int) -> ResponseReturnValue:
    """Review the month's figures, add the revenue, save, submit; correct after submission."""
    place = _own(establishment_id)
    year, month = _month(request.values.get("month"))
    if request.method == "POST":
        return _act(place, year, month)
    return _review(place, year, month)


def _review(
    place: Establishment, year: int, month: int, *, entered: dict[str, str] | None = None
) -> str:
    """The month's report page; ``entered``: the form as sent, shown with the warning."""
    versions = reports.history(db.session, place.id, year, month)
    return render_template(
        "dashboard/report.html",
        place=place,
        month=f"{year:04d}-{month:02d}",
        figures=monthly_figures(db.session, place.id, year, month),
        versions=versions,
        draft=next((v for v in versions if v.status is reports.ReportStatus.DRAFT), None),
        current=reports.current_submitted(versions),
        month_over=(year, month) < (today().year, today().month),
        entered=entered,
    )


def _act(place: Establishment, year: int, month: int) -> ResponseReturnValue:
    user = signed_in_user()
    back = url_for(
        "owner_dashboard.monthly_report", establishment_id=place.id, month=f"{year:04d}-{month:02d}"
    )
    try:
        revenue = (
            _money(request.form.get("revenue_international")),
            _money(request.form.get("revenue_domestic")),
        )
        draft = reports.save_draft(
            db.session,
            place,
            year,
            month,
            revenue=revenue,
            correction_reason=request.form.get("correction_reason", ""),
            by_id=user.id,
            now=utcnow(),
            today=today(),
        )
        action = request.form.get("action")
        if action == "submit" and None in revenue:
            # Asked once, nothing kept: an empty field is often forgotten, rarely meant.
            db.session.rollback()
            return _review(place, year, month, entered=request.form.to_dict())
        if action in {"submit", "submit_empty"}:
            reports.submit(db.session, draft, by_id=user.id, now=utcnow())
    except reports.ReportError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back)
    db.session.commit()
    submitted = draft.status is reports.ReportStatus.SUBMITTED
    flash(_("The report was submitted.") if submitted else _("The draft was saved."), "success")
    return redirect(back)
