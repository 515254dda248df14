"""Who else must hear of a stay change, inside the same transaction.

Statistics keep an occupancy ledger that must move with every change to a stay
(declaration, check-out, new departure date, room move, correction, cancellation, a
guest joining or being confirmed). ``lodging.statistics`` imports this package, not
the other way round, so it registers a listener here when the application is built
(``portal.app``), and the services call ``stay_changed`` after each change is flushed.
"""

from __future__ import annotations

from collections.abc import Callable

from core.database import DbSession
from lodging.registration.models import Stay

StayListener = Callable[[DbSession, Stay], None]

_listeners: list[StayListener] = []


def on_stay_changed(listener: StayListener) -> None:
    """Call ``listener(session, stay)`` after every change; registering twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


def stay_changed(session: DbSession, stay: Stay) -> None:
    """Tell every listener that ``stay`` (already flushed) has changed."""
    for listener in _listeners:
        listener(session, stay)
