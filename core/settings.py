"""The one typed settings object, built from the environment inside create_app."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # noqa: S105
DEVELOPMENT_FEED_KEY = "development-only-feed-signing-key"
# 32 zero bytes: deliberately useless outside development, refused in production.
DEVELOPMENT_DATA_KEY = base64.urlsafe_b64encode(bytes(32)).decode()


_PARSERS: dict[str, Any] = {"int": int, "float": float}


class SettingsError(ValueError):
    """The environment does not describe a runnable portal."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once from the environment.

    Field names map to environment variables in upper case (``database_url`` is
    ``DATABASE_URL``). Secrets have no usable default outside development.
    """

    environment: str = "development"  # development | test | production
    database_url: str = ""
    secret_key: str = DEVELOPMENT_SECRET
    data_encryption_key: str = DEVELOPMENT_DATA_KEY
    instance_path: str = ""
    default_locale: str = "vi"
    timezone: str = "Asia/Ho_Chi_Minh"
    public_url: str = "http://127.0.0.1:5000"
    smtp_host: str = ""  # empty: e-mails are written as files into MAIL_DROP_DIR
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 20.0
    mail_sender: str = "no-reply@localhost"
    mail_drop_dir: str = ""
    stripe_secret_key: str = ""
    stripe_publishable_key: str = ""
    stripe_webhook_secret: str = ""
    stripe_api_base: str = ""
    elasticsearch_url: str = ""
    elasticsearch_index_prefix: str = "portal"
    # The embedded search index's own SQLite file (default: <instance>/search.sqlite3).
    search_index_path: str = ""
    police_feed_url: str = ""
    police_foreigners_feed_url: str = ""
    statistics_feed_url: str = ""
    # Provinces whose police receive declarations in this portal's own workspace, as
    # province codes separated by commas ("22,10"): their reports are delivered there.
    police_workspace_provinces: str = ""
    feed_signing_key: str = DEVELOPMENT_FEED_KEY
    feed_drop_dir: str = ""
    # Seconds: reaching a receiver, then waiting for its answer (past it: "unverified").
    feed_connect_timeout: float = 5.0
    feed_read_timeout: float = 30.0
    ratelimit_storage_uri: str = "memory://"
    # Before every key the limits keep in that storage: portals sharing one Redis stay apart.
    ratelimit_key_prefix: str = "portal"
    login_limit_per_address: str = "20 per 10 minutes"
    login_limit_per_account: str = "5 per 10 minutes"
    # Failed sign-ins from a browser holding the account's device cookie (see auth/throttle).
    login_limit_per_device: str = "5 per 10 minutes"
    official_idle_minutes: int = 30
    tourist_session_days: int = 14
    map_tile_url: str = ""
    # Shown on the map as text; tile providers require it (OSM data: ODbL).
    map_tile_attribution: str = "© OpenStreetMap contributors"
    # How many proxies in front of us set X-Forwarded-For/-Proto (0: none, trust nothing).
    proxy_hops: int = 0
    # Published statistics: a figure from fewer guests than this is not shown.
    statistics_min_cell: int = 5

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def workspace_province_codes(self) -> frozenset[int]:
        """``POLICE_WORKSPACE_PROVINCES`` as codes (``check`` has refused anything else)."""
        listed = self.police_workspace_provinces.replace(" ", "").split(",")
        return frozenset(int(code) for code in listed if code)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``PORTAL_ENV`` and the variables named after fields."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {"environment": environ.get("PORTAL_ENV", "development")}
        for f in fields(cls):
            if f.name == "environment":
                continue
            raw = environ.get(f.name.upper())
            if raw is None:
                continue
            try:
                values[f.name] = _PARSERS.get(str(f.type), str)(raw)
            except ValueError as exc:
                raise SettingsError(f"{f.name.upper()} must be a number, not {raw!r}") from exc
        return cls(**values).resolved()

    def resolved(self) -> Settings:
        """Fill defaults that depend on other fields, then check the result."""
        instance = Path(self.instance_path or Path.cwd() / "instance").resolve()
        db_url = self.database_url or f"sqlite:///{instance / 'portal.sqlite3'}"
        # A plain postgres:// URL would ask for psycopg2; we ship psycopg 3.
        db_url = re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", db_url)
        drop = self.feed_drop_dir or str(instance / "feeds")
        search_index = self.search_index_path or str(instance / "search.sqlite3")
        settings = replace(
            self,
            instance_path=str(instance),
            database_url=db_url,
            feed_drop_dir=drop,
            mail_drop_dir=self.mail_drop_dir or str(instance / "mail"),
            search_index_path=search_index,
        )
        settings.check()
        return settings

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides).resolved()

    def check(self) -> None:
        """Refuse settings that would be unsafe or cannot work."""
        if self.environment not in {"development", "test", "production"}:
            raise SettingsError(
                f"PORTAL_ENV must be development, test or production, not {self.environment!r}"
            )
        try:
            key = base64.urlsafe_b64decode(self.data_encryption_key.encode())
        except ValueError as exc:
            raise SettingsError("DATA_ENCRYPTION_KEY must be url-safe base64") from exc
        if len(key) != 32:
            raise SettingsError("DATA_ENCRYPTION_KEY must decode to 32 bytes")
        if not re.fullmatch(r"(\s*\d{1,3}\s*(,\s*\d{1,3}\s*)*)?", self.police_workspace_provinces):
            raise SettingsError(
                "POLICE_WORKSPACE_PROVINCES must list province codes separated by commas, "
                f"not {self.police_workspace_provinces!r}"
            )
        if self.is_production:
            self._check_production()

    def _check_production(self) -> None:
        """Production has no development defaults: every secret and service is real."""
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise SettingsError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
            )
        if self.data_encryption_key == DEVELOPMENT_DATA_KEY:
            raise SettingsError("DATA_ENCRYPTION_KEY must be set in production")
        if self.feed_signing_key == DEVELOPMENT_FEED_KEY or len(self.feed_signing_key) < 32:
            raise SettingsError(
                "FEED_SIGNING_KEY must be set to a random value of at least 32 characters"
                " in production (it signs every report)"
            )
        if not self.smtp_host:
            raise SettingsError(
                "SMTP_HOST must be set in production (deadline alerts are e-mailed)"
            )
        if not self.public_url.startswith("https://"):
            raise SettingsError("PUBLIC_URL must be https:// in production (cookies are Secure)")
        if self.ratelimit_storage_uri == "memory://":
            raise SettingsError(
                "RATELIMIT_STORAGE_URI must point at shared storage (e.g. redis://) in production"
            )
        self._check_stripe()

    def _check_stripe(self) -> None:
        """Without its own keys, the portal would fall back to localstripe's public secret."""
        if not self.stripe_secret_key:
            raise SettingsError("STRIPE_SECRET_KEY must be set in production")
        secret = self.stripe_webhook_secret
        # Stripe's endpoint secrets are "whsec_" and 32 characters or more (localstripe's
        # public "whsec_localstripe" is not).
        if not secret.startswith("whsec_") or len(secret) < 38:
            raise SettingsError(
                "STRIPE_WEBHOOK_SECRET must be set in production to the signing secret"
                " Stripe shows for the portal's webhook endpoint (whsec_…)"
            )
