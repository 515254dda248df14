"""The page behind a staff invitation link: join an establishment as its staff.

The owner's link carries the establishment and the invited address, signed and valid
for a week. Whoever opens it either creates a staff account for that address, or
signs in with the staff account it already has and accepts. Nobody else can use it:
someone signed in under another address is asked to sign out first.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from core import audit
from core.auth import services as accounts
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from lodging.properties import services as properties
from lodging.properties.forms import AcceptInvitationForm
from lodging.properties.models import Establishment


class InvitationState(StrEnum):
    NEW_ACCOUNT = "new_account"  # no account yet: choose a name and password
    SIGN_IN = "sign_in"  # a staff account exists: sign in with it to accept
    ACCEPT = "accept"  # signed in with the invited account
    OTHER_USER = "other_user"  # signed in as somebody else
    UNSUITABLE = "unsuitable"  # the address has an account of another role


def _state(account: User | None) -> InvitationState:
    if account is not None and account.role is not Role.LODGING_STAFF:
        return InvitationState.UNSUITABLE
    if current_user.is_authenticated:
        if account is None or current_user.id != account.id:
            return InvitationState.OTHER_USER
        return InvitationState.ACCEPT
    return InvitationState.NEW_ACCOUNT if account is None else InvitationState.SIGN_IN


def _join(user: User, establishment: Establishment, now: dt.datetime) -> None:
    properties.add_member(db.session, establishment, user, now=now)
    audit.record(
        db.session,
        action="staff.join",
        now=now,
        actor_id=user.id,
        actor_label=user.email,
        target_type="establishment",
        target_id=establishment.id,
        address=request.remote_addr or "",
    )


def _create_staff(
    form: AcceptInvitationForm, establishment: Establishment, email: str
) -> ResponseReturnValue | None:
    now = utcnow()
    try:
        user = accounts.create_user(
            db.session,
            email=email,
            password=form.password.data or "",
            role=Role.LODGING_STAFF,
            now=now,
            full_name=form.full_name.data or "",
            locale=str(get_locale() or "vi"),
        )
    except accounts.AccountError as exc:
        field = next((f for f in form if f.name == exc.field), form.full_name)
        field.errors = [*field.errors, str(exc.message)]
        return None
    _join(user, establishment, now)
    db.session.commit()
    flash(_("Your account is ready. Sign in to start work at %(name)s.", name=establishment.name))
    target = url_for("properties.overview", establishment_id=establishment.id)
    return redirect(url_for("auth.login", next=target))


def accept_invitation(token: str) -> ResponseReturnValue:
    """``/<lang>/invitations/<token>``: public, the signed token is the permission."""
    try:
        establishment_id, email = properties.read_invitation(
            str(current_app.config["SECRET_KEY"]), token
        )
        establishment = properties.get_establishment(db.session, establishment_id)
    except properties.NotFoundError:
        return render_template("properties/invitation_invalid.html"), 404
    account = accounts.find_user(db.session, email)
    state = _state(account)
    form = AcceptInvitationForm()
    if state is InvitationState.NEW_ACCOUNT and form.validate_on_submit():
        done = _create_staff(form, establishment, email)
        if done is not None:
            return done
    elif state is InvitationState.ACCEPT and account is not None and request.method == "POST":
        _join(account, establishment, utcnow())
        db.session.commit()
        flash(_("You now work at %(name)s.", name=establishment.name), "success")
        return redirect(url_for("properties.overview", establishment_id=establishment.id))
    return render_template(
        "properties/invitation.html",
        establishment=establishment,
        email=email,
        state=state,
        form=form,
        token=token,
    )
