"""Sign in, register, sign out, and the account page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.core import audit
from portal.core.auth import services
from portal.core.auth.access import roles_required, signed_in_user
from portal.core.auth.forms import LoginForm, RegisterForm
from portal.core.auth.models import User
from portal.core.auth.roles import Role
from portal.core.clock import utcnow
from portal.core.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/<locale:lang>", template_folder="../templates")


def _failed_login(response: Response) -> bool:
    return response.status_code != 302


def _submitted_email() -> str:
    return "account:" + request.form.get("email", "").strip().lower()


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _sign_in(user: User) -> None:
    session.clear()  # a fresh session at every sign-in
    services.start_login_session(db.session, user, utcnow(), request.remote_addr or "")
    login_user(user)
    audit.record(
        db.session,
        action="auth.login",
        now=utcnow(),
        actor_id=user.id,
        actor_label=user.email,
        target_type="user",
        target_id=user.id,
        address=request.remote_addr or "",
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed_login,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_submitted_email,
    methods=["POST"],
    deduct_when=_failed_login,
)
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "")
        if user is not None:
            _sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.account"))
        form.password.errors = [_("Wrong e-mail address or password.")]
    return render_template("auth/login.html", form=form)


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                email=form.email.data or "",
                password=form.password.data or "",
                role=Role.TOURIST,
                now=utcnow(),
                full_name=form.full_name.data or "",
                locale=str(get_locale() or "vi"),
            )
        except services.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            _sign_in(user)
            db.session.commit()
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/register.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    token = session.get("_user_id")
    if token:
        services.end_login_session(db.session, token, utcnow())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for(current_app.config["HOME_ENDPOINT"]))


@bp.route("/account")
@roles_required()
def account() -> ResponseReturnValue:
    return render_template("auth/account.html", user=signed_in_user())
