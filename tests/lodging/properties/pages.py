"""Helpers for the establishment page tests: sign in, then send a page's form."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.factories import csrf_token


def send(
    client: FlaskClient, path: str, data: dict[str, Any], *, token_from: str = "", prefix: str = ""
) -> TestResponse:
    """POST ``data`` to ``path`` with a CSRF token from the page the form is on."""
    token = csrf_token(client, token_from or path)
    field = f"{prefix}-csrf_token" if prefix else "csrf_token"
    return client.post(path, data={**data, field: token})
