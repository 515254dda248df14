"""Operators' commands for guest data: retention purge and data-subject export."""

from __future__ import annotations

from lodging.properties.cli import lodging_cli

__all__ = ["lodging_cli"]
