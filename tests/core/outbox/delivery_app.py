"""A portal whose outbox has one slow handler, for the worker's tests in a real process.

``flask --app tests.core.outbox.delivery_app:create_app outbox work``: the handler for
``test.slow.`` writes the message's key to ``$SLOW_HANDLER_MARKER`` when it starts,
then takes a second to answer, long enough to signal or kill the worker mid-delivery.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from flask_openapi3 import OpenAPI

from core.database import DbSession
from core.outbox.messages import OutboxMessage, Outcome, register_handler
from portal import create_app as create_portal

SLOW_SECONDS = 1.0


def create_app() -> OpenAPI:
    app = create_portal()
    register_handler(app, "test.slow.", slow_handler, channel="slow")
    return app


def slow_handler(session: DbSession, message: OutboxMessage, now: dt.datetime) -> Outcome:
    Path(os.environ["SLOW_HANDLER_MARKER"]).write_text(message.key)
    time.sleep(SLOW_SECONDS)
    return Outcome("delivered", receipt_id=f"R-{message.key}")
