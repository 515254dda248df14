"""Police jurisdictions: core keeps their codes, a feature reads and names them.

A police account covers a province (``police_province_code``) or one of its communes
(``police_commune_code`` too). Core knows no geography, so the feature that does
registers two functions with ``register_police_areas``: one turns what an operator
typed (names with or without diacritics, old names, codes) into codes, raising
``AccountError`` with a translated message; the other names an area for pages.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from core.auth.services import AccountError

PoliceArea = tuple[int, int | None]
AreaResolver = Callable[[str, str], PoliceArea]
AreaNamer = Callable[[int, int | None], str]


def register_police_areas(app: Flask, resolve: AreaResolver, name: AreaNamer) -> None:
    app.extensions["police_areas"] = (resolve, name)


def resolve_area(province: str, commune: str = "") -> PoliceArea:
    """The codes of the area an operator typed, or AccountError saying what is wrong."""
    if not province.strip():
        raise AccountError(
            "police_province", _l("A police account needs the province of its police unit.")
        )
    registered = current_app.extensions.get("police_areas")
    if registered is None:
        raise AccountError("police_province", _l("Police areas are not available here."))
    resolve: AreaResolver = registered[0]
    return resolve(province, commune)


def area_name(province_code: int | None, commune_code: int | None) -> str:
    """The area's name for a page ("Phường Bãi Cháy, Quảng Ninh"), or "" without one."""
    registered = current_app.extensions.get("police_areas")
    if province_code is None:
        return ""
    if registered is None:
        return str(province_code if commune_code is None else f"{commune_code}, {province_code}")
    name: AreaNamer = registered[1]
    return name(province_code, commune_code)
