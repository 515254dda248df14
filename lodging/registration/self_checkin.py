"""Self check-in: guests enter (or scan) their own details on their phone.

Nothing reaches the police until staff have seen the guest's papers and confirmed
the guest (who, when, how).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("self_checkin", __name__, template_folder="templates", url_prefix="/<locale:lang>")
