"""The shell: builds the Flask application from its features (``portal.create_app``)."""

from __future__ import annotations

from pathlib import Path

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from lodging.feeds.channels import FeedChannel
from lodging.feeds.cli import feeds_cli  # the outbox's commands and the test receiver
from lodging.feeds.handlers import follow_delivery, register_feeds
from lodging.feeds.transports import build_transport
from lodging.properties import api as properties_api
from lodging.properties import models as properties_models
from lodging.properties import views as properties_views
from lodging.properties.cli import register_cli_hooks
from lodging.properties.demo import load_demo_establishments
from lodging.registration import api as registration_api
from lodging.registration import cli as registration_cli
from lodging.registration import models as registration_models
from lodging.registration import self_checkin
from lodging.registration import views as registration_views
from portal.core import api, audit, crypto, errors, i18n, outbox, outbox_admin, security
from portal.core.auth import access
from portal.core.auth import admin as accounts_admin
from portal.core.auth import views as auth_views
from portal.core.auth.access import register_work_link
from portal.core.auth.cli import tokens_cli, users_cli
from portal.core.auth.roles import Role
from portal.core.database import configure_sqlite
from portal.core.demo import demo_cli, load_demo_accounts, register_demo_loader
from portal.core.extensions import babel, csrf, db, limiter, migrate
from portal.core.settings import Settings
from portal.destinations import views as destination_views
from search import health as search_health

ROOT = Path(__file__).resolve().parent.parent
HOME_ENDPOINT = "destinations.home"
# Every module that defines tables, so the metadata (hence `flask db migrate` and
# `db check`) sees them all whether or not a view has imported them yet.
MODEL_MODULES = (audit, outbox, properties_models, registration_models)


def build_app(settings: Settings | None = None) -> OpenAPI:
    """Build the portal from ``settings`` (default: read from the environment)."""
    settings = settings or Settings.from_env()
    app = OpenAPI(
        __name__,
        info=Info(title="Smart-tourism and accommodation portal API", version="1.0.0"),
        security_schemes=api.SECURITY_SCHEMES,
        validation_error_callback=api.validation_problem,
        doc_ui=False,
        instance_path=settings.instance_path,
        static_folder=str(ROOT / "static"),
        template_folder="core/templates",
    )
    _configure(app, settings)
    _init_extensions(app, settings)
    _register_features(app, settings)
    return app


def _configure(app: OpenAPI, settings: Settings) -> None:
    Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        PORTAL_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS=settings.login_limit_per_address,
        LOGIN_LIMIT_PER_ACCOUNT=settings.login_limit_per_account,
        OFFICIAL_IDLE_MINUTES=settings.official_idle_minutes,
        TOURIST_SESSION_DAYS=settings.tourist_session_days,
        HOME_ENDPOINT=HOME_ENDPOINT,
        TESTING=settings.environment == "test",
    )
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )


def _init_extensions(app: OpenAPI, settings: Settings) -> None:
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(
        app,
        default_locale=settings.default_locale,
        default_timezone=settings.timezone,
        default_translation_directories=str(ROOT / "translations"),
        locale_selector=i18n.select_locale,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app, settings)
    errors.init_app(app)
    access.init_app(app)
    api.init_app(app)
    crypto.init_app(app, settings.data_encryption_key)


def _register_features(app: OpenAPI, settings: Settings) -> None:
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(accounts_admin.bp)
    app.register_blueprint(outbox_admin.bp)
    app.register_blueprint(destination_views.bp)
    app.register_blueprint(properties_views.bp)
    app.register_blueprint(registration_views.bp)
    app.register_blueprint(self_checkin.bp)
    app.register_blueprint(self_checkin.short_bp)
    app.register_api(properties_api.api)
    app.register_api(registration_api.api)
    app.add_url_rule("/", "root", _root)
    api.register_health_check(
        app, "search", lambda: search_health.check(settings.elasticsearch_url)
    )
    register_demo_loader(app, load_demo_accounts)
    register_demo_loader(app, load_demo_establishments)
    register_cli_hooks(app)
    _register_feeds(app, settings)
    _register_work_links(app)
    for group in (users_cli, tokens_cli, demo_cli, registration_cli.lodging_cli, feeds_cli):
        app.cli.add_command(group)


def _register_feeds(app: OpenAPI, settings: Settings) -> None:
    """Reports go over HTTPS to the channels with a URL, into the file drop otherwise."""
    transport = build_transport(
        urls={
            FeedChannel.CITIZENS.value: settings.police_feed_url,
            FeedChannel.FOREIGNERS.value: settings.police_foreigners_feed_url,
            FeedChannel.STATISTICS.value: settings.statistics_feed_url,
        },
        drop_dir=Path(settings.feed_drop_dir),
        secret=settings.feed_signing_key.encode(),
    )
    register_feeds(app, transport, app.extensions["personal_data_cipher"])
    outbox.register_state_listener(app, follow_delivery)


def _register_work_links(app: OpenAPI) -> None:
    """The header's links to each role's own pages."""
    lodging = (Role.LODGING_OWNER, Role.LODGING_STAFF)
    officials = (Role.ADMIN, Role.TOURISM_OFFICER)
    register_work_link(app, "registration.desk", _l("Front desk"), *lodging)
    register_work_link(app, "properties.my_establishments", _l("My establishments"), *lodging)
    register_work_link(app, "properties.list_establishments", _l("Establishments"), *officials)
    register_work_link(app, "accounts_admin.list_users", _l("Users"), Role.ADMIN)
    register_work_link(app, "outbox_admin.show_status", _l("Report deliveries"), Role.ADMIN)


def _root() -> ResponseReturnValue:
    """``/`` sends each visitor to their language; the answer depends on the header."""
    lang = i18n.best_locale(i18n.saved_locale(), "vi")
    response = redirect(url_for(HOME_ENDPOINT, lang=lang), 302)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
