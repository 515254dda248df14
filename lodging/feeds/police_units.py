"""The police units' published e-mail addresses, where the stay notices can be e-mailed.

A registration office may take stay notices at an e-mail address it posts (Circular
55/2021 art. 15(1)); for foreigners, establishments other than hotels may e-mail the
declaration to the immigration office (Law 47/2014 art. 33(3)). Officers or admins set
each unit's address here; ``lodging.feeds.routing`` picks it for each report.

A unit is a province's commune police (``commune_code`` set) or the province's own unit
(``commune_code`` None: the provincial police's immigration office). ``unit`` is the
natural key written out (``"22"``, ``"22-6940"``), so the database keeps one row per unit
even where the commune is NULL.
"""

from __future__ import annotations

import datetime as dt

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.database import Base, DbSession
from lodging.properties import geography

EMAIL_LENGTH = 254


class PoliceUnit(Base):
    __tablename__ = "lodging_police_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit: Mapped[str] = mapped_column(String(24), unique=True)
    province_code: Mapped[int]
    commune_code: Mapped[int | None]
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class PoliceUnitError(ValueError):
    """A unit or address that cannot be saved; ``field`` names the input, ``message`` says why."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


def unit_key(province_code: int, commune_code: int | None) -> str:
    return f"{province_code}" if commune_code is None else f"{province_code}-{commune_code}"


def check_unit(province_code: int, commune_code: int | None) -> None:
    """Raise ``PoliceUnitError`` unless the province exists and holds the commune."""
    try:
        geography.province(province_code)
    except geography.UnknownPlaceError as exc:
        raise PoliceUnitError("province_code", _l("There is no province with this code.")) from exc
    if commune_code is None:
        return
    try:
        commune = geography.commune(commune_code)
    except geography.UnknownPlaceError as exc:
        raise PoliceUnitError("commune_code", _l("There is no commune with this code.")) from exc
    if commune.province_code != province_code:
        raise PoliceUnitError("commune_code", _l("This commune is not in that province."))


def normalized_email(email: str) -> str:
    """The address as stored, or ``PoliceUnitError`` if it is not one."""
    text = email.strip()
    if len(text) > EMAIL_LENGTH:
        raise PoliceUnitError("email", _l("An e-mail address has at most 254 characters."))
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PoliceUnitError(
            "email", _l("Enter the unit's e-mail address, such as conganxa@example.gov.vn.")
        ) from exc
    return checked.normalized.lower()


def set_unit_email(
    session: DbSession,
    *,
    province_code: int,
    commune_code: int | None,
    email: str | None,
    actor_label: str,
    now: dt.datetime,
) -> PoliceUnit:
    """Set (or, with an empty ``email``, clear) the address where a unit takes stay notices.

    Raises ``PoliceUnitError`` for an unknown unit or an address that is not one.
    """
    check_unit(province_code, commune_code)
    address = normalized_email(email) if email and email.strip() else None
    key = unit_key(province_code, commune_code)
    unit = session.scalars(select(PoliceUnit).where(PoliceUnit.unit == key)).first()
    if unit is None:
        unit = PoliceUnit(unit=key, province_code=province_code, commune_code=commune_code)
        session.add(unit)
    unit.email = address
    unit.updated_at = now
    unit.updated_by = actor_label[:254]
    session.flush()
    return unit


def record_change(
    session: DbSession,
    unit: PoliceUnit,
    *,
    actor_id: int,
    actor_label: str,
    address: str,
    now: dt.datetime,
) -> None:
    """Put a change of a unit's address on the audit log: who set what, from where."""
    audit.record(
        session,
        action="police_unit.set_email",
        now=now,
        actor_id=actor_id,
        actor_label=actor_label,
        target_type="lodging_police_unit",
        target_id=unit.id,
        address=address,
        detail={"unit": unit.unit, "email": unit.email},
    )


def unit_email(session: DbSession, province_code: int, commune_code: int | None) -> str | None:
    """The unit's published address, or None when it has none."""
    key = unit_key(province_code, commune_code)
    return session.scalars(select(PoliceUnit.email).where(PoliceUnit.unit == key)).first()


def units_with_email(session: DbSession) -> list[PoliceUnit]:
    """Every unit that has an address, by province then commune (the province's own first)."""
    query = select(PoliceUnit).where(PoliceUnit.email.is_not(None))
    units = session.scalars(query).all()
    return sorted(units, key=lambda u: (u.province_code, u.commune_code or 0))
