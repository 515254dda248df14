"""A Bãi Cháy ward officer, a Bãi Cháy hotel and a Sa Pa hotel, each with a guest."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth.roles import Role
from core.auth.services import create_api_token
from core.clock import utcnow
from lodging.registration.documents import Sex
from tests.factories import citizen, declare, make_establishment, make_user, stay_input

BAI_CHAY = (22, 6673)
SA_PA_GUEST = {"full_name": "Lò Văn Dũng", "document_number": "010079003128"}


@pytest.fixture
def officer(db_session):
    return make_user(
        db_session,
        Role.POLICE,
        full_name="Phạm Quốc Bảo",
        police_province_code=BAI_CHAY[0],
        police_commune_code=BAI_CHAY[1],
    )


@pytest.fixture
def owner(db_session):
    return make_user(db_session, Role.LODGING_OWNER)


@pytest.fixture
def bai_chay(db_session, owner):
    return make_establishment(db_session, owner=owner, name="Khách sạn Sóng Biển")


@pytest.fixture
def sa_pa(db_session):
    return make_establishment(
        db_session, name="Khách sạn Mây Trắng", province="Lào Cai", commune="Sa Pa"
    )


@pytest.fixture
def bai_chay_stay(db_session, bai_chay):
    return declare(db_session, bai_chay)


@pytest.fixture
def sa_pa_stay(db_session, sa_pa):
    guest = citizen(
        full_name=SA_PA_GUEST["full_name"],
        document_number=SA_PA_GUEST["document_number"],
        birth_date=dt.date(1979, 3, 12),
        sex=Sex.M,
    )
    return declare(db_session, sa_pa, stay_input(guest))


@pytest.fixture
def api_headers(db_session, officer):
    token = create_api_token(db_session, officer, "police app", utcnow())
    db_session.commit()
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
