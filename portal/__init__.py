"""The smart-tourism and accommodation portal: ``create_app`` builds the whole application."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask_openapi3 import OpenAPI

    from core.settings import Settings


def create_app(settings: Settings | None = None) -> OpenAPI:
    """Build the portal from ``settings`` (default: read from the environment)."""
    # The shell imports every feature, and the tourist-site features live in this
    # package: importing it when an app is built keeps `import portal.booking…` from
    # importing every other feature first.
    from portal.app import build_app  # noqa: PLC0415

    return build_app(settings)
