"""The compliance page's lists as tables, for its CSV and XLSX exports.

These are counts per establishment and per channel for enforcement, not statistics
about guests: they are not suppressed (the fines scale with the exact count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from core.clock import VIETNAM
from portal.dashboard.compliance import ChannelFailures, LateDeclarations, SilentEstablishment
from portal.dashboard.filters import Filters
from portal.dashboard.pages import Page, Section, commune_name
from portal.dashboard.tables import Column, Kind, Row, Table

_ESTABLISHMENT = Column("establishment", _l("Establishment"), Kind.TEXT, from_guests=False)
_COMMUNE = Column("commune", _l("Commune or ward"), Kind.TEXT, from_guests=False)


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M") if moment else ""


def _table(title: LazyString, columns: tuple[Column, ...], rows: list[Row]) -> Table:
    return Table(title=title, columns=columns, rows=tuple(rows), min_cell=0)


def late_table(late: Sequence[LateDeclarations]) -> Table:
    rows = [
        Row(
            values={
                "establishment": r.name,
                "commune": commune_name(r.commune_code),
                "overdue": r.overdue,
                "late": r.late,
                "missed": _local(r.oldest_deadline_missed),
            },
            guests=0,
        )
        for r in late
    ]
    columns = (
        _ESTABLISHMENT,
        _COMMUNE,
        Column("overdue", _l("Overdue")),
        Column("late", _l("Late")),
        Column("missed", _l("Earliest missed deadline"), Kind.TEXT),
    )
    return _table(_l("Late and overdue declarations"), columns, rows)


def silent_table(silent: Sequence[SilentEstablishment]) -> Table:
    rows = [
        Row(
            values={
                "establishment": r.name,
                "commune": commune_name(r.commune_code),
                "last": _local(r.last_declared_at),
            },
            guests=0,
        )
        for r in silent
    ]
    columns = (_ESTABLISHMENT, _COMMUNE, Column("last", _l("Last declaration"), Kind.TEXT))
    return _table(_l("No declaration for 7 days"), columns, rows)


def channel_table(channels: Sequence[ChannelFailures], labels: Mapping[str, LazyString]) -> Table:
    rows = [
        Row(
            values={
                "channel": str(labels.get(r.channel, r.channel)),
                "failed": r.failed,
                "waiting": r.waiting,
                "delivered": r.delivered,
                "since": _local(r.oldest_waiting_since),
            },
            guests=0,
        )
        for r in channels
    ]
    columns = (
        Column("channel", _l("Channel"), Kind.TEXT),
        Column("failed", _l("Failed")),
        Column("waiting", _l("Waiting")),
        Column("delivered", _l("Delivered")),
        Column("since", _l("Waiting since"), Kind.TEXT),
    )
    return _table(_l("Report deliveries by channel"), columns, rows)


def compliance_page(
    first_day: dt.date,
    today: dt.date,
    *,
    late: Sequence[LateDeclarations],
    silent: Sequence[SilentEstablishment],
    channels: Sequence[ChannelFailures],
    channel_labels: Mapping[str, LazyString],
) -> Page:
    """The three lists of the compliance page, one table each."""
    tables = (late_table(late), silent_table(silent), channel_table(channels, channel_labels))
    filters = Filters(first_day=first_day, last_day=today)
    return Page(filters=filters, sections=tuple(Section(table) for table in tables))
