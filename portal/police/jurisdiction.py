"""A police account's area: names typed by operators into codes, and the area's filter.

Names resolve as addresses do (``lodging.properties.geography``): with or without
diacritics, pre-2025 province names ("Yên Bái" is Lào Cai), or GSO codes.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_

from core.auth.areas import PoliceArea
from core.auth.models import User
from core.auth.services import AccountError
from lodging.properties import geography
from lodging.properties.models import Establishment


def resolve(province: str, commune: str) -> PoliceArea:
    """The codes of a province and (optionally) one of its communes, from names or codes."""
    try:
        found = geography.find_province(province)
    except geography.UnknownPlaceError:
        raise AccountError("police_province", _l("No province has this name or code.")) from None
    if not commune.strip():
        return found.code, None
    try:
        return found.code, geography.find_commune(found.code, commune).code
    except geography.UnknownPlaceError:
        raise AccountError(
            "police_commune",
            _l("No ward or commune of %(province)s has this name or code.", province=found.name),
        ) from None


def name(province_code: int, commune_code: int | None) -> str:
    """The area as people write it: "Phường Bãi Cháy, Quảng Ninh", or a province alone."""
    try:
        province = geography.province(province_code).name
        if commune_code is None:
            return province
        return f"{geography.commune(commune_code).name}, {province}"
    except geography.UnknownPlaceError:
        return str(province_code)


def in_area(officer: User) -> ColumnElement[bool]:
    """Establishments whose receiving police unit is inside the officer's area.

    An account without an area sees nothing (a false condition, never "everything").
    """
    if officer.police_province_code is None:
        return Establishment.id.is_(None)
    same_province = Establishment.police_province_code == officer.police_province_code
    if officer.police_commune_code is None:
        return same_province
    return and_(same_province, Establishment.police_commune_code == officer.police_commune_code)
