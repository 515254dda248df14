"""Test data builders: the smallest valid object, with overrides."""

from __future__ import annotations

import itertools
import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.core.auth import services
from portal.core.auth.models import User
from portal.core.auth.roles import Role
from portal.core.clock import utcnow

PASSWORD = "Ha-Long-Bay-1994"
_serial = itertools.count(1)


def make_user(session: Session, role: Role = Role.TOURIST, **overrides: object) -> User:
    n = next(_serial)
    values: dict[str, object] = {
        "email": f"user{n}@example.com",
        "password": PASSWORD,
        "full_name": f"Người dùng {n}",
    }
    if role is Role.POLICE:
        values.update(police_province="Quảng Ninh", police_unit="Công an phường Hạ Long")
    values.update(overrides)
    user = services.create_user(session, role=role, now=utcnow(), **values)  # type: ignore[arg-type]
    session.commit()
    return user


def csrf_token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD, lang: str = "en") -> None:
    token = csrf_token(client, f"/{lang}/login")
    response = client.post(
        f"/{lang}/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
