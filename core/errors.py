"""Error pages and API problems, in the user's language, for every HTTP error."""

from __future__ import annotations

import logging
from typing import cast

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import db
from core.json_bodies import JSONTooDeepError
from core.problems import problem

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Check what you entered and try again."),
    ),
    401: (_l("Sign in required"), _l("Sign in to continue.")),
    403: (_l("Access denied"), _l("Your account does not have access to this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address. It may have moved.")),
    405: (_l("Action not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    422: (_l("Invalid input"), _l("Some of what you entered is not valid.")),
    429: (_l("Too many attempts"), _l("Too many attempts. Wait a few minutes and try again.")),
    500: (
        _l("Something went wrong"),
        _l("Something went wrong on our side. Nothing you entered was saved; please try again."),
    ),
}
CSRF_MESSAGE = _l(
    "This form expired or was sent from another site. Go back, reload the page and send it again."
)


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def _respond(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    title, message = MESSAGES.get(status, (_l("Error"), _l("Something went wrong.")))
    if wants_problem():
        return problem(status, str(title), detail=str(detail or message), headers=headers)
    html = render_template(
        "errors/error.html", status=status, title=title, message=detail or message
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def handle_http_error(error: HTTPException) -> Response:
    if error.response is not None:  # already a finished response (e.g. a validation problem)
        return cast(Response, error.response)
    status = error.code or 500
    detail = str(CSRF_MESSAGE) if isinstance(error, CSRFError) else None
    if isinstance(error, JSONTooDeepError):
        detail = error.explanation()
    headers = {"Retry-After": "600"} if status == 429 else None
    if status == 401 and wants_problem():
        headers = {"WWW-Authenticate": 'Bearer realm="api"'}
    return _respond(status, detail, headers)


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    db.session.rollback()
    return _respond(InternalServerError.code)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
