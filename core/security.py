"""Security headers on every response, and the session cookie's settings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from core.extensions import csrf
from core.settings import Settings

_CSP_HOST = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,5})?")

# No inline script or style anywhere: templates load /static files only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def tile_source(tile_url: str) -> str | None:
    """The CSP source for a map tile URL template.

    ``https://{s}.tiles.example.org/{z}/{x}/{y}.png`` gives ``https://*.tiles.example.org``;
    anything that is not a plain http(s) host gives None (the map then shows no tiles),
    so a setting can never smuggle another directive into the policy.
    """
    parts = urlsplit(tile_url)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in {"http", "https"} or not _CSP_HOST.fullmatch(host):
        return None
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: Settings) -> str:
    """The policy; map tiles may come from the configured tile server, and only from it."""
    source = tile_source(settings.map_tile_url) if settings.map_tile_url else None
    if source is None:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {source}")


def widened(policy: str, sources: Mapping[str, Iterable[str]]) -> str:
    """``policy`` with more sources for some directives (a directive not in it is added)."""
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    for name, extra in sources.items():
        directives[name] = " ".join([directives.get(name, "'self'"), *extra])
    return "; ".join(f"{name} {values}" for name, values in directives.items())


def allow_sources(sources: Mapping[str, Iterable[str]]) -> None:
    """Let this response's page also load from and talk to ``sources`` (a payment page)."""
    g.csp_sources = sources


def _headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if settings.is_production:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return headers


def init_app(app: Flask, settings: Settings) -> None:
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production or settings.public_url.startswith("https:"),
    )
    # Forms carry a CSRF token; the API takes bearer tokens only, never cookies.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    headers = _headers(settings)

    @app.before_request
    def _check_csrf() -> None:
        if not request.path.startswith("/api/"):
            csrf.protect()

    @app.after_request
    def _add_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        sources = g.pop("csp_sources", None)
        if sources:
            policy = headers["Content-Security-Policy"]
            response.headers["Content-Security-Policy"] = widened(policy, sources)
        return response
