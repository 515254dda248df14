"""The fallback files at the desk, for when a channel has not delivered near a deadline.

The owner downloads the foreigners' NA17 spreadsheet or the stay register and hands it
over by hand (``fallback``); both hold identity data, so each download is audit-logged.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import LODGING_ROLES
from core.clock import utcnow
from core.crypto import cipher
from core.extensions import db
from lodging.feeds import fallback
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration.desk.forms import HistoryForm

bp = Blueprint("fallback", __name__, url_prefix="/<locale:lang>")


def _member_establishment(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except properties.NotFoundError:
        abort(404)


@bp.route(
    "/desk/<int:establishment_id>/fallback/na17.xlsx",
    endpoint="download_na17",
    defaults={"kind": fallback.NA17},
)
@bp.route(
    "/desk/<int:establishment_id>/fallback/register.xlsx",
    endpoint="download_register",
    defaults={"kind": fallback.REGISTER},
)
@roles_required(*LODGING_ROLES)
def download_fallback(establishment_id: int, kind: str) -> ResponseReturnValue:
    """A fallback file; it holds identity data, so its download goes on the audit log."""
    establishment = _member_establishment(establishment_id)
    dates = HistoryForm(request.args if kind == fallback.REGISTER else None)
    first, last = dates.date_from.data, dates.date_to.data
    if not dates.validate() or (first and last and first > last):
        flash(_("Enter the register's dates as 2026-05-01, the first not after the last."), "error")
        typed: dict[str, Any] = {"from": request.args.get("from"), "to": request.args.get("to")}
        return redirect(url_for("registration.desk", establishment=establishment.id, **typed))
    user = signed_in_user()
    document = fallback.export(
        db.session,
        establishment,
        kind,
        cipher=cipher(),
        now=utcnow(),
        actor_id=user.id,
        actor_label=user.email,
        address=request.remote_addr or "",
        arrived_from=first,
        arrived_to=last,
    )
    db.session.commit()
    disposition = f'attachment; filename="{document.filename}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(document.content, mimetype=fallback.XLSX_MIME, headers=headers)
