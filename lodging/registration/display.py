"""How the desk shows things in the page's language and in Vietnam's time zone.

Labels for stored codes, times, durations, countries and provinces.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import cache
from typing import Any

import pycountry
from flask_babel import format_date, format_datetime, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lodging.properties import geography
from lodging.registration.models import (
    Channel,
    DocumentType,
    GuestRole,
    PassportType,
    Purpose,
    StayStatus,
    VisaType,
)
from search.folding import fold

PURPOSE_LABELS = {
    Purpose.TOURISM: _l("Tourism"),
    Purpose.BUSINESS: _l("Business"),
    Purpose.VISITING: _l("Visiting family or friends"),
    Purpose.STUDY: _l("Study"),
    Purpose.MEDICAL: _l("Medical care"),
    Purpose.OTHER: _l("Other"),
}
DOCUMENT_LABELS = {
    DocumentType.CCCD: _l("Citizen ID card (CCCD)"),
    DocumentType.CMND: _l("Old ID card (CMND)"),
    DocumentType.PASSPORT: _l("Passport"),
    DocumentType.OTHER: _l("Other travel document"),
    DocumentType.NONE: _l("No document (a child with the head of family)"),
}
ROLE_LABELS = {
    GuestRole.SINGLE: _l("Travelling alone"),
    GuestRole.HEAD: _l("Head of the family or group"),
    GuestRole.MEMBER: _l("Member of the family or group"),
}
SEX_LABELS = {"M": _l("Male"), "F": _l("Female")}
PASSPORT_TYPE_LABELS = {
    PassportType.ORDINARY: _l("Ordinary"),
    PassportType.OFFICIAL: _l("Official"),
    PassportType.DIPLOMATIC: _l("Diplomatic"),
    PassportType.OTHER: _l("Other"),
}
VISA_LABELS = {
    VisaType.VISA: _l("Visa"),
    VisaType.EXEMPT: _l("Visa exemption"),
    VisaType.RESIDENCE_CARD: _l("Temporary residence card"),
    VisaType.ABTC: _l("APEC business travel card (ABTC)"),
    VisaType.OTHER: _l("Other entry paper"),
}
STATUS_LABELS = {
    StayStatus.IN_HOUSE: _l("In the house"),
    StayStatus.CHECKED_OUT: _l("Checked out"),
    StayStatus.CANCELLED: _l("Cancelled"),
}


REPORT_LABELS = {
    "queued": _l("Queued for the police"),
    "sending": _l("Being sent"),
    "delivered": _l("Received by the police"),
    "rejected": _l("Rejected: correct it"),
    "unverified": _l("Sent, not confirmed yet"),
    "dead": _l("Could not be sent"),
    # lodging.registration.reports.FILED: kept in the file drop, which no police body reads.
    "filed": _l("Not sent to the police: no channel for this unit, hand it over"),
}
CHANNEL_LABELS = {
    Channel.DESK: _l("at the desk"),
    Channel.API: _l("by hotel software"),
    Channel.SELF_CHECKIN: _l("by the guest"),
    Channel.CLI: _l("by an operator"),
}
EVENT_LABELS = {
    "declare": _l("Declared"),
    "checkout": _l("Checked out"),
    "early_departure": _l("Left early"),
    "extension": _l("Stay extended"),
    "shortening": _l("Stay shortened"),
    "room_move": _l("Moved to another room"),
    "cancel": _l("Declaration cancelled"),
    "correction": _l("Corrected"),
    "self_checkin": _l("Added by the guest"),
}
FIELD_LABELS = {
    "room": _l("Room"),
    "arrival": _l("Arrival"),
    "expected_departure": _l("Expected departure"),
    "departed_at": _l("Departure"),
    "purpose": _l("Purpose"),
    "status": _l("Status"),
    "reason": _l("Reason"),
    "confirmation": _l("Confirmed"),
    "guest_added": _l("Guest added"),
    "full_name": _l("Full name"),
    "birth_date": _l("Date of birth"),
    "sex": _l("Sex"),
    "nationality": _l("Nationality"),
    "residence_country": _l("Country of residence"),
    "residence_province_code": _l("Province of residence"),
    "document_type": _l("Document"),
    "document_number": _l("Document number changed"),
    "role": _l("In the group"),
    "relationship": _l("Relationship to the head"),
}
CONFIRMATION_LABELS = {"in_person": _l("in person"), "video": _l("by live video")}
_VALUE_LABELS: dict[str, dict[Any, Any]] = {
    "purpose": PURPOSE_LABELS,
    "status": STATUS_LABELS,
    "sex": SEX_LABELS,
    "document_type": DOCUMENT_LABELS,
    "role": ROLE_LABELS,
    "confirmation": CONFIRMATION_LABELS,
}
_MINUTE = dt.timedelta(minutes=1)


@cache
def countries(locale: str) -> tuple[tuple[str, str], ...]:
    """(alpha-2, name) of every country in ``locale``, Vietnam first, then by name."""
    names = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )
    found = [(str(c.alpha_2), _country(c, names)) for c in pycountry.countries]
    found.sort(key=lambda item: (item[0] != "VN", fold(item[1])))
    return tuple(found)


def _country(country: Any, names: gettext.NullTranslations) -> str:
    """The short name ("Vietnam", not "Viet Nam") unless only the long one is translated."""
    common = str(getattr(country, "common_name", country.name))
    for candidate in (common, str(country.name)):
        translated = names.gettext(candidate)
        if translated != candidate:
            return translated
    return common


def country_name(code: str) -> str:
    return dict(countries(str(get_locale() or "en"))).get(code, code)


def province_name(code: int | str | None) -> str:
    try:
        return geography.province(int(code or 0)).name
    except (geography.UnknownPlaceError, ValueError):
        return str(code or "")


def local_time(moment: dt.datetime | None) -> str:
    return str(format_datetime(moment, "short")) if moment else ""


def local_date(day: dt.date | None) -> str:
    return str(format_date(day, "medium")) if day else ""


def _duration(span: dt.timedelta) -> str:
    if span >= dt.timedelta(days=1):
        return str(format_timedelta(span, threshold=1.5))
    hours, minutes = divmod(int(span / _MINUTE), 60)
    if hours:
        return str(_("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes))
    return str(_("%(minutes)s min", minutes=minutes))


def time_left(span: dt.timedelta) -> str:
    """Time to a deadline as people say it: "2 h 10 min left", "overdue by 2 days"."""
    if span < dt.timedelta(0):
        return str(_("overdue by %(duration)s", duration=_duration(-span)))
    return str(_("%(duration)s left", duration=_duration(span)))


def report_label(status: str | None, confirmed: bool = True) -> str:
    if not confirmed:
        return str(_("Waiting for staff to see the papers"))
    return str(REPORT_LABELS.get(status or "", _l("Not sent yet")))


def change_value(field: str, value: Any) -> str:
    """A value kept in a stay's history (ISO dates, codes), as the page shows it."""
    if value is None or value == "":
        return "—"
    if field in {"arrival", "departed_at"}:
        return local_time(dt.datetime.fromisoformat(str(value)))
    if field in {"expected_departure", "birth_date"}:
        return local_date(dt.date.fromisoformat(str(value)))
    if field in {"nationality", "residence_country"}:
        return country_name(str(value))
    if field == "residence_province_code":
        return province_name(value)
    labels = _VALUE_LABELS.get(field)
    return str(labels.get(value, value)) if labels else str(value)


DISPLAY: dict[str, Any] = {
    "labels": {
        "purpose": PURPOSE_LABELS,
        "document": DOCUMENT_LABELS,
        "role": ROLE_LABELS,
        "sex": SEX_LABELS,
        "passport": PASSPORT_TYPE_LABELS,
        "visa": VISA_LABELS,
        "status": STATUS_LABELS,
        "channel": CHANNEL_LABELS,
        "event": EVENT_LABELS,
        "field": FIELD_LABELS,
    },
    "country_name": country_name,
    "province_name": province_name,
    "local_time": local_time,
    "local_date": local_date,
    "time_left": time_left,
    "report_label": report_label,
    "change_value": change_value,
}
