"""The JSON API's shared parts: bearer tokens, problem responses, OpenAPI, health.

Features build their endpoints on ``flask_openapi3.APIBlueprint`` under
``API_PREFIX`` and mark the ones that need a token with ``@token_required``.
Authentication runs before request validation, so an anonymous caller learns
nothing about a protected endpoint's input rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_openapi3 import APIBlueprint, OpenAPI, Tag
from pydantic import BaseModel, ValidationError
from sqlalchemy import text

from core import api_problems
from core.auth import services as accounts
from core.auth.models import ApiToken, User
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from core.problems import problem

API_PREFIX = "/api/v1"
# No API document comes near this (a stay of 50 guests is about 40 kB); pages keep
# MAX_CONTENT_LENGTH for their image uploads. More is refused with a 413.
MAX_API_BODY = 1024 * 1024
BEARER_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token from `flask tokens create`.",
    }
}

F = TypeVar("F", bound=Callable[..., Any])
HealthCheck = Callable[[], dict[str, Any]]

_ERROR_MESSAGES = {
    "missing": _l("This field is required."),
    "string_too_short": _l("Use at least %(min_length)s characters."),
    "string_too_long": _l("Use at most %(max_length)s characters."),
    "string_type": _l("Enter text."),
    "string_pattern_mismatch": _l("This value has the wrong format."),
    "int_parsing": _l("Enter a whole number."),
    "int_type": _l("Enter a whole number."),
    "int_from_float": _l("Enter a whole number."),
    "float_parsing": _l("Enter a number."),
    "float_type": _l("Enter a number."),
    "bool_parsing": _l("Enter true or false."),
    "date_parsing": _l("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _l("Enter a date as YYYY-MM-DD."),
    "date_type": _l("Enter a date as YYYY-MM-DD."),
    "datetime_parsing": _l("Enter a date and time such as 2026-05-01T14:30:00+07:00."),
    "datetime_from_date_parsing": _l("Enter a date and time such as 2026-05-01T14:30:00+07:00."),
    "datetime_type": _l("Enter a date and time such as 2026-05-01T14:30:00+07:00."),
    "timezone_aware": _l("Give the time with its UTC offset, such as +07:00."),
    "greater_than_equal": _l("Enter a value of at least %(ge)s."),
    "greater_than": _l("Enter a value greater than %(gt)s."),
    "less_than_equal": _l("Enter a value of at most %(le)s."),
    "less_than": _l("Enter a value less than %(lt)s."),
    "literal_error": _l("Choose one of: %(expected)s."),
    "enum": _l("Choose one of: %(expected)s."),
    "model_type": _l("Send a JSON object."),
    "model_attributes_type": _l("Send a JSON object."),
    "dict_type": _l("Send a JSON object."),
    "list_type": _l("Send a list."),
    "too_short": _l("Send at least %(min_length)s items."),
    "too_long": _l("Send at most %(max_length)s items."),
    "extra_forbidden": _l("This field is not allowed."),
    "json_invalid": _l("The body is not valid JSON."),
}
_FALLBACK_MESSAGE = _l("This value is not valid.")


def field_path(loc: Iterable[str | int]) -> str:
    """``("guests", 0, "document_number")`` → ``guests[0].document_number``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def translate_error(error: Any) -> str:
    """One pydantic error in the request's language; our own errors carry their message."""
    if error["type"] == "portal":
        return str(error["msg"])
    template = _ERROR_MESSAGES.get(error["type"], _FALLBACK_MESSAGE)
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return str(template) % context if context else str(template).replace("%%", "%")
    except (KeyError, TypeError, ValueError):
        return str(_FALLBACK_MESSAGE)


def validation_problem(exc: ValidationError) -> Response:
    """The 422 answer for input that does not fit the endpoint's model."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(field_path(error["loc"]), translate_error(error))
    return problem(
        422, _("Invalid input"), detail=_("Some of what you sent is not valid."), errors=errors
    )


def token_required(*roles: Role) -> Callable[[F], F]:
    """Mark an API view as needing a bearer token (of one of ``roles``, if given)."""

    def mark(view: F) -> F:
        view.__dict__["api_roles"] = frozenset(roles) or frozenset(Role)
        return view

    return mark


def api_user() -> User | None:
    """The user whose token authenticated this API request."""
    return cast(User | None, g.get("api_user"))


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _bound_body() -> None:
    """API bodies get the API's own size limit, checked as soon as one is read."""
    if request.path.startswith(API_PREFIX + "/"):
        request.max_content_length = MAX_API_BODY


def _authenticate() -> Response | None:
    if not request.path.startswith(API_PREFIX + "/"):
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    roles: frozenset[Role] | None = getattr(view, "api_roles", None)
    token = _bearer_token()
    user = accounts.user_for_api_token(db.session, token, utcnow()) if token else None
    if token and user is None:
        return problem(
            401,
            _("Invalid token"),
            detail=_("The API token is unknown or revoked."),
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    # The token's last use (at most once a minute) stays pending: the view's own commit
    # carries it, and ``_keep_token_use`` commits it after a view that committed nothing.
    g.api_user = user
    if roles is None:
        return None
    if user is None:
        return problem(
            401,
            _("Sign in required"),
            detail=_("This endpoint needs an API token."),
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
    if user.role not in roles:
        return problem(
            403, _("Access denied"), detail=_("This token's account may not use this endpoint.")
        )
    return None


class HealthResponse(BaseModel):
    status: str
    checks: dict[str, dict[str, Any]]


core_api = APIBlueprint("core_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="system")])


@core_api.get("/health", responses={200: HealthResponse, 503: HealthResponse})
def health() -> tuple[Response, int]:
    """Whether the database and the search backend answer."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in current_app.extensions["health_checks"].items():
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is what a health check reports
            checks[name] = {"status": "error", "error": type(exc).__name__}
    healthy = all(check.get("status") == "ok" for check in checks.values())
    return jsonify(status="ok" if healthy else "error", checks=checks), 200 if healthy else 503


class MeResponse(BaseModel):
    id: int
    email: str
    full_name: str
    role: Role


@core_api.get("/me", security=BEARER_SECURITY, responses={200: MeResponse})
@token_required()
def me() -> Response:
    """The account behind the bearer token: lets hotel software check its token."""
    user = cast(User, api_user())
    me = MeResponse(id=user.id, email=user.email, full_name=user.full_name, role=user.role)
    return jsonify(me.model_dump(mode="json"))


def database_health() -> dict[str, Any]:
    db.session.execute(text("SELECT 1"))
    return {"status": "ok", "engine": db.engine.dialect.name}


_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def _restricted_operations(app: Flask) -> set[tuple[str, str]]:
    """The (OpenAPI path, method) pairs whose tokens must be of some roles only."""
    restricted: set[tuple[str, str]] = set()
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions.get(rule.endpoint), "api_roles", None)
        if rule.rule.startswith(API_PREFIX + "/") and roles and roles != frozenset(Role):
            path = _ARGUMENT.sub(r"{\1}", rule.rule)
            restricted.update((path, method.lower()) for method in rule.methods or ())
    return restricted


def openapi_document() -> Response:
    """The OpenAPI document, with the problems the plumbing answers (built once)."""
    app = cast(OpenAPI, current_app)
    if "api_document" not in app.extensions:
        restricted = _restricted_operations(app)
        app.extensions["api_document"] = api_problems.complete(app.api_doc, restricted)
    return jsonify(app.extensions["api_document"])


def _keep_token_use(response: Response) -> Response:
    """Commit the token's last use when it is all the request left pending.

    A view that writes commits it with its own changes (one commit a request); a read
    leaves it alone in the session. Anything else pending (a view that failed half-way)
    is never committed here.
    """
    if g.get("api_user") is None or not db.session.registry.has():
        return response
    session = db.session
    if session.new or session.deleted:
        return response
    pending = session.dirty
    if pending and all(isinstance(record, ApiToken) for record in pending):
        session.commit()
    return response


def init_app(app: OpenAPI) -> None:
    app.extensions.setdefault("health_checks", {})["database"] = database_health
    app.before_request(_bound_body)
    app.before_request(_authenticate)
    app.after_request(_keep_token_use)
    app.add_url_rule(f"{API_PREFIX}/openapi.json", "openapi_document", openapi_document)
    app.register_api(core_api)


def register_health_check(app: Flask, name: str, check: HealthCheck) -> None:
    app.extensions.setdefault("health_checks", {})[name] = check
