"""The admins' page of the police units' e-mail addresses (``lodging.feeds.police_units``).

An admin sets the address a unit posts for stay notices, or clears it; every change is
on the audit log. The reports of a unit without an address are filed, not e-mailed.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import Role
from core.clock import utcnow
from core.extensions import db
from lodging.feeds import police_units
from lodging.feeds.forms import UnitEmailForm
from lodging.properties import geography

bp = Blueprint(
    "police_units_admin",
    __name__,
    url_prefix="/<locale:lang>/admin/police-units",
    template_folder="templates",
)


def _unit_name(unit: police_units.PoliceUnit) -> str:
    province = geography.province(unit.province_code).name
    if unit.commune_code is None:
        return str(_("%(province)s: the province's own unit", province=province))
    try:
        commune = geography.commune(unit.commune_code).name
    except geography.UnknownPlaceError:
        commune = str(unit.commune_code)
    return f"{commune}, {province}"


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_units() -> ResponseReturnValue:
    form = UnitEmailForm()
    if form.validate_on_submit():
        admin = signed_in_user()
        now = utcnow()
        try:
            unit = police_units.set_unit_email(
                db.session,
                province_code=form.province_code.data or 0,
                commune_code=int(form.commune_code.data) if form.commune_code.data else None,
                email=form.email.data,
                actor_label=admin.email,
                now=now,
            )
        except police_units.PoliceUnitError as exc:
            getattr(form, exc.field).errors.append(str(exc.message))
        else:
            police_units.record_change(
                db.session,
                unit,
                actor_id=admin.id,
                actor_label=admin.email,
                address=request.remote_addr or "",
                now=now,
            )
            db.session.commit()
            flash(_("Saved the address of %(unit)s.", unit=_unit_name(unit)), "success")
            return redirect(url_for("police_units_admin.edit_units"))
    units = police_units.units_with_email(db.session)
    rows = [(unit, _unit_name(unit)) for unit in units]
    return render_template("feeds/police_units.html", form=form, rows=rows)
