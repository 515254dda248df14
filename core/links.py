"""Absolute links, always under ``PUBLIC_URL``: never from the request's Host header.

A request's Host header is whatever the client sent. A link built from it (an hreflang
alternate, the sitemap, an e-mail, a QR poster, a payment's return address) would point
wherever the sender chose: a cache or a mail would then carry the attacker's host. Every
absolute link the portal writes comes from here; relative links stay relative.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, url_for


def public_root() -> str:
    """Where the portal is reached: ``PUBLIC_URL`` (or a composer's own), no trailing slash."""
    root = g.get("public_root") or current_app.config["PORTAL_SETTINGS"].public_url
    return str(root).rstrip("/")


@contextmanager
def public_root_as(url: str) -> Iterator[None]:
    """Build links under ``url`` for a while: an e-mail composer given its public address."""
    before = g.get("public_root")
    g.public_root = url
    try:
        yield
    finally:
        g.public_root = before


def absolute(path: str) -> str:
    """A site path (``/vi/``, a ``url_for`` result, a static file) under ``PUBLIC_URL``."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path on this site: {path!r}")
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root + "/"):
        path = path[len(root) :]  # PUBLIC_URL already ends where the portal is mounted
    return public_root() + path


def public_url_for(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` as an absolute link under ``PUBLIC_URL``."""
    return absolute(url_for(endpoint, **values))


def init_app(app: Flask) -> None:
    app.add_template_global(public_url_for)
    app.add_template_global(absolute, "absolute_url")
