"""Fixtures the lodging tests share: an owner and the hotel they own."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.auth.models import User
from core.auth.roles import Role
from lodging.properties.models import Establishment
from tests.factories import make_establishment, make_user


@pytest.fixture
def owner(db_session: Session) -> User:
    return make_user(db_session, Role.LODGING_OWNER)


@pytest.fixture
def hotel(db_session: Session, owner: User) -> Establishment:
    """An approved hotel in Bãi Cháy with rooms 101, 102 and 201, owned by ``owner``."""
    return make_establishment(db_session, owner=owner)
