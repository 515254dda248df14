"""Security headers on every response, and the session cookie's settings."""

from __future__ import annotations

from flask import Flask, Response, request

from portal.core.extensions import csrf
from portal.core.settings import Settings

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


def _headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
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
        return response
