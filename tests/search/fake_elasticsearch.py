"""A fake Elasticsearch node behind the real client, for unit tests without a cluster.

The real ``Elasticsearch`` client builds and sends every request (paths, query strings,
JSON and NDJSON bodies); this node answers from a small in-memory model of indices and
aliases and records what it was sent. It knows only the calls the backend makes and
does not search: a test gives ``search_response`` the answer it wants parsed.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elastic_transport.client_utils import DEFAULT, DefaultType
from elasticsearch import Elasticsearch


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Any


def _error(status: int, kind: str) -> tuple[int, Any]:
    cause = {"type": kind, "reason": kind}
    return status, {"error": {**cause, "root_cause": [cause]}, "status": status}


@dataclass
class FakeCluster:
    icu: bool = True
    indices: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    # Per document id, the status a bulk item gets (default 201).
    bulk_status: dict[str, int] = field(default_factory=dict)
    search_response: dict[str, Any] = field(default_factory=dict)
    changed: list[dict[str, Any]] = field(default_factory=list)  # what a scan finds

    def client(self) -> Elasticsearch:
        cluster = self

        class Node(BaseNode):
            def perform_request(
                self,
                method: str,
                target: str,
                body: bytes | None = None,
                headers: HttpHeaders | None = None,
                request_timeout: DefaultType | float | None = DEFAULT,
            ) -> NodeApiResponse:
                status, payload = cluster.handle(method, target, body)
                raw = b"" if method == "HEAD" else json.dumps(payload).encode()
                meta = ApiResponseMeta(
                    status=status,
                    http_version="1.1",
                    headers=HttpHeaders(
                        {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
                    ),
                    duration=0.0,
                    node=self.config,
                )
                return NodeApiResponse(meta, raw)

        return Elasticsearch("http://fake-node:9200", node_class=Node, max_retries=0)

    def sent(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # -- routing -------------------------------------------------------------------

    def handle(self, method: str, target: str, raw: bytes | None) -> tuple[int, Any]:
        url = urlsplit(target)
        path = unquote(url.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self._decode(path, raw)
        self.requests.append(Request(method, path, params, body))
        parts = [p for p in path.split("/") if p]
        return self._route(method, parts, params, body)

    @staticmethod
    def _decode(path: str, raw: bytes | None) -> Any:
        if not raw:
            return None
        text = raw.decode()
        if path.endswith("_bulk"):
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        decoded: Any = json.loads(text)
        return decoded

    def _route(
        self, method: str, parts: list[str], params: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        if not parts:
            return 200, {"version": {"number": "9.1.0"}, "tagline": "You Know, for Search"}
        head, tail = parts[0], parts[1:]
        if head.startswith("_"):
            return self._api(method, head, tail, body)
        if tail == ["_search"]:
            return 200, self._page(self.changed) if "scroll" in params else self.search_response
        if tail in (["_settings"], ["_refresh"]):
            return 200, {"acknowledged": True}
        if not tail and method in ("PUT", "DELETE", "GET"):
            return {"PUT": self._create, "DELETE": self._delete, "GET": self._get}[method](
                head, body
            )
        return _error(400, f"unexpected {method} /{'/'.join(parts)}")

    def _api(  # noqa: PLR0911 - one return per endpoint reads best in a router
        self, method: str, head: str, tail: list[str], body: Any
    ) -> tuple[int, Any]:
        if head == "_cat" and tail == ["plugins"]:
            return 200, [{"name": "node-1", "component": "analysis-icu"}] if self.icu else []
        if head == "_analyze":
            return (200, {"tokens": []}) if self.icu else _error(400, "illegal_argument_exception")
        if head == "_alias":
            return self._get_alias(method, tail[0])
        if head == "_aliases":
            return self._update_aliases(body)
        if head == "_bulk":
            return self._bulk(body)
        if head == "_search" and tail == ["scroll"]:
            return 200, self._page([]) if method != "DELETE" else {}
        return _error(400, f"unexpected {method} /{head}")

    def _delete(self, names: str, body: Any) -> tuple[int, Any]:
        for name in names.split(","):
            self.indices.pop(name, None)
            for members in self.aliases.values():
                members.discard(name)
        return 200, {"acknowledged": True}

    def _get(self, pattern: str, body: Any) -> tuple[int, Any]:
        names = [n for n in self.indices if fnmatch.fnmatch(n, pattern)]
        return 200, {n: self.indices[n] for n in names}

    @staticmethod
    def _page(hits: list[dict[str, Any]]) -> dict[str, Any]:
        shards = {"total": 1, "successful": 1, "skipped": 0, "failed": 0}
        return {"_scroll_id": "s1", "_shards": shards, "hits": {"hits": hits}}

    def _get_alias(self, method: str, name: str) -> tuple[int, Any]:
        members = self.aliases.get(name)
        if not members:
            return _error(404, "aliases_not_found_exception")
        return 200, {index: {"aliases": {name: {}}} for index in sorted(members)}

    def _update_aliases(self, body: Any) -> tuple[int, Any]:
        for action in body["actions"]:
            ((verb, spec),) = action.items()
            members = self.aliases.setdefault(spec["alias"], set())
            if verb == "add":
                members.add(spec["index"])
            else:
                members.discard(spec["index"])
        return 200, {"acknowledged": True}

    def _create(self, name: str, body: Any) -> tuple[int, Any]:
        if name in self.indices:
            return _error(400, "resource_already_exists_exception")
        self.indices[name] = body
        for alias in (body or {}).get("aliases", {}):
            self.aliases.setdefault(alias, set()).add(name)
        return 200, {"acknowledged": True, "index": name}

    def _bulk(self, lines: list[dict[str, Any]]) -> tuple[int, Any]:
        items = []
        for header in lines[0::2]:
            ((op, meta),) = header.items()
            status = self.bulk_status.get(meta["_id"], 201)
            item: dict[str, Any] = {"_index": meta["_index"], "_id": meta["_id"], "status": status}
            if status >= 300:
                item["error"] = {"type": "version_conflict_engine_exception", "reason": "x"}
            items.append({op: item})
        errors = any(i[next(iter(i))]["status"] >= 300 for i in items)
        return 200, {"took": 1, "errors": errors, "items": items}
