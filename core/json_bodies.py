"""JSON request bodies, bounded in depth: ``app.json`` for every ``request.get_json()``.

Python's JSON decoder recurses once per nested array or object, so a body of a
thousand ``[`` raises ``RecursionError``; a decoder that survives a few hundred
levels still hands every later step (validation, storage, logging) a structure no
endpoint asked for. No document the portal takes is more than a few levels deep,
so anything deeper than ``MAX_JSON_DEPTH`` is refused with a 400 that says why,
by the one decoder every view, API or page, reads JSON with.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 32


class JSONTooDeepError(BadRequest):
    """A body nested deeper than ``MAX_JSON_DEPTH``: a 400 with its own message."""

    def explanation(self) -> str:
        return str(
            _(
                "The JSON body is nested too deeply: use at most %(count)s levels of "
                "arrays and objects.",
                count=MAX_JSON_DEPTH,
            )
        )


def nesting_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How many arrays and objects deep ``value`` goes (a scalar is 0).

    Counted without recursion, and only up to ``limit + 1``: enough to refuse.
    """
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending and deepest <= limit:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing documents nested deeper than ``MAX_JSON_DEPTH``."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeepError from None
        if nesting_depth(value) > MAX_JSON_DEPTH:
            raise JSONTooDeepError
        return value


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
