"""Errors as RFC 9457 ``application/problem+json`` documents."""

from __future__ import annotations

from typing import Any

from flask import Response, json

PROBLEM_MIMETYPE = "application/problem+json"


def problem(
    status: int,
    title: str,
    *,
    detail: str | None = None,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response
