"""Who else must hear of a stay change, inside the same transaction.

Statistics keep an occupancy ledger that must move with every change to a stay
(declaration, check-out, new departure date, room move, correction, cancellation, a
guest joining or being confirmed). ``lodging.statistics`` imports this package, not
the other way round, so ``portal.app`` registers its listener on the application
(``register_stay_listener``); the app hands its listeners to every session it opens
(``core.database.session_info``), and the services call ``stay_changed`` with the session
they were given, after each change is flushed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from core.database import DbSession, session_info
from lodging.registration.models import Stay

StayListener = Callable[[DbSession, Stay], None]
LISTENERS = "stay_listeners"


class NoStayListenersError(RuntimeError):
    """A stay changed in a session that the application did not open: nobody would hear it."""


def register_stay_listener(app: Flask, listener: StayListener) -> None:
    """Call ``listener(session, stay)`` after every change in ``app``'s sessions (once each)."""
    listeners: list[StayListener] = session_info(app).setdefault(LISTENERS, [])
    if listener not in listeners:
        listeners.append(listener)


def stay_listeners(app: Flask) -> dict[str, Any]:
    """The ``info=`` a session opened outside the app needs for its stay changes to be heard."""
    return {LISTENERS: list(session_info(app).get(LISTENERS, []))}


def stay_changed(session: DbSession, stay: Stay) -> None:
    """Tell the session's listeners that ``stay`` (already flushed) has changed."""
    listeners: list[StayListener] | None = session.info.get(LISTENERS)
    if listeners is None:
        raise NoStayListenersError("open the session with info=stay_listeners(app)")
    for listener in listeners:
        listener(session, stay)
