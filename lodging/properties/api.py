"""``/api/v1/establishments``: what hotel software and the public can read."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from portal.core.api import API_PREFIX

api = APIBlueprint(
    "properties_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="establishments")]
)
