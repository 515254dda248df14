"""A tourism officer reaches no guest-level record, through any page or API endpoint.

Walks every GET route of the app as a signed-in tourism officer and with an
officer's API token, every id in the path filled with a real establishment's,
stay's and guest's ids (and every other variable with something plausible): no
answer may carry a guest's name, document number or date of birth.
"""

from __future__ import annotations

import io
import re
import zipfile

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from core.auth import services as accounts
from core.clock import utcnow
from lodging.registration.models import Stay
from portal.dashboard.exports import XLSX_TYPE
from tests.dashboard.conftest import SECRET_NAME, SECRET_NUMBER, Province
from tests.factories import log_in

_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")
SECRETS = (SECRET_NAME, SECRET_NUMBER, "LEE SO-YEON", "M87654321", "Nguyễn Thị Ánh", "1985-07-02")


def _fill(rule: Rule, ids: dict[str, int]) -> str:
    path = rule.rule.replace("<locale:lang>", "en")
    for converter, name in _VARIABLE.findall(rule.rule):
        kind = next((k for k in ids if k in name), "stay")
        value = str(ids[kind]) if converter == "int" else "x"
        path = path.replace(f"<{converter}:{name}>" if converter else f"<{name}>", value)
    return path


def _paths(app: Flask, ids: dict[str, int]) -> list[str]:
    return sorted(
        {
            _fill(rule, ids)
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or set()) and not rule.rule.startswith("/static")
        }
    )


def _text(response: TestResponse) -> str:
    """The answer's text; a workbook's is the XML inside its zip (the official form's)."""
    if response.mimetype != XLSX_TYPE:
        return response.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist())


def test_officer_reaches_no_guest(app, client, db_session: Session, province: Province):
    stays = select(Stay).where(Stay.establishment_id == province.a.id).order_by(Stay.id.desc())
    stay = db_session.scalars(stays).first()
    assert stay is not None
    ids = {
        "establishment": province.a.id,
        "stay": stay.id,
        "guest": stay.guests[0].id,
        "commune": province.a.commune_code,
    }
    token = accounts.create_api_token(db_session, province.officer, "walk", utcnow())
    db_session.commit()
    log_in(client, province.officer.email)
    answered = 0
    for path in _paths(app, ids):
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            response = client.get(path, headers=headers)
            body = _text(response)
            for secret in SECRETS:
                assert secret not in body, (path, secret)
            answered += response.status_code == 200
    assert answered >= 20  # the walk did reach pages, not only refusals
    dashboard = client.get(f"/en/dashboard/establishments/{province.a.id}").get_data(as_text=True)
    assert province.a.name in dashboard  # the bottom of the drill-down is the establishment
