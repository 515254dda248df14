"""The portal as ``create_app`` builds it, its feeds' HTTP timeouts cut short, for the chaos test.

``flask --app tests.lodging.feeds.chaos_app:create_app feeds work``: the same handlers,
transports and state listener as the real app, but a read timeout of
``$FEED_READ_TIMEOUT`` seconds, so that a receiver which hangs costs the test
a fraction of a second per request instead of the production 30 s. The settings have
no timeout of their own yet, so the test wires the feeds itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask_openapi3 import OpenAPI

from lodging.feeds.channels import FeedChannel
from lodging.feeds.handlers import follow_delivery, register_feeds
from lodging.feeds.transports import build_transport
from portal import create_app as create_portal
from portal.core.outbox import HANDLERS, HandlerRegistry, register_state_listener
from portal.core.settings import Settings


def create_app() -> OpenAPI:
    app = create_portal()
    settings: Settings = app.config["PORTAL_SETTINGS"]
    timeout = float(os.environ["FEED_READ_TIMEOUT"])
    transport = build_transport(
        urls={
            FeedChannel.CITIZENS.value: settings.police_feed_url,
            FeedChannel.FOREIGNERS.value: settings.police_foreigners_feed_url,
            FeedChannel.STATISTICS.value: settings.statistics_feed_url,
        },
        drop_dir=Path(settings.feed_drop_dir),
        secret=settings.feed_signing_key.encode(),
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    app.extensions[HANDLERS] = HandlerRegistry()
    register_feeds(app, transport, app.extensions["personal_data_cipher"])
    register_state_listener(app, follow_delivery)
    return app
