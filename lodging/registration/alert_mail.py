"""The deadline alert e-mail, written in its reader's language with links back to the desk."""

from __future__ import annotations

from flask import Flask
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _

from core.links import public_root_as, public_url_for
from lodging.registration.alerts import Compose, DeadlineAlert


def alert_composer(app: Flask, public_url: str) -> Compose:
    """A ``Compose`` for the worker.

    The worker runs outside any request, so it makes one, to translate and to build the
    links under the portal's public address.
    """

    def compose(alert: DeadlineAlert) -> tuple[str, str]:
        with (
            app.test_request_context("/", base_url=public_url),
            public_root_as(public_url),
            force_locale(alert.locale),
        ):
            return _subject(alert), _text(alert)

    return compose


def _subject(alert: DeadlineAlert) -> str:
    return str(
        ngettext(
            "%(num)d guest at %(place)s is not reported yet (due %(deadline)s)",
            "%(num)d guests at %(place)s are not reported yet (due %(deadline)s)",
            alert.guests,
            place=alert.establishment_name,
            deadline=format_datetime(alert.deadline, "HH:mm"),
        )
    )


def _text(alert: DeadlineAlert) -> str:
    def fallback(endpoint: str) -> str:
        return public_url_for(endpoint, lang=alert.locale, establishment_id=alert.establishment_id)

    lines = [
        _(
            "The police report for room %(room)s at %(place)s has not been delivered, and"
            " it is due by %(deadline)s.",
            room=alert.room or "-",
            place=alert.establishment_name,
            deadline=format_datetime(alert.deadline, "short"),
        ),
        "",
        _("Open the front desk to see its status:"),
        public_url_for("registration.stay", lang=alert.locale, stay_id=alert.stay_id),
        "",
        _(
            "If the reporting system stays unavailable, declare by hand with the fallback"
            " files the authorities accept:"
        ),
    ]
    if alert.foreigners:
        lines += [
            _("Foreign guests (NA17 spreadsheet, for the immigration website):"),
            fallback("fallback.download_na17"),
        ]
    if alert.guests > alert.foreigners:
        lines += [
            _("Vietnamese guests (stay register):"),
            fallback("fallback.download_register"),
        ]
    lines += ["", _("This message was sent automatically by the travel portal.")]
    return "\n".join(lines)
