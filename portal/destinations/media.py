"""Serving content photos: only stored re-encodings, always as the image type stored.

A name is served only when an ``Image`` row names it (as the photo or its thumbnail),
so nothing else in the media folder (a half-written file, an orphan of a rolled-back
upload) is ever reachable, and the response type comes from the row, not the file.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select

from core.extensions import db
from portal.destinations.models import Image

bp = Blueprint("destination_media", __name__)
NAME = re.compile(r"[0-9a-f]{32}(?:-thumb)?\.(?:jpg|png|webp)")


def media_dir(app: Flask) -> Path:
    return Path(app.instance_path) / "media"


@bp.route("/media/<name>")
def media(name: str) -> ResponseReturnValue:
    if not NAME.fullmatch(name):
        abort(404)
    image = db.session.scalar(
        select(Image).where(or_(Image.file_name == name, Image.thumbnail_name == name))
    )
    path = media_dir(current_app) / name
    if image is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=image.media_type, max_age=365 * 24 * 3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # The public pages link photos through this endpoint (see presentation._media_url).
    app.config["DESTINATION_MEDIA_ENDPOINT"] = "destination_media.media"
