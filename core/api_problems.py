"""The problem answers every API operation can give, written into its OpenAPI entry.

Some answers come from the plumbing, not from the view, so no view declares them:
a bad or missing token (401) or the wrong role (403) from authentication, an id no
row can have (404) from routing, a body too deep (400) or too large (413) from the
JSON reader, input that does not fit the model (422) from validation. They are
added here, per operation, from what the operation takes; what a view says about
its own answers (a 404 with its own description) is kept.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from core.problems import PROBLEM_MIMETYPE

_COMPONENT = "Problem"
_REF = {"$ref": f"#/components/schemas/{_COMPONENT}"}
_METHODS = frozenset({"get", "put", "post", "delete", "patch"})


class Problem(BaseModel):
    """An RFC 9457 problem; ``errors`` gives one message per field path."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: dict[str, str] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MIMETYPE: {"schema": _REF}}}


def problem_response(description: str) -> dict[str, Any]:
    """An operation's own problem answer, for its ``responses`` (a 404 with its reason…)."""
    return {
        "description": description,
        "content": {PROBLEM_MIMETYPE: {"schema": Problem.model_json_schema()}},
    }


def _answers(operation: dict[str, Any], path: str, *, restricted: bool) -> dict[str, str]:
    """The plumbing's answers ``operation`` can give, by status code."""
    answers = {"401": "The bearer token is unknown or revoked, or one is needed and missing."}
    if restricted:
        answers["403"] = "This token's account may not use this operation."
    if "{" in path:
        answers["404"] = "No such record (an id beyond 1 to 2^31 - 1 names none)."
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
        answers["400"] = "Invalid parameters: `errors` has one message per parameter."
    if "requestBody" in operation:
        answers["400"] = (
            "The body is not a JSON document this operation can read, or it is "
            "nested deeper than 32 arrays and objects."
        )
        answers["413"] = "The body is larger than 1 MiB."
    if operation.get("parameters") or "requestBody" in operation:
        answers["422"] = "Invalid input: `errors` has one message per field path."
    return answers


def complete(document: dict[str, Any], restricted: set[tuple[str, str]]) -> dict[str, Any]:
    """``document`` with every operation's problem answers.

    ``restricted`` holds the (path, method) pairs that only some roles may call.
    """
    completed = copy.deepcopy(document)
    schemas = completed.setdefault("components", {}).setdefault("schemas", {})
    schemas[_COMPONENT] = Problem.model_json_schema()
    for path, item in completed.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            # flask-openapi3 describes its own 422 body; ours is a problem.
            if "application/json" in responses.get("422", {}).get("content", {}):
                del responses["422"]
            answers = _answers(operation, path, restricted=(path, method) in restricted)
            for status, description in answers.items():
                responses.setdefault(status, _problem(description))
    return completed
