"""The monthly report reminder e-mail, in its readers' language, linking to their report page."""

from __future__ import annotations

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from core.links import public_url_for
from lodging.statistics.report_reminders import Reminder
from lodging.statistics.report_status import due_day


def compose_reminder(reminder: Reminder) -> tuple[str, str]:
    """The subject and text; the link is under ``PUBLIC_URL``, never the request's host.

    Called in the officer's request, so it switches to the readers' language for a while.
    """
    month = f"{reminder.year:04d}-{reminder.month:02d}"
    with force_locale(reminder.locale):
        due = format_date(due_day(reminder.year, reminder.month), "long")
        link = public_url_for(
            "owner_dashboard.monthly_report",
            lang=reminder.locale,
            establishment_id=reminder.establishment_id,
            month=month,
        )
        subject = _(
            "Reminder: the monthly statistics report of %(place)s for %(month)s",
            place=reminder.establishment_name,
            month=month,
        )
        lines = [
            _(
                "The tourism department has not received the monthly statistics report of"
                " %(place)s for %(month)s. It is due by %(due)s.",
                place=reminder.establishment_name,
                month=month,
                due=due,
            ),
            "",
            _("Review the figures, add the revenue and submit the report here:"),
            link,
            "",
            _("If you have submitted it meanwhile, there is nothing more to do."),
            "",
            _("This message was sent automatically by the travel portal."),
        ]
        return str(subject), "\n".join(str(line) for line in lines)
