"""Admins create the officials' and lodging people's accounts; nobody else can."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from core import audit
from core.auth import areas, services
from core.auth.access import roles_required, signed_in_user
from core.auth.forms import CreateUserForm
from core.auth.models import User
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db

bp = Blueprint("accounts_admin", __name__, url_prefix="/<locale:lang>/admin/users")


@bp.route("/")
@roles_required(Role.ADMIN)
def list_users() -> ResponseReturnValue:
    users = db.session.scalars(select(User).order_by(User.created_at.desc()).limit(200))
    return render_template("auth/admin_users.html", users=list(users))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def create_user() -> ResponseReturnValue:
    form = CreateUserForm()
    if form.validate_on_submit():
        admin = signed_in_user()
        now = utcnow()
        try:
            area = _police_area(form)
            user = services.create_user(
                db.session,
                email=form.email.data or "",
                password=form.password.data or "",
                role=Role(form.role.data),
                now=now,
                full_name=form.full_name.data or "",
                police_province_code=area[0] if area else None,
                police_commune_code=area[1] if area else None,
            )
        except services.AccountError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            audit.record(
                db.session,
                action="user.create",
                now=now,
                actor_id=admin.id,
                actor_label=admin.email,
                target_type="user",
                target_id=user.id,
                address=request.remote_addr or "",
                detail={"role": user.role.value},
            )
            db.session.commit()
            flash(_("Account created for %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts_admin.list_users"))
    return render_template("auth/admin_create_user.html", form=form)


def _police_area(form: CreateUserForm) -> areas.PoliceArea | None:
    """A police account's area from the names typed; none for other roles."""
    if form.role.data != Role.POLICE.value:
        return None
    return areas.resolve_area(form.police_province.data or "", form.police_commune.data or "")
