"""Declarations from hotel software, with the same checks as the desk.

``/api/v1/establishments/{id}/stays`` and ``/api/v1/stays/{id}``.
"""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from portal.core.api import API_PREFIX

api = APIBlueprint(
    "registration_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="stays")]
)
