"""The demo police account: Bãi Cháy ward's police (Quảng Ninh), who see its guests only."""

from __future__ import annotations

import datetime as dt

from core.auth import services as accounts
from core.auth.roles import Role
from core.database import DbSession
from core.demo import demo_account
from portal.police.jurisdiction import resolve

DEMO_AREA = ("Quảng Ninh", "Bãi Cháy")


def load_demo_police(session: DbSession, now: dt.datetime) -> list[str]:
    email, password, name = demo_account(Role.POLICE)
    if accounts.find_user(session, email) is None:
        province, commune = resolve(*DEMO_AREA)
        accounts.create_user(
            session,
            email=email,
            password=password,
            role=Role.POLICE,
            now=now,
            full_name=name,
            police_province_code=province,
            police_commune_code=commune,
        )
        session.flush()
    return []
