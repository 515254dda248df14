"""The roles a user can hold, and which of them are officials."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    TOURIST = "tourist"
    LODGING_OWNER = "lodging_owner"
    LODGING_STAFF = "lodging_staff"
    POLICE = "police"
    TOURISM_OFFICER = "tourism_officer"
    ADMIN = "admin"


# Officials handle other people's data: their idle sessions end after a few minutes.
OFFICIAL_ROLES = frozenset({Role.POLICE, Role.TOURISM_OFFICER, Role.ADMIN})
# The tourism department's pages (content, establishments, statistics): its officers and admins.
DEPARTMENT_ROLES = (Role.ADMIN, Role.TOURISM_OFFICER)
# An establishment's own people: its owners and their staff.
LODGING_ROLES = (Role.LODGING_OWNER, Role.LODGING_STAFF)
# Only an admin creates these; tourists register themselves.
ADMIN_CREATED_ROLES = frozenset(Role) - {Role.TOURIST}

ROLE_LABELS = {
    Role.TOURIST: _l("Tourist"),
    Role.LODGING_OWNER: _l("Lodging owner"),
    Role.LODGING_STAFF: _l("Lodging staff"),
    Role.POLICE: _l("Police"),
    Role.TOURISM_OFFICER: _l("Tourism officer"),
    Role.ADMIN: _l("Administrator"),
}
