"""The shell: builds the Flask application from its features (``portal.create_app``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_openapi3 import Info, OpenAPI
from werkzeug.middleware.proxy_fix import ProxyFix

from core import api, audit, crypto, errors, i18n, ids, json_bodies, links, security
from core.auth import access
from core.auth import admin as accounts_admin
from core.auth import views as auth_views
from core.auth.access import register_landing, register_work_link
from core.auth.areas import register_police_areas
from core.auth.cli import tokens_cli, users_cli
from core.auth.roles import DEPARTMENT_ROLES, LODGING_ROLES, Role
from core.database import DbSession, configure_sqlite
from core.demo import demo_cli, load_demo_accounts, register_demo_loader
from core.extensions import babel, csrf, db, limiter, migrate
from core.outbox import admin as outbox_admin
from core.outbox import messages as outbox
from core.outbox.cli import outbox_cli
from core.outbox.mail import MailDrop, Mailer, SmtpMailer, register_mail
from core.outbox.periodic import register_periodic
from core.settings import Settings
from lodging.feeds import handover_views, police_units
from lodging.feeds import models as feeds_models
from lodging.feeds import unit_admin as police_units_admin
from lodging.feeds import views as fallback_views
from lodging.feeds.cli import feeds_cli
from lodging.feeds.handlers import follow_delivery, register_feeds, schedule_daily_stats
from lodging.feeds.police_mail import PoliceMail
from lodging.feeds.transports import build_transport
from lodging.properties import api as properties_api
from lodging.properties import models as properties_models
from lodging.properties import public_views as lodging_public_views
from lodging.properties import views as properties_views
from lodging.properties.cli import register_cli_hooks
from lodging.properties.demo import load_demo_establishments
from lodging.properties.forms import AMENITY_LABELS
from lodging.properties.forms import KIND_LABELS as LODGING_KIND_LABELS
from lodging.properties.search_documents import register_lodging_source
from lodging.registration import cli as registration_cli
from lodging.registration import models as registration_models
from lodging.registration import police_answers
from lodging.registration.alert_mail import alert_composer
from lodging.registration.alerts import enqueue_deadline_alerts
from lodging.registration.api import endpoints as registration_api
from lodging.registration.bookings import register_booking_desk
from lodging.registration.demo import load_demo_stays
from lodging.registration.desk import views as registration_views
from lodging.registration.desk import vouchers as booked_arrivals
from lodging.registration.hooks import register_stay_listener
from lodging.registration.reports import FeedChannel
from lodging.registration.self_checkin import views as self_checkin
from lodging.statistics import models as statistics_models
from lodging.statistics import monthly_report as statistics_reports
from lodging.statistics.cli import statistics_cli
from lodging.statistics.demo import load_demo_month
from lodging.statistics.ledger import apply_stay, extend_horizon
from portal.booking import api as booking_api
from portal.booking import booking_api as bookings_api
from portal.booking import checkout as booking_checkout
from portal.booking import guest_views as booking_guest_views
from portal.booking import models as booking_models
from portal.booking import owner_views as booking_owner_views
from portal.booking import views as booking_views
from portal.booking.cli import booking_cli
from portal.booking.demo import load_demo_rates
from portal.booking.desk import BookingDesk
from portal.booking.notices import notice_composer
from portal.booking.payments import (
    LOCALSTRIPE_KEY,
    LOCALSTRIPE_URL,
    LOCALSTRIPE_WEBHOOK_SECRET,
    StripeProvider,
)
from portal.booking.services import release_lapsed_holds
from portal.dashboard import api as dashboard_api
from portal.dashboard import form_views as dashboard_form_views
from portal.dashboard import money_api as dashboard_money_api
from portal.dashboard import owner_views as dashboard_owner_views
from portal.dashboard import report_views as dashboard_report_views
from portal.dashboard import views as dashboard_views
from portal.destinations import backoffice as content_admin
from portal.destinations import media as destination_media
from portal.destinations import models as destination_models
from portal.destinations import search_documents as destination_documents
from portal.destinations import sitemap as destination_sitemap
from portal.destinations import views as destination_views
from portal.destinations.demo import load_demo_content
from portal.destinations.presentation import CATEGORY_LABELS as EVENT_CATEGORY_LABELS
from portal.destinations.presentation import KIND_LABELS as PLACE_KIND_LABELS
from portal.police import api as police_api
from portal.police import jurisdiction as police_areas
from portal.police import views as police_views
from portal.police.demo import load_demo_police
from search import api as search_api
from search import health as search_health
from search import labels as search_labels
from search import views as search_views
from search.cli import search_cli
from search.documents import Facet
from search.indexing import backend_of, init_search, register_indexing

ROOT = Path(__file__).resolve().parent.parent
HOME_ENDPOINT = "destinations.home"
# Every module that defines tables, so the metadata (hence `flask db migrate` and
# `db check`) sees them all whether or not a view has imported them yet.
MODEL_MODULES = (
    audit,
    outbox,
    properties_models,
    registration_models,
    police_answers,
    feeds_models,
    destination_models,
    statistics_reports,
    statistics_models,
    booking_models,
    police_units,
)


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
        template_folder=str(ROOT / "core" / "templates"),
    )
    _configure(app, settings)
    _init_extensions(app, settings)
    _register_features(app, settings)
    return app


def _configure(app: OpenAPI, settings: Settings) -> None:
    ids.init_app(app)  # before the first route: every <int:…> is a bounded row id
    json_bodies.init_app(app)
    Path(settings.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        PORTAL_SETTINGS=settings,
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_STORAGE_OPTIONS={"key_prefix": settings.ratelimit_key_prefix},
        RATELIMIT_HEADERS_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS=settings.login_limit_per_address,
        LOGIN_LIMIT_PER_ACCOUNT=settings.login_limit_per_account,
        LOGIN_LIMIT_PER_DEVICE=settings.login_limit_per_device,
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
    links.init_app(app)
    security.init_app(app, settings)
    errors.init_app(app)
    access.init_app(app)
    api.init_app(app)
    crypto.init_app(app, settings.data_encryption_key)


def _register_features(app: OpenAPI, settings: Settings) -> None:
    app.register_blueprint(auth_views.bp)
    app.register_blueprint(accounts_admin.bp)
    app.register_blueprint(outbox_admin.bp)
    app.register_blueprint(police_units_admin.bp)
    app.register_blueprint(destination_views.bp)
    app.register_blueprint(destination_sitemap.bp)
    app.register_blueprint(content_admin.bp)
    destination_media.init_app(app)
    destination_documents.register_sources(app)
    app.register_blueprint(properties_views.bp)
    app.register_blueprint(lodging_public_views.bp)
    app.register_blueprint(registration_views.bp)
    app.register_blueprint(fallback_views.bp)
    app.register_blueprint(handover_views.bp)
    app.register_blueprint(booked_arrivals.bp)
    app.register_blueprint(self_checkin.bp)
    app.register_blueprint(self_checkin.short_bp)
    app.register_blueprint(search_views.bp)
    app.register_api(properties_api.api)
    app.register_api(search_api.api)
    search_labels.init_app(app)
    for facet, labels in (
        (Facet.CATEGORY, LODGING_KIND_LABELS),
        (Facet.CATEGORY, PLACE_KIND_LABELS),
        (Facet.CATEGORY, EVENT_CATEGORY_LABELS),
        (Facet.AMENITIES, AMENITY_LABELS),
    ):
        search_labels.register_facet_labels(app, facet, search_labels.labels_by_code(labels))
    app.register_api(registration_api.api)
    _register_dashboard(app)
    app.register_api(booking_api.api)
    app.register_blueprint(booking_views.bp)
    app.register_blueprint(booking_guest_views.bp)
    app.register_blueprint(booking_owner_views.bp)
    app.register_api(bookings_api.api)
    _register_police(app)
    app.add_url_rule("/", "root", _root)
    init_search(app, settings)
    register_indexing(app)
    register_lodging_source(app)
    api.register_health_check(app, "search", lambda: search_health.check(backend_of(app)))
    register_demo_loader(app, load_demo_accounts)
    register_demo_loader(app, load_demo_establishments)
    register_demo_loader(app, load_demo_stays)
    register_demo_loader(app, load_demo_month)  # after the stays': it adds last month's
    register_demo_loader(app, load_demo_content)
    register_demo_loader(app, load_demo_rates)
    register_cli_hooks(app)
    # The occupancy ledger moves with every stay change, in the same transaction.
    register_stay_listener(app, apply_stay)
    _register_feeds(app, settings)
    _register_mail(app, settings)
    _register_payments(app, settings)
    _register_work_links(app)
    for group in (
        users_cli,
        tokens_cli,
        demo_cli,
        registration_cli.lodging_cli,
        outbox_cli,
        feeds_cli,
        search_cli,
        statistics_cli,
        booking_cli,
    ):
        app.cli.add_command(group)


def _register_dashboard(app: OpenAPI) -> None:
    """The department's and the owners' statistics: pages, monthly reports, money, API."""
    app.register_blueprint(dashboard_views.bp)
    app.register_blueprint(dashboard_owner_views.bp)
    app.register_blueprint(dashboard_report_views.bp)
    app.register_blueprint(dashboard_form_views.bp)
    app.register_api(dashboard_api.api)
    app.register_api(dashboard_money_api.api)


def _register_police(app: OpenAPI) -> None:
    """The police workspace: its pages and API, areas by name, and where police land."""
    app.register_blueprint(police_views.bp)
    app.register_api(police_api.api)
    register_police_areas(app, police_areas.resolve, police_areas.name)
    register_landing(app, Role.POLICE, "police.home")
    register_demo_loader(app, load_demo_police)  # before the accounts': their lines list it


def _register_feeds(app: OpenAPI, settings: Settings) -> None:
    """Reports go to the workspace, over HTTPS, by e-mail or into the file drop.

    The workspace for the provinces whose police work in this portal; else HTTPS where
    the channel has a URL; else e-mail to the police unit's address where
    the law allows it and an SMTP server is set; else the file drop.
    """
    urls = {
        FeedChannel.CITIZENS.value: settings.police_feed_url,
        FeedChannel.FOREIGNERS.value: settings.police_foreigners_feed_url,
        FeedChannel.STATISTICS.value: settings.statistics_feed_url,
    }
    transport = build_transport(
        urls=urls,
        drop_dir=Path(settings.feed_drop_dir),
        secret=settings.feed_signing_key.encode(),
        connect_timeout=settings.feed_connect_timeout,
        read_timeout=settings.feed_read_timeout,
    )
    # A mail written into MAIL_DROP_DIR reaches no police unit: e-mail only over SMTP.
    mail = (
        PoliceMail(_smtp_mailer(settings), _mail_domain(settings)) if settings.smtp_host else None
    )
    https = {channel for channel, url in urls.items() if url}
    cipher = app.extensions["personal_data_cipher"]
    register_feeds(
        app,
        transport,
        cipher,
        mail=mail,
        https_channels=https,
        workspace_provinces=settings.workspace_province_codes,
    )
    outbox.register_state_listener(app, follow_delivery)
    register_periodic(app, "daily-statistics", dt.timedelta(minutes=15), schedule_daily_stats)
    # The ledger counts days up to a horizon; a new day moves it on (idempotent).
    register_periodic(app, "statistics-horizon", dt.timedelta(hours=1), extend_horizon)

    def lapsed_holds(session: DbSession, now: dt.datetime) -> None:
        release_lapsed_holds(session, now)  # rooms held for guests who never paid

    register_periodic(app, "lapsed-holds", dt.timedelta(minutes=1), lapsed_holds)


def _register_mail(app: OpenAPI, settings: Settings) -> None:
    """E-mail leaves through the outbox; the deadline alerts are its first senders."""
    mailer: Mailer = (
        _smtp_mailer(settings)
        if settings.smtp_host
        else MailDrop(Path(settings.mail_drop_dir), settings.mail_sender)
    )
    register_mail(app, mailer, domain=_mail_domain(settings))
    compose = alert_composer(app, settings.public_url)

    def deadline_alerts(session: DbSession, now: dt.datetime) -> None:
        enqueue_deadline_alerts(session, now, compose)

    register_periodic(app, "deadline-alerts", dt.timedelta(minutes=1), deadline_alerts)


def _smtp_mailer(settings: Settings) -> SmtpMailer:
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_sender,
        user=settings.smtp_user,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout,
    )


def _mail_domain(settings: Settings) -> str:
    return settings.mail_sender.rpartition("@")[2] or "localhost"


def _register_payments(app: OpenAPI, settings: Settings) -> None:
    """Stripe, or localstripe on this machine when no Stripe key is set (the demo, tests)."""
    provider = StripeProvider(
        secret_key=settings.stripe_secret_key or LOCALSTRIPE_KEY,
        publishable_key=settings.stripe_publishable_key or "pk_test_localstripe",
        webhook_secret=settings.stripe_webhook_secret or LOCALSTRIPE_WEBHOOK_SECRET,
        api_base=settings.stripe_api_base
        or ("" if settings.stripe_secret_key else LOCALSTRIPE_URL),
    )
    app.extensions["payment_provider"] = provider
    app.extensions["booking_notices"] = notice_composer(app, settings.public_url)
    register_booking_desk(app, BookingDesk())  # the front desk sees paid bookings, vouchers
    handler = booking_checkout.refund_handler(provider)
    channel = booking_checkout.PAYMENTS_CHANNEL
    # Stripe de-duplicates by idempotency key: an unverified refund may be sent again.
    outbox.register_handler(
        app, booking_checkout.REFUND_KIND, handler, channel=channel, resend_unverified=True
    )
    outbox.register_state_listener(app, booking_checkout.follow_refund)


def _register_work_links(app: OpenAPI) -> None:
    """The header's links to each role's own pages."""
    register_work_link(app, "registration.desk", _l("Front desk"), *LODGING_ROLES)
    # Each role's first page after signing in is its work (police: ``_register_police``).
    for role in LODGING_ROLES:
        register_landing(app, role, "registration.desk")
    register_landing(app, Role.TOURISM_OFFICER, "dashboard.overview")
    register_work_link(app, "properties.my_establishments", _l("My establishments"), *LODGING_ROLES)
    register_work_link(
        app, "properties.list_establishments", _l("Establishments"), *DEPARTMENT_ROLES
    )
    register_work_link(app, "content_admin.list_content", _l("Content"), *DEPARTMENT_ROLES)
    register_work_link(app, "dashboard.overview", _l("Statistics"), *DEPARTMENT_ROLES)
    register_work_link(app, "owner_dashboard.overview", _l("Statistics"), *LODGING_ROLES)
    register_work_link(app, "police.home", _l("Police workspace"), Role.POLICE)
    register_work_link(app, "accounts_admin.list_users", _l("Users"), Role.ADMIN)
    register_work_link(app, "outbox_admin.show_status", _l("Report deliveries"), Role.ADMIN)
    register_work_link(
        app, "police_units_admin.edit_units", _l("Police units' e-mail addresses"), Role.ADMIN
    )


def _root() -> ResponseReturnValue:
    """``/`` sends each visitor to their language; the answer depends on the header."""
    lang = i18n.best_locale(i18n.saved_locale(), "vi")
    response = redirect(url_for(HOME_ENDPOINT, lang=lang), 302)
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response
