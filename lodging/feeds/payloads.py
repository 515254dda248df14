"""What the police receive about a stay: one payload per channel, versioned.

Pure functions over the registration models: they read the stay and its guests as
they are now (decrypting document numbers and foreign details with the cipher they
are given) and return plain JSON-ready dicts. The shapes are pinned by the JSON
Schema files in ``lodging/feeds/schemas/`` and by golden-file tests.

Both police payloads carry the same envelope fields:

- ``event``: what happened to the stay (``declare``, ``checkout``, ``correction``…);
- ``amends``: the key of the earlier report of this stay on the same channel that
  this one amends, or null for a first notification; each report carries the full
  current state of its guests, so the chain of ``amends`` is the stay's history;
- ``schema_version``: which schema file the payload follows.

Times are local (Asia/Ho_Chi_Minh, ``+07:00``) as the forms are; dates are ISO dates.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from typing import Any

import pycountry

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from lodging.feeds.channels import SCHEMA_VERSIONS
from lodging.properties import geography
from lodging.properties.models import Establishment
from lodging.registration import sealed
from lodging.registration.declarations import ForeignerInput
from lodging.registration.models import Guest, Stay
from lodging.registration.reports import FeedChannel

# What a stay event can be; the outbox message kind is ``lodging.stay.<event>``.
EVENTS = (
    "declare",
    "checkout",
    "early_departure",
    "extension",
    "shortening",
    "room_move",
    "correction",
    "cancel",
)

# Letters that Unicode does not decompose into a base letter plus marks.
_UNDECOMPOSED = str.maketrans(
    {
        "Đ": "D",
        "đ": "d",
        "Ø": "O",
        "ø": "o",
        "Ł": "L",
        "ł": "l",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "TH",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
        "ı": "i",
    }
)
_KEPT_PUNCTUATION = frozenset(" -'")


def ascii_name(name: str) -> str:
    """A name in plain upper-case ASCII, for systems that take nothing else.

    "Nguyễn Thị Ánh" → "NGUYEN THI ANH", "Đặng" → "DANG". Letters lose their marks,
    hyphens and apostrophes stay, anything else becomes a space. The Vietnamese
    channels keep the Unicode name as written and carry this one beside it.
    """
    decomposed = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    kept = (
        ch if (ch.isascii() and ch.isalnum()) or ch in _KEPT_PUNCTUATION else " "
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return " ".join("".join(kept).upper().split())


def local_time(moment: dt.datetime) -> str:
    """An aware datetime as ISO 8601 in Vietnam's time, to the second."""
    return moment.astimezone(VIETNAM).replace(microsecond=0).isoformat()


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _place(code: int, name: str) -> dict[str, Any]:
    return {"code": code, "name": name}


def establishment_part(establishment: Establishment) -> dict[str, Any]:
    return {
        "id": establishment.id,
        "name": establishment.name,
        "licence_number": establishment.licence_number,
        "kind": establishment.kind.value,
    }


def address_part(establishment: Establishment) -> dict[str, Any]:
    """The address of the stay: the establishment's street, commune and province."""
    commune = geography.commune(establishment.commune_code)
    province = geography.province(establishment.province_code)
    return {
        "street": establishment.street_address,
        "commune": _place(commune.code, commune.name),
        "province": _place(province.code, province.name),
        "text": f"{establishment.street_address}, {commune.name}, {province.name}",
    }


def police_unit_part(establishment: Establishment) -> dict[str, Any]:
    """The police unit that receives the declarations: province and commune police."""
    commune = geography.commune(establishment.police_commune_code)
    province = geography.province(establishment.police_province_code)
    return {
        "province": _place(province.code, province.name),
        "commune": _place(commune.code, commune.name),
    }


def period_part(stay: Stay, guest: Guest) -> dict[str, Any]:
    """From the guest's arrival to the departure day; when they left, if they have."""
    departed = stay.departed_at
    return {
        "from": local_time(guest.arrival),
        "to": (
            departed.astimezone(VIETNAM).date() if departed else stay.expected_departure
        ).isoformat(),
        "departed_at": local_time(departed) if departed else None,
    }


def _envelope(channel: FeedChannel, stay: Stay, event: str, amends: str | None) -> dict[str, Any]:
    if event not in EVENTS:
        raise ValueError(f"unknown stay event {event!r}")
    establishment = stay.establishment
    return {
        "channel": channel.value,
        "schema_version": SCHEMA_VERSIONS[channel],
        "event": event,
        "amends": amends,
        "stay_id": stay.id,
        "status": stay.status.value,
        "establishment": establishment_part(establishment),
        "address": address_part(establishment),
        "police_unit": police_unit_part(establishment),
        "reason": stay.purpose.value,
        "room": stay.room.number if stay.room else None,
    }


def citizen_report(
    stay: Stay,
    guests: Sequence[Guest],
    *,
    event: str,
    amends: str | None,
    cipher: PersonalDataCipher,
) -> dict[str, Any]:
    """The stay notification (``vn-luutru``) for the Vietnamese citizens among ``guests``."""
    payload = _envelope(FeedChannel.CITIZENS, stay, event, amends)
    payload["guests"] = [
        {
            "guest_id": guest.id,
            "full_name": guest.full_name,
            "document_type": guest.document_type.value,
            "id_number": sealed.document_number(guest, cipher) or None,
            "birth_date": _day(guest.birth_date),
            "sex": guest.sex,
            "period": period_part(stay, guest),
        }
        for guest in guests
        if not guest.is_foreigner
    ]
    return payload


def foreigner_report(
    stay: Stay,
    guests: Sequence[Guest],
    *,
    event: str,
    amends: str | None,
    cipher: PersonalDataCipher,
) -> dict[str, Any]:
    """The temporary-residence declaration (``vn-tamtru``, NA17) for the foreigners."""
    payload = _envelope(FeedChannel.FOREIGNERS, stay, event, amends)
    payload["guests"] = [_foreign_guest(stay, g, cipher) for g in guests if g.is_foreigner]
    return payload


def _foreign_guest(stay: Stay, guest: Guest, cipher: PersonalDataCipher) -> dict[str, Any]:
    # Declared guests always have details; a purged one reports its gaps as nulls.
    details = sealed.foreign_details(guest, cipher) or ForeignerInput()
    country = pycountry.countries.get(alpha_2=guest.nationality)
    if country is None:  # check_stay accepts only the ISO codes pycountry knows
        raise ValueError(f"unknown nationality {guest.nationality!r}")
    return {
        "guest_id": guest.id,
        "full_name": guest.full_name,
        "full_name_ascii": ascii_name(guest.full_name),
        "sex": guest.sex,
        "birth_date": _day(guest.birth_date),
        "nationality": {
            "code": country.alpha_3,
            "name": getattr(country, "common_name", country.name),
        },
        "document_type": guest.document_type.value,
        "passport": {
            "number": sealed.document_number(guest, cipher) or None,
            "type": details.passport_type.value if details.passport_type else None,
            "expiry": _day(guest.document_expiry),
        },
        "entry_permit": {
            "type": details.visa_type.value if details.visa_type else None,
            "number": details.visa_number or None,
            "valid_until": _day(details.visa_valid_until),
            "issued_on": _day(details.visa_issued_on),
            "issuer": details.visa_issuer or None,
        },
        "entry": {
            "date": _day(details.entry_date),
            "port": details.entry_port or None,
            "purpose": details.entry_purpose or None,
        },
        "period": period_part(stay, guest),
    }


def police_reports(
    stay: Stay,
    guests: Sequence[Guest],
    *,
    event: str,
    amends: dict[FeedChannel, str | None],
    cipher: PersonalDataCipher,
) -> list[tuple[FeedChannel, dict[str, Any]]]:
    """Each police channel's payload for ``guests``, skipping a channel with no one."""
    reports: list[tuple[FeedChannel, dict[str, Any]]] = []
    if any(not g.is_foreigner for g in guests):
        citizens = citizen_report(
            stay, guests, event=event, amends=amends.get(FeedChannel.CITIZENS), cipher=cipher
        )
        reports.append((FeedChannel.CITIZENS, citizens))
    if any(g.is_foreigner for g in guests):
        foreigners = foreigner_report(
            stay, guests, event=event, amends=amends.get(FeedChannel.FOREIGNERS), cipher=cipher
        )
        reports.append((FeedChannel.FOREIGNERS, foreigners))
    return reports
