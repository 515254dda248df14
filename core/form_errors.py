"""A service's errors, shown on the form that sent the input (field name to message)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf import FlaskForm


def show_errors(form: FlaskForm, errors: Mapping[str, Any], fallback: str) -> None:
    """Put each message on its field, or on ``fallback`` when the form has no such field."""
    for name, message in errors.items():
        field = form[name] if name in form else form[fallback]
        field.errors = [*field.errors, str(message)]
