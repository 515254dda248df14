"""One establishment never sees or changes another's guests, through any route.

Walks every page and API endpoint that takes an establishment, stay or guest id,
fills it with the *other* establishment's real ids, and calls every method as the
first establishment's owner: each answer must be 403 or 404, carry none of the
other's guest data, and change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import utcnow
from core.outbox.messages import OutboxMessage
from lodging.registration.models import Guest, Stay, StayEvent
from tests.factories import (
    csrf_token,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)

_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
SECRET_NAME = "KIM MIN-JUN"
SECRET_NUMBER = "M12345678"


@dataclass
class Other:
    establishment_id: int
    stay_id: int
    guest_id: int


@pytest.fixture
def other(db_session: Session) -> Other:
    owner = make_user(db_session, Role.LODGING_OWNER)
    hotel = make_establishment(db_session, owner=owner)
    stay = declare(db_session, hotel, stay_input(foreigner()), by=owner)
    return Other(hotel.id, stay.id, stay.guests[0].id)


def _kind(rule: Rule, name: str) -> str | None:
    if "establishment" in name:
        return "establishment"
    if "stay" in name:
        return "stay"
    if "guest" in name:
        return "guest"
    before = rule.rule.split(f"<int:{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
    return {"establishments": "establishment", "stays": "stay", "guests": "guest"}.get(before)


def targeted_paths(app: Flask, other: Other) -> list[tuple[Rule, str]]:
    """Every rule with an id of ours in it, filled with the other establishment's ids."""
    ids = {"establishment": other.establishment_id, "stay": other.stay_id, "guest": other.guest_id}
    found = []
    for rule in app.url_map.iter_rules():
        variables = _VARIABLE.findall(rule.rule)
        kinds = [_kind(rule, name) for converter, name in variables if converter == "int"]
        if not kinds or None in kinds:
            continue
        path = rule.rule.replace("<locale:lang>", "en")
        for converter, name in variables:
            if converter == "int":
                path = path.replace(f"<int:{name}>", str(ids[_kind(rule, name) or ""]))
        found.append((rule, path))
    return found


def _state(session: Session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Stay, Guest, StayEvent, OutboxMessage)
    )


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def test_owner_of_one_place_gets_nothing_of_another(
    app: Flask, client: FlaskClient, db_session: Session, other: Other
) -> None:
    me = make_user(db_session, Role.LODGING_OWNER)
    mine = make_establishment(db_session, owner=me)
    declare(db_session, mine, by=me)
    token = accounts.create_api_token(db_session, me, "isolation", utcnow())
    db_session.commit()
    log_in(client, me.email)
    form_token = csrf_token(client, "/en/account")
    before = _state(db_session)
    checked = 0
    for rule, path in targeted_paths(app, other):
        is_api = rule.rule.startswith("/api/")
        public = not (
            getattr(app.view_functions[rule.endpoint], "page_roles", None)
            or getattr(app.view_functions[rule.endpoint], "api_roles", None)
        )
        for method in _methods(rule):
            if is_api:
                response = client.open(
                    path,
                    method=method,
                    json={"reason": "x", "departure": utcnow().isoformat()},
                    headers={"Authorization": f"Bearer {token}"},
                )
            else:
                response = client.open(path, method=method, data={"csrf_token": form_token})
            body = response.get_data(as_text=True)
            assert SECRET_NAME not in body, (method, path)
            assert SECRET_NUMBER not in body, (method, path)
            if public:
                # Public establishment details may answer, but never with its rooms.
                assert '"rooms"' not in body, (method, path)
            else:
                assert response.status_code in {403, 404}, (method, path, response.status_code)
            checked += 1
    chooser = client.get(f"/en/desk/?establishment={other.establishment_id}")
    assert chooser.status_code in {200, 404}
    assert SECRET_NAME not in chooser.get_data(as_text=True)
    assert _state(db_session) == before
    assert checked >= 15
