"""The hand-over page at the desk: download each portal's batch, record its file number.

The batch files hold identity data: every download is audit-logged, and the URLs name
the establishment and the batch only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm

from core.auth.access import roles_required, signed_in_user
from core.auth.roles import LODGING_ROLES
from core.clock import utcnow
from core.crypto import cipher
from core.extensions import db
from core.ids import row_id
from lodging.feeds import batch_templates, handover, handover_batches
from lodging.feeds.fallback import XLSX_MIME
from lodging.feeds.forms import FileNumberForm
from lodging.properties import services as properties
from lodging.properties.models import Establishment
from lodging.registration.display import DISPLAY

bp = Blueprint("handover", __name__, template_folder="templates", url_prefix="/<locale:lang>")

PORTAL_NAMES = {
    batch_templates.CITIZENS_PORTAL: _l(
        "Public-service portal: stay notices (Vietnamese citizens)"
    ),
    batch_templates.FOREIGNERS_PORTAL: _l("Immigration portal: declarations of foreigners"),
}


@bp.context_processor
def _display() -> dict[str, Any]:
    return DISPLAY | {"portal_names": PORTAL_NAMES}


def _establishment(establishment_id: int) -> Establishment:
    try:
        return properties.member_establishment(db.session, signed_in_user(), establishment_id)
    except properties.NotFoundError:
        abort(404)


def _page(establishment: Establishment, forms: dict[str, FileNumberForm] | None = None) -> str:
    board = handover.board(db.session, establishment.id, cipher(), utcnow())
    forms = forms or {}
    for card in board.cards:
        form = forms.get(card.portal) or FileNumberForm(prefix=card.portal, formdata=None)
        if card.open_batch and not form.batch.data:
            form.batch.data = str(card.open_batch.batch_id)
        forms[card.portal] = form
    return render_template(
        "handover/handover.html", establishment=establishment, board=board, forms=forms
    )


@bp.route("/desk/<int:establishment_id>/handover", endpoint="page")
@roles_required(*LODGING_ROLES)
def handover_page(establishment_id: int) -> ResponseReturnValue:
    return _page(_establishment(establishment_id))


def _xlsx(download: handover.Download) -> Response:
    disposition = f'attachment; filename="{download.filename}"'
    headers = {"Content-Disposition": disposition, "Cache-Control": "no-store"}
    return Response(download.content, mimetype=XLSX_MIME, headers=headers)


@bp.route("/desk/<int:establishment_id>/handover/<portal>/batch", methods=["POST"])
@roles_required(*LODGING_ROLES)
def make_batch(establishment_id: int, portal: str) -> ResponseReturnValue:
    """A new batch of the guests due at ``portal``, downloaded at once."""
    establishment = _establishment(establishment_id)
    if portal not in batch_templates.PORTALS or not FlaskForm().validate_on_submit():
        abort(400)
    user = signed_in_user()
    try:
        download = handover_batches.make_batch(
            db.session,
            establishment,
            portal,
            cipher=cipher(),
            now=utcnow(),
            actor_id=user.id,
            actor_label=user.email,
            address=request.remote_addr or "",
        )
    except handover.HandoverError as exc:
        flash(str(exc.errors["portal"]), "error")
        return redirect(url_for(".page", establishment_id=establishment.id))
    db.session.commit()
    return _xlsx(download)


@bp.route("/desk/<int:establishment_id>/handover/batches/<int:batch_id>.xlsx")
@roles_required(*LODGING_ROLES)
def download_batch(establishment_id: int, batch_id: int) -> ResponseReturnValue:
    """A batch's file again, with the same guests."""
    establishment = _establishment(establishment_id)
    user = signed_in_user()
    try:
        download = handover_batches.download_batch(
            db.session,
            establishment,
            batch_id,
            cipher=cipher(),
            now=utcnow(),
            actor_id=user.id,
            actor_label=user.email,
            address=request.remote_addr or "",
        )
    except handover.BatchNotFoundError:
        abort(404)
    db.session.commit()
    return _xlsx(download)


def _batch_id(raw: str | None) -> int | None:
    """The batch the page showed; none (the newest waiting) when absent or not an id."""
    try:
        return row_id(raw) if raw else None
    except ValueError:
        return None


@bp.route("/desk/<int:establishment_id>/handover/<portal>/file-number", methods=["POST"])
@roles_required(*LODGING_ROLES)
def record_file_number(establishment_id: int, portal: str) -> ResponseReturnValue:
    """The batch is uploaded at the portal: its guests are notified from now."""
    establishment = _establishment(establishment_id)
    if portal not in batch_templates.PORTALS:
        abort(404)
    form = FileNumberForm(prefix=portal)
    if not form.validate_on_submit():
        return _page(establishment, {portal: form}), 400
    user = signed_in_user()
    try:
        batch = handover_batches.record_file_number(
            db.session,
            establishment,
            portal,
            form.file_number.data or "",
            now=utcnow(),
            actor_id=user.id,
            actor_label=user.email,
            batch_id=_batch_id(form.batch.data),
        )
    except handover.HandoverError as exc:
        form.file_number.errors = [str(exc.errors["file_number"])]
        return _page(establishment, {portal: form}), 400
    except handover.BatchNotFoundError:
        abort(404)
    db.session.commit()
    done = ngettext(
        "Handed over: file no. %(number)s, %(num)d guest notified.",
        "Handed over: file no. %(number)s, %(num)d guests notified.",
        len(batch.guests),
        number=batch.file_number,
    )
    flash(done, "success")
    return redirect(url_for(".page", establishment_id=establishment.id))
