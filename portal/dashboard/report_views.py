"""The department's view of the owners' monthly reports: who sent, who did not, versions.

Officers see, for a month, every approved establishment's report (in time, late, only
a draft, nothing), remind the ones missing by e-mail (through the outbox, once in 24
hours at most) and open any establishment's versions with what each correction changed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import DEPARTMENT_ROLES
from core.clock import utcnow
from core.extensions import db
from lodging.properties import services as properties
from lodging.statistics import report_status, report_versions
from lodging.statistics.report_reminders import THROTTLE, Officer, ReminderResult, remind
from portal.dashboard.filters import last_month, month_of
from portal.dashboard.pages import commune_name
from portal.dashboard.reminder_mail import compose_reminder
from portal.dashboard.views import NAV, dashboard_helpers, today

bp = Blueprint(
    "dashboard_reports",
    __name__,
    template_folder="templates",
    url_prefix="/<locale:lang>/dashboard",
)
bp.context_processor(dashboard_helpers)
STATE_LABELS = {
    report_status.ReportState.NOTHING: _l("Not submitted"),
    report_status.ReportState.DRAFT: _l("Draft only"),
    report_status.ReportState.LATE: _l("Submitted late"),
    report_status.ReportState.ON_TIME: _l("Submitted in time"),
}
FILTER_LABELS = {
    "missing": _l("Not submitted (nothing or a draft)"),
    "draft": _l("Draft only"),
    "submitted": _l("Submitted"),
    "late": _l("Submitted late"),
}
_ONE_RESULT = {
    ReminderResult.QUEUED: _l("A reminder is on its way to %(place)s."),
    ReminderResult.THROTTLED: _l(
        "%(place)s was reminded less than 24 hours ago; no new reminder was sent."
    ),
    ReminderResult.NO_ADDRESS: _l("%(place)s has no e-mail address: no reminder was sent."),
    ReminderResult.SUBMITTED: _l("%(place)s has submitted this month's report already."),
}

# What "remind all" did, one sentence per kind of result.
_MANY: tuple[tuple[ReminderResult, str, Callable[[int], str]], ...] = (
    (
        ReminderResult.QUEUED,
        "success",
        lambda n: ngettext(
            "%(num)d reminder is on its way.", "%(num)d reminders are on their way.", n
        ),
    ),
    (
        ReminderResult.THROTTLED,
        "error",
        lambda n: ngettext(
            "%(num)d establishment was reminded less than 24 hours ago and was left out.",
            "%(num)d establishments were reminded less than 24 hours ago and were left out.",
            n,
        ),
    ),
    (
        ReminderResult.NO_ADDRESS,
        "error",
        lambda n: ngettext(
            "%(num)d establishment has no e-mail address.",
            "%(num)d establishments have no e-mail address.",
            n,
        ),
    ),
)


def parse_month(raw: str | None, today: dt.date) -> tuple[int, int, LazyString | None]:
    """``YYYY-MM``; else last month, with a message when something was given."""
    found = month_of(raw)
    if found is not None and found[0] >= 2000:
        return *found, None
    error = _l("The month was not understood; last month is shown.") if raw else None
    return *last_month(today), error


def _commune(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _status(raw: str | None) -> str:
    return raw if raw in report_status.STATE_FILTERS else ""


@bp.get("/reports")
@roles_required(*DEPARTMENT_ROLES)
def report_list() -> ResponseReturnValue:
    """Every establishment's report for the month: missing first, with reminders."""
    year, month, error = parse_month(request.args.get("month"), today())
    commune, status = _commune(request.args.get("commune")), _status(request.args.get("status"))
    over = (year, month) < (today().year, today().month)
    rows = (
        report_status.month_reports(db.session, year, month, commune_code=commune) if over else []
    )
    return render_template(
        "dashboard/reports.html",
        month=f"{year:04d}-{month:02d}",
        error=error,
        over=over,
        due=report_status.due_day(year, month),
        tally=report_status.tally(rows),
        rows=report_status.only(rows, status),
        commune=commune,
        status=status,
        communes=[(code, commune_name(code)) for code in report_status.communes(db.session)],
        commune_name=commune_name,
        state_labels=STATE_LABELS,
        filter_labels=FILTER_LABELS,
        nav=NAV,
        recent=utcnow() - THROTTLE,
    )


@bp.post("/reports/remind")
@roles_required(*DEPARTMENT_ROLES)
def send_reminders() -> ResponseReturnValue:
    """Remind one establishment (``establishment_id``), or every missing one (``all``)."""
    year, month, error = parse_month(request.form.get("month"), today())
    commune = _commune(request.form.get("commune"))
    back = url_for(
        ".report_list",
        month=f"{year:04d}-{month:02d}",
        commune=commune or None,
        status=_status(request.form.get("status")) or None,
    )
    if error or (year, month) >= (today().year, today().month):
        flash(str(error or _("This month cannot be reported yet.")), "error")
        return redirect(back)
    user = signed_in_user()
    officer = Officer(user.id, user.email, request.remote_addr or "")
    target = request.form.get("establishment_id", "")
    if target == "all":
        messages = _remind_all(year, month, commune, officer)
    else:
        messages = [_remind_one(target, year, month, officer)]
    db.session.commit()
    for message, category in messages:
        flash(message, category)
    return redirect(back)


def _remind_one(target: str, year: int, month: int, officer: Officer) -> tuple[str, str]:
    try:
        place = properties.approved_establishment(db.session, int(target))
    except (ValueError, properties.NotFoundError):
        abort(404)
    result = remind(
        db.session,
        place,
        year,
        month,
        now=utcnow(),
        today=today(),
        by=officer,
        compose=compose_reminder,
    )
    category = "success" if result is ReminderResult.QUEUED else "error"
    return str(_ONE_RESULT[result] % {"place": place.name}), category


def _remind_all(
    year: int, month: int, commune: int | None, officer: Officer
) -> list[tuple[str, str]]:
    results = report_status.remind_missing(
        db.session,
        year,
        month,
        commune_code=commune,
        now=utcnow(),
        today=today(),
        by=officer,
        compose=compose_reminder,
    )
    return _summary(results)


def _summary(results: Counter[ReminderResult]) -> list[tuple[str, str]]:
    if not results:
        everyone = _("Every establishment has submitted this month's report: nobody to remind.")
        return [(everyone, "success")]
    return [(say(results[kind]), category) for kind, category, say in _MANY if results[kind]]


@bp.get("/establishments/<int:establishment_id>/reports")
@roles_required(*DEPARTMENT_ROLES)
def report_versions_page(establishment_id: int) -> ResponseReturnValue:
    """Every version of one establishment's report for the month, with what changed."""
    try:
        place = properties.get_establishment(db.session, establishment_id)
    except properties.NotFoundError:
        abort(404)
    year, month, error = parse_month(request.args.get("month"), today())
    return render_template(
        "dashboard/report_versions.html",
        place=place,
        month=f"{year:04d}-{month:02d}",
        error=error,
        versions=report_versions.versions(db.session, place.id, year, month),
        fields=report_versions.FIELDS,
    )
