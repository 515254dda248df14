"""The reporting channels, their payload versions, and checking a payload's shape.

Each channel's payload has a version and one JSON Schema file per version in
``lodging/feeds/schemas/`` (``<channel>.v<version>.json``, draft 2020-12). The builders
write the current version; the receiver checks whatever version a payload names, so
a receiver can take old and new senders during a change of version.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from core.api import field_path
from lodging.registration.reports import FeedChannel

SCHEMA_DIR = Path(__file__).parent / "schemas"


# The version each builder writes today.
SCHEMA_VERSIONS: dict[FeedChannel, int] = {
    FeedChannel.CITIZENS: 1,
    FeedChannel.FOREIGNERS: 1,
    FeedChannel.STATISTICS: 1,
}


class UnknownSchemaError(LookupError):
    """No schema file for this channel and version."""


def schema_path(channel: str, version: int) -> Path:
    return SCHEMA_DIR / f"{channel}.v{version}.json"


@cache
def schema(channel: str, version: int) -> dict[str, Any]:
    """The JSON Schema of one channel's payload at one version."""
    if channel not in set(FeedChannel):
        raise UnknownSchemaError(channel)
    try:
        text = schema_path(channel, version).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UnknownSchemaError(f"{channel} v{version}") from exc
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(channel: str, version: int) -> Draft202012Validator:
    return Draft202012Validator(schema(channel, version), format_checker=FormatChecker())


def validation_errors(channel: str, payload: Any) -> dict[str, str]:
    """What is wrong with ``payload`` for ``channel``: one message per field path.

    Paths are written as the API writes them (``guests[0].id_number``); a missing or
    unexpected property is reported at its own path, not its parent's. Empty when the
    payload is valid.
    """
    version = payload.get("schema_version") if isinstance(payload, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return {"schema_version": "A whole-number schema_version is required."}
    try:
        validator = _validator(channel, version)
    except UnknownSchemaError:
        return {"schema_version": f"Version {version} of {channel} is not known here."}
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path)):
        for path in _error_paths(error):
            errors.setdefault(path, error.message)
    return errors


def _error_paths(error: ValidationError) -> list[str]:
    base: list[str | int] = list(error.absolute_path)
    instance, rule, schema_part = error.instance, error.validator, error.schema
    if rule == "required" and isinstance(instance, dict):
        names = error.validator_value if isinstance(error.validator_value, list) else []
        return [field_path([*base, name]) for name in names if name not in instance]
    if rule == "additionalProperties" and isinstance(instance, dict):
        known = set(schema_part.get("properties", {})) if isinstance(schema_part, dict) else set()
        return [field_path([*base, name]) for name in instance if name not in known]
    return [field_path(base)]
