"""Sign in, register, sign out, and the account page."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    after_this_request,
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

from core import audit
from core.auth import services, throttle
from core.auth.access import landing_endpoint, roles_required, signed_in_user
from core.auth.forms import LoginForm, RegisterForm
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.crypto import cipher
from core.extensions import db, limiter

bp = Blueprint("auth", __name__, url_prefix="/<locale:lang>", template_folder="../templates")


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
    _remember_device(user.id)
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


def _throttle() -> throttle.LoginThrottle:
    config = current_app.config
    limits = throttle.LoginLimits(
        per_address=config["LOGIN_LIMIT_PER_ADDRESS"],
        per_account=config["LOGIN_LIMIT_PER_ACCOUNT"],
        per_device=config["LOGIN_LIMIT_PER_DEVICE"],
    )
    return throttle.LoginThrottle(limiter.limiter, limits)


def _device_key() -> bytes:
    return throttle.device_key(current_app.config["SECRET_KEY"])


def _sign_in_attempt(login_throttle: throttle.LoginThrottle, email: str) -> throttle.SignInAttempt:
    cookie = request.cookies.get(throttle.DEVICE_COOKIE, "")
    device = throttle.read_device_cookie(_device_key(), cookie) if cookie else None
    user = services.find_user(db.session, email) if device else None
    account_key = cipher().lookup_hash(email, context="login-account")
    return login_throttle.attempt(
        email, account_key, request.remote_addr or "", device, user.id if user else None
    )


def _remember_device(user_id: int) -> None:
    """This browser signed in to this account: failures elsewhere no longer lock it out."""
    value = throttle.new_device_cookie(_device_key(), user_id)

    @after_this_request
    def _set_cookie(response: Response) -> Response:
        response.set_cookie(
            throttle.DEVICE_COOKIE,
            value,
            max_age=dt.timedelta(days=throttle.DEVICE_COOKIE_DAYS),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Strict",
        )
        return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if form.validate_on_submit():
        login_throttle = _throttle()
        attempt = _sign_in_attempt(login_throttle, (form.email.data or "").strip().lower())
        if not login_throttle.may_try(attempt):
            abort(429)
        user = services.authenticate(db.session, attempt.email, form.password.data or "")
        if user is not None:
            _sign_in(user)
            db.session.commit()
            landing = url_for(landing_endpoint(user))
            return redirect(_safe_next(request.args.get("next")) or landing)
        login_throttle.failed(attempt)
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
