"""Who may open a page: sign-in, roles, and the session behind the cookie."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app
from flask_babel import LazyString
from flask_login import current_user

from core.auth import areas, services
from core.auth.models import User
from core.auth.roles import ROLE_LABELS, Role
from core.clock import utcnow
from core.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Pages only for these roles: anonymous users are sent to sign in, others get 403."""
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if allowed and current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapper.__dict__["page_roles"] = allowed or frozenset(Role)
        return cast(F, wrapper)

    return decorate


def signed_in_user() -> User:
    """The signed-in user, for views already guarded by ``roles_required``."""
    return cast(User, current_user._get_current_object())  # noqa: SLF001 - Flask-Login's proxy


def _load_user(token: str) -> User | None:
    limits = services.IdleLimits(
        official=dt.timedelta(minutes=current_app.config["OFFICIAL_IDLE_MINUTES"]),
        other=dt.timedelta(days=current_app.config["TOURIST_SESSION_DAYS"]),
    )
    return services.resume_login_session(db.session, token, utcnow(), limits)


def _load_session_user() -> None:
    # Resolve the cookie before the view runs, and keep the session's last-seen
    # time: nothing of the view's is pending yet, so this commit is only ours. Without
    # a database session yet (no cookie was resolved), there is nothing to commit and
    # none is opened: an anonymous API call never touches the database here.
    if current_user.is_authenticated or (db.session.registry.has() and db.session.dirty):
        db.session.commit()


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(_load_session_user)
    app.jinja_env.globals["role_label"] = ROLE_LABELS.get
    app.jinja_env.globals["police_area_name"] = areas.area_name
    app.jinja_env.globals["work_links"] = _work_links


def register_work_link(app: Flask, endpoint: str, label: LazyString, *roles: Role) -> None:
    """Show a link to ``endpoint`` in the header for signed-in users with one of ``roles``."""
    app.extensions.setdefault("work_links", []).append((endpoint, label, frozenset(roles)))


def register_landing(app: Flask, role: Role, endpoint: str) -> None:
    """Where a user of ``role`` lands after signing in (default: their account page)."""
    app.extensions.setdefault("role_landings", {})[role] = endpoint


def landing_endpoint(user: User) -> str:
    return str(current_app.extensions.get("role_landings", {}).get(user.role, "auth.account"))


def _work_links() -> list[tuple[str, LazyString]]:
    if not current_user.is_authenticated:
        return []
    links = current_app.extensions.get("work_links", [])
    return [(endpoint, label) for endpoint, label, roles in links if current_user.role in roles]
