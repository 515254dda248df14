"""The signed HTTPS feed as a contract: an OpenAPI 3.1 document for a provincial receiver.

What this portal sends to a receiver (``lodging.feeds.transports.HttpTransport``) and
which answers it understands (``outcome_of``), written for whoever builds the receiving
end. The request bodies are the channels' own JSON Schemas (``lodging/feeds/schemas``),
taken as they are: each ``<channel>.v<n>.json`` becomes the component ``<channel>.v<n>``
and each of its ``$defs`` the component ``<channel>.v<n>.<name>``, with the references
rewritten to match, so the document and the receivers' validation cannot drift apart.

``flask feeds receiver-openapi`` prints it, the test receiver serves it at
``GET /openapi.json``, and ``RECEIVER_OPENAPI_PATH`` is the committed copy (a test
checks that it is what this module generates).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

from lodging.feeds.channels import SCHEMA_DIR
from lodging.feeds.transports import TIMESTAMP_TOLERANCE_S
from lodging.registration.reports import FeedChannel

RECEIVER_OPENAPI_PATH = Path(__file__).parent / "receiver.openapi.json"
_SCHEMA_FILE = re.compile(r"(?P<channel>[a-z-]+)\.v(?P<version>\d+)\.json")
_LOCAL_REF = "#/$defs/"
KEY_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"

SUMMARIES = {
    FeedChannel.CITIZENS: "Receive a stay notification for Vietnamese citizens (thông báo lưu trú)",
    FeedChannel.FOREIGNERS: "Receive a foreigners' temporary-residence declaration (NA17 content)",
    FeedChannel.STATISTICS: "Receive one establishment's statistics of one day",
}
DESCRIPTION = f"""\
The portal POSTs every report of a channel to the URL configured for it
(`POLICE_FEED_URL` for vn-luutru, `POLICE_FOREIGNERS_FEED_URL` for vn-tamtru,
`STATISTICS_FEED_URL` for stats); the paths below are those of the reference receiver
(`flask feeds receiver`).

**Signature.** `X-Signature` is `sha256=` and the lower-case hex HMAC-SHA256, under the
feed's shared signing key (`FEED_SIGNING_KEY`), of the ASCII `X-Timestamp`, a dot, and
the body's exact bytes. Refuse a request whose signature does not match or whose
timestamp is more than {TIMESTAMP_TOLERANCE_S} s away from your clock.

**Idempotency.** `Idempotency-Key` is the report's own key. The portal sends a report
again, with the same key and body, whenever it did not get an answer; keep the first copy
per key and answer a repeat with the same receipt.

**Corrections.** Each report carries the full current state of its guests; `event` says
what happened and `amends` names the key of the earlier report of the same stay on the
same channel that this one replaces (null for a first notification).

**Answers.** 2xx with a `receipt_id`: delivered, the receipt is kept as proof. 400 or 422
with `errors` (field path → message): rejected, shown to the establishment on the field to
fix, then sent again under a new key. 408, 429 and 5xx (with `Retry-After` if you like),
or no answer: retried with exponential backoff, the same key, up to 12 attempts, then an
operator is alerted. Any other status (401, 403, 404…) is taken as a setting to fix and
retried the same way.
"""


def channel_schemas() -> dict[str, dict[str, Any]]:
    """Every schema file, by component name (``vn-luutru.v1``), in name order."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        match = _SCHEMA_FILE.fullmatch(path.name)
        if match is None:
            continue
        found[f"{match['channel']}.v{match['version']}"] = json.loads(
            path.read_text(encoding="utf-8")
        )
    return found


def _rewrite_refs(node: Any, prefix: str) -> Any:
    """``node`` with each ``#/$defs/x`` reference pointing at the component ``<prefix>.x``."""
    if isinstance(node, dict):
        rewritten = {key: _rewrite_refs(value, prefix) for key, value in node.items()}
        ref = rewritten.get("$ref")
        if isinstance(ref, str) and ref.startswith(_LOCAL_REF):
            rewritten["$ref"] = f"#/components/schemas/{prefix}.{ref.removeprefix(_LOCAL_REF)}"
        return rewritten
    if isinstance(node, list):
        return [_rewrite_refs(item, prefix) for item in node]
    return node


def schema_components() -> dict[str, Any]:
    """The channels' schemas and their ``$defs`` as OpenAPI components."""
    components: dict[str, Any] = {}
    for name, loaded in channel_schemas().items():
        schema = copy.deepcopy(loaded)
        definitions = schema.pop("$defs", {})
        schema.pop("$schema", None)  # the document's dialect is JSON Schema 2020-12 already
        schema.pop("$id", None)  # an $id would move the base of the references
        components[name] = _rewrite_refs(schema, name)
        for definition, body in definitions.items():
            components[f"{name}.{definition}"] = _rewrite_refs(body, name)
    return components


def _operation(channel: FeedChannel, versions: list[str]) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in versions]
    body_schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {
        "post": {
            "operationId": f"receive_{channel.route}",
            "summary": SUMMARIES[channel],
            "tags": [channel.value],
            "parameters": [
                {"$ref": "#/components/parameters/IdempotencyKey"},
                {"$ref": "#/components/parameters/Timestamp"},
                {"$ref": "#/components/parameters/Signature"},
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": body_schema}},
            },
            "responses": {
                "2XX": {"$ref": "#/components/responses/Delivered"},
                "400": {"$ref": "#/components/responses/Rejected"},
                "422": {"$ref": "#/components/responses/Rejected"},
                "401": {"$ref": "#/components/responses/Unauthorized"},
                "408": {"$ref": "#/components/responses/TryAgain"},
                "429": {"$ref": "#/components/responses/TryAgain"},
                "503": {"$ref": "#/components/responses/TryAgain"},
                "5XX": {"$ref": "#/components/responses/TryAgain"},
            },
        }
    }


def _parameters() -> dict[str, Any]:
    return {
        "IdempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": True,
            "description": "The report's key: the same on every resend of this report.",
            "schema": {"type": "string", "pattern": KEY_PATTERN},
        },
        "Timestamp": {
            "name": "X-Timestamp",
            "in": "header",
            "required": True,
            "description": "When the request was signed, in Unix seconds.",
            "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
        },
        "Signature": {
            "name": "X-Signature",
            "in": "header",
            "required": True,
            "description": "sha256=<hex HMAC-SHA256 of '<X-Timestamp>.<body>'>.",
            "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
        },
    }


def _json(schema: str, description: str, **extra: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
    return {"description": description, "content": content, **extra}


def _responses() -> dict[str, Any]:
    retry_after = {"Retry-After": {"$ref": "#/components/headers/RetryAfter"}}
    return {
        "Delivered": _json("Receipt", "Taken (or taken before under this key): delivered."),
        "Rejected": _json("FieldErrors", "Refused as it is: the establishment corrects it."),
        "Unauthorized": _json("Problem", "Bad signature or stale timestamp: retried."),
        "TryAgain": _json("Problem", "Not now: retried later.", headers=retry_after),
    }


def _answer_schemas() -> dict[str, Any]:
    return {
        "Receipt": {
            "type": "object",
            "required": ["receipt_id"],
            "properties": {
                "receipt_id": {"type": "string", "minLength": 1, "maxLength": 128},
                "duplicate": {"type": "boolean", "description": "A repeat of a key seen."},
            },
        },
        "FieldErrors": {
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "errors": {
                    "description": "Field path (guests[0].id_number) → message(s).",
                    "type": "object",
                    "additionalProperties": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}},
                        ]
                    },
                },
            },
        },
        "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
    }


def receiver_openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of what a receiver of the signed feed is sent."""
    components = schema_components()
    names = list(channel_schemas())
    paths = {}
    for channel in FeedChannel:
        versions = [name for name in names if name.rpartition(".v")[0] == channel.value]
        paths[f"/{channel.value}"] = _operation(channel, versions)
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Signed report feed: what the portal sends a provincial receiver",
            "version": "1",
            "description": DESCRIPTION,
        },
        "servers": [{"url": "http://127.0.0.1:8765", "description": "flask feeds receiver"}],
        "paths": paths,
        "components": {
            "schemas": {**_answer_schemas(), **components},
            "parameters": _parameters(),
            "headers": {
                "RetryAfter": {
                    "description": "Seconds to wait, or an HTTP date.",
                    "schema": {"type": "string"},
                }
            },
            "responses": _responses(),
        },
    }


def render() -> str:
    """The document as committed: indented JSON, names as written, one final newline."""
    return json.dumps(receiver_openapi(), ensure_ascii=False, indent=2) + "\n"
