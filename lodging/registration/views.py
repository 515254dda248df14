"""The owner's desk: declare guests, see what is due, check out, correct, cancel."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("registration", __name__, template_folder="templates", url_prefix="/<locale:lang>")
