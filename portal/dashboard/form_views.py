"""The official monthly form (Biểu 01CS/LTDL) as XLSX: the province's, and each establishment's.

The department downloads the province's form and any establishment's; owners and staff
download their own establishment's once a version is submitted. The file is official:
it is in Vietnamese whatever the page's language, and only the messages around it
follow the user's language.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import DEPARTMENT_ROLES
from core.extensions import db
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.statistics import official_form, official_form_xlsx
from portal.dashboard.exports import XLSX_TYPE
from portal.dashboard.filters import last_month, month_of
from portal.dashboard.owner_views import MEMBERS
from portal.dashboard.views import today

bp = Blueprint("official_form", __name__, url_prefix="/<locale:lang>/dashboard")
FILE_PREFIX = "bieu-01cs-ltdl"


class MonthError(ValueError):
    """The ``month`` asked for names no month whose form can be made."""


def form_month(raw: str | None, day: dt.date) -> tuple[int, int]:
    """``YYYY-MM`` of a month that is over (default: last month); else ``MonthError``."""
    if raw is None or raw == "":
        return last_month(day)
    found = month_of(raw)
    if found is None or found[0] < 2000:
        raise MonthError(_("There is no such month: give it as YYYY-MM, for example 2026-03."))
    year, month = found
    if (year, month) >= (day.year, day.month):
        raise MonthError(_("A month's form can be made once the month is over."))
    return year, month


def _message(status: int, title: str, message: str) -> ResponseReturnValue:
    page = render_template("errors/error.html", status=status, title=title, message=message)
    return page, status


def _bad_month(error: MonthError) -> ResponseReturnValue:
    return _message(400, _("No such month"), str(error))


def _xlsx(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype=XLSX_TYPE)  # an ASCII name: no filename* needed
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _establishment_xlsx(place: Establishment, year: int, month: int) -> ResponseReturnValue:
    try:
        form = official_form.establishment_form(db.session, place, year, month)
    except official_form.FormError:
        return _message(
            404,
            _("Nothing submitted"),
            _(
                "%(name)s has submitted no report for %(month)s yet: its form is made from"
                " the submitted report.",
                name=place.name,
                month=f"{year:04d}-{month:02d}",
            ),
        )
    body = official_form_xlsx.render_establishment(form)
    return _xlsx(body, f"{FILE_PREFIX}-{year:04d}-{month:02d}-establishment-{place.id}.xlsx")


@bp.get("/reports/form.xlsx")
@roles_required(*DEPARTMENT_ROLES)
def province_form() -> ResponseReturnValue:
    """The province's form for the month: the sum of the submitted reports, and who submitted."""
    try:
        year, month = form_month(request.args.get("month"), today())
    except MonthError as error:
        return _bad_month(error)
    book = official_form.province_book(db.session, year, month)
    return _xlsx(
        official_form_xlsx.render_province(book), f"{FILE_PREFIX}-{year:04d}-{month:02d}.xlsx"
    )


@bp.get("/establishments/<int:establishment_id>/form.xlsx")
@roles_required(*DEPARTMENT_ROLES)
def establishment_form(establishment_id: int) -> ResponseReturnValue:
    """Any establishment's form for the month, from its version in force."""
    try:
        place = properties.get_establishment(db.session, establishment_id)
        year, month = form_month(request.args.get("month"), today())
    except properties.NotFoundError:
        return _message(404, _("Page not found"), _("There is no such establishment."))
    except MonthError as error:
        return _bad_month(error)
    return _establishment_xlsx(place, year, month)


@bp.get("/my/establishments/<int:establishment_id>/form.xlsx")
@roles_required(*MEMBERS)
def own_form(establishment_id: int) -> ResponseReturnValue:
    """The caller's own establishment's form; another's answers 404 like a missing one."""
    try:
        place = properties.member_establishment(db.session, signed_in_user(), establishment_id)
        year, month = form_month(request.args.get("month"), today())
    except properties.NotFoundError:
        return _message(404, _("Page not found"), _("There is no such establishment."))
    except MonthError as error:
        return _bad_month(error)
    return _establishment_xlsx(place, year, month)
