"""Whether the configured search backend can answer, for ``/api/v1/health``."""

from __future__ import annotations

from typing import Any

from search.documents import SearchBackend


def check(backend: SearchBackend) -> dict[str, Any]:
    """The backend's own report; a failure to report is an error naming the backend."""
    try:
        report = backend.health()
    except Exception as exc:  # noqa: BLE001 - a broken engine is what health reports
        return {"status": "error", "backend": backend.name, "error": str(exc)}
    return {**report, "backend": report.get("backend", backend.name)}
