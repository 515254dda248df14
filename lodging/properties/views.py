"""Pages for establishments: owners' places, rooms and staff; officials' register."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("properties", __name__, template_folder="templates", url_prefix="/<locale:lang>")
