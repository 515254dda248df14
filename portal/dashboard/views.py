"""The tourism department's pages: the province, a commune, an establishment, compliance.

Every page answers ``?format=csv`` (one table: ``&table=N``) and ``?format=xlsx``
(every table) with exactly the figures it shows, suppression included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.auth.access import roles_required
from core.auth.roles import DEPARTMENT_ROLES
from core.clock import local_now, utcnow
from core.extensions import db
from core.outbox.messages import handlers_of
from lodging.properties import services as properties
from lodging.properties.forms import KIND_LABELS
from lodging.registration.reports import FeedChannel
from lodging.statistics.measures import GroupKey
from portal.dashboard import compliance, compliance_tables, money, pages
from portal.dashboard.exports import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from portal.dashboard.filters import GROUPS, PERIODS, Filters, last_month, month_of, parse_filters
from portal.dashboard.tables import suppressed_text

bp = Blueprint(
    "dashboard", __name__, template_folder="templates", url_prefix="/<locale:lang>/dashboard"
)
NAV = (
    ("dashboard.overview", _l("Province")),
    ("dashboard.summary", _l("Monthly summary")),
    ("dashboard.compliance_page", _l("Compliance")),
    ("dashboard_reports.report_list", _l("Owners' monthly reports")),
    ("dashboard.money_page", _l("Money")),
)
CHANNEL_LABELS = {
    FeedChannel.CITIZENS.value: _l("Police: citizens' stays"),
    FeedChannel.FOREIGNERS.value: _l("Police: foreigners' declarations"),
    FeedChannel.STATISTICS.value: _l("Tourism statistics"),
}
DRILL = {
    "home_endpoint": "dashboard.overview",
    "home_label": _l("Province"),
    "back_label": _l("Commune or ward"),
}


def min_cell() -> int:
    return int(current_app.config["PORTAL_SETTINGS"].statistics_min_cell)


def today() -> dt.date:
    return local_now().date()


@bp.context_processor
def dashboard_helpers() -> dict[str, Any]:
    return {
        "periods": PERIODS,
        "groups": GROUPS,
        "group_titles": pages.GROUP_TITLES,
        "suppressed_text": suppressed_text,
        "number": format_decimal,
        "min_cell": min_cell(),
        "kind_choices": list(KIND_LABELS.items()),
        "map_tiles": current_app.config["PORTAL_SETTINGS"].map_tile_url,
        "map_attribution": current_app.config["PORTAL_SETTINGS"].map_tile_attribution,
    }


def render_or_export(
    page: pages.Page, template: str, filename: str, **context: Any
) -> ResponseReturnValue:
    """The page, or its tables as a file when ``format`` asks for one."""
    wanted = request.args.get("format", "")
    if wanted == "xlsx":
        body = to_xlsx([section.table for section in page.sections], _notes(page))
        return _download(body, XLSX_TYPE, f"{filename}.xlsx")
    if wanted == "csv":
        index = request.args.get("table", "0")
        if not index.isdigit() or int(index) >= len(page.sections):
            abort(404)
        body = to_csv(page.sections[int(index)].table, _notes(page))
        return _download(body, CSV_TYPE, f"{filename}-{int(index) + 1}.csv")
    return render_template(template, page=page, **context)


def _notes(page: pages.Page) -> list[str]:
    f = page.filters
    notes = [_("Period: %(first)s to %(last)s", first=f.first_day, last=f.last_day)]
    if any(section.table.any_suppressed for section in page.sections):
        notes.append(suppression_note())
    return notes


def suppression_note() -> str:
    return str(
        _(
            "%(shown)s: figures from fewer than %(n)s guests are not published, so that no"
            " guest can be recognised.",
            shown=suppressed_text(min_cell()),
            n=min_cell(),
        )
    )


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def query_args() -> dict[str, Any]:
    """The page's query string, carried on by drill-down links."""
    return dict(request.args.items())


def _filters() -> tuple[Filters, dict[str, LazyString]]:
    return parse_filters(request.args, today())


def _commune_link(key: GroupKey) -> str | None:
    return url_for("dashboard.commune", commune_code=key, **query_args()) if key else None


def _place_link(key: GroupKey) -> str | None:
    return url_for("dashboard.establishment", establishment_id=key, **query_args())


@bp.get("/")
@roles_required(*DEPARTMENT_ROLES)
def overview() -> ResponseReturnValue:
    """The province: headline, charts over time and by group, the map by commune."""
    filters, errors = _filters()
    page = pages.overview(
        db.session,
        filters,
        today=today(),
        min_cell=min_cell(),
        establishment_ids=None,
        commune_link=_commune_link,
        place_link=_place_link,
    )
    return render_or_export(
        page,
        "dashboard/overview.html",
        "province",
        errors=errors,
        heading=_("Tourism statistics of the province"),
        nav=NAV,
    )


@bp.get("/communes/<int:commune_code>")
@roles_required(*DEPARTMENT_ROLES)
def commune(commune_code: int) -> ResponseReturnValue:
    """One commune and its establishments."""
    filters, errors = _filters()
    filters = replace(filters, commune_code=commune_code)
    page = pages.commune_page(db.session, filters, min_cell=min_cell(), place_link=_place_link)
    name = pages.commune_name(commune_code)
    return render_or_export(
        page, "dashboard/drill.html", f"commune-{commune_code}", errors=errors, title=name, **DRILL
    )


@bp.get("/establishments/<int:establishment_id>")
@roles_required(*DEPARTMENT_ROLES)
def establishment(establishment_id: int) -> ResponseReturnValue:
    """One establishment's figures: the bottom of the drill-down (there is no guest level)."""
    try:
        place = properties.get_establishment(db.session, establishment_id)
    except properties.NotFoundError:
        abort(404)
    filters, errors = _filters()
    filters = replace(filters, establishment_id=place.id)
    page = pages.establishment_page(db.session, filters, min_cell=min_cell())
    back = url_for("dashboard.commune", commune_code=place.commune_code, **query_args())
    return render_or_export(
        page,
        "dashboard/drill.html",
        f"establishment-{place.id}",
        errors=errors,
        title=place.name,
        back=back,
        form_link=url_for("official_form.establishment_form", establishment_id=place.id),
        **DRILL,
    )


@bp.get("/summary")
@roles_required(*DEPARTMENT_ROLES)
def summary() -> ResponseReturnValue:
    """The monthly province summary by kind of establishment."""
    year, month = month_of(request.args.get("month")) or last_month(today())
    page = pages.province_summary(db.session, year, month, min_cell=min_cell())
    label = f"{year:04d}-{month:02d}"
    return render_or_export(page, "dashboard/summary.html", f"summary-{label}", month=label)


@bp.get("/compliance")
@roles_required(*DEPARTMENT_ROLES)
def compliance_page() -> ResponseReturnValue:
    """Late and overdue declarations, silent establishments, failed deliveries."""
    now = utcnow()
    since = now - dt.timedelta(days=30)
    feeds = {channel.value for channel in FeedChannel}
    failures = compliance.channel_failures(db.session, handlers_of(current_app).channel_of)
    late = compliance.late_declarations(db.session, since=since, now=now)
    silent = compliance.silent_establishments(db.session, today=today(), now=now)
    channels = compliance.feed_channels_only(failures, feeds)
    page = compliance_tables.compliance_page(
        since.date(),
        today(),
        late=late,
        silent=silent,
        channels=channels,
        channel_labels=CHANNEL_LABELS,
    )
    return render_or_export(
        page,
        "dashboard/compliance.html",
        "compliance",
        late=late,
        silent=silent,
        channels=channels,
        commune_name=pages.commune_name,
        channel_labels=CHANNEL_LABELS,
    )


@bp.get("/money")
@roles_required(*DEPARTMENT_ROLES)
def money_page() -> ResponseReturnValue:
    """Revenue, ADR, RevPAR, coverage and booked revenue per month and group."""
    filters, errors = money.parse_money_filters(request.args, today())
    rows = money.money_rows(db.session, filters, min_cell=min_cell(), establishment_ids=None)
    table = money.money_table(rows, filters, min_cell=min_cell())
    notes = money.money_notes(filters, table)
    name = f"money-{filters.first_month:%Y-%m}-{filters.last_month:%Y-%m}"
    wanted = request.args.get("format", "")
    if wanted == "xlsx":
        return _download(to_xlsx([table], notes), XLSX_TYPE, f"{name}.xlsx")
    if wanted == "csv":
        return _download(to_csv(table, notes), CSV_TYPE, f"{name}.csv")
    return render_template(
        "dashboard/money.html",
        filters=filters,
        table=table,
        errors=errors,
        nav=NAV,
        group_choices=money.GROUP_TITLES,
        definitions=money.DEFINITIONS,
    )
