"""The tourist-facing pages of the destination site."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("destinations", __name__, url_prefix="/<locale:lang>", template_folder="templates")


@bp.route("/")
def home() -> ResponseReturnValue:
    return render_template("destinations/home.html")
