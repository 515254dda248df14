"""What each dashboard page shows, built from the filters and the caller's scope.

The department's pages cover the whole province with small cells suppressed; an
owner's pages cover their own establishments only, unsuppressed (the guests are
their own). Nothing here goes below an establishment: there is no guest level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.database import DbSession
from lodging.properties import geography
from lodging.properties.forms import KIND_LABELS
from lodging.properties.models import EstablishmentKind
from lodging.registration.display import country_name, province_name
from lodging.statistics.disclosure import ESTABLISHMENT, TOTAL, Disclosure
from lodging.statistics.measures import GroupBy, GroupKey, Scope
from portal.dashboard import figures, queries
from portal.dashboard.figures import Headline, Hider, Linker, never_hidden
from portal.dashboard.filters import Filters
from portal.dashboard.tables import Table

GROUP_TITLES = {
    "commune": _l("Commune or ward"),
    "kind": _l("Kind of establishment"),
    "stars": _l("Stars"),
    "residence_country": _l("Country of residence"),
    "residence_province": _l("Province of residence"),
    "international": _l("International or domestic"),
    "establishment": _l("Establishment"),
}
# The charts' series: counts on the left axis, occupancy in percent on the right.
TIME_SERIES = ("arrivals", "nights", "net_room_occupancy")
GROUP_SERIES = ("nights", "net_room_occupancy")


@dataclass(frozen=True)
class Section:
    table: Table
    chart: dict[str, Any] | None = None


@dataclass(frozen=True)
class Page:
    filters: Filters
    sections: tuple[Section, ...]
    headline: Headline | None = None
    markers: list[dict[str, Any]] = field(default_factory=list)
    communes: list[tuple[int, str]] = field(default_factory=list)
    places: list[queries.Place] = field(default_factory=list)


def commune_name(code: GroupKey) -> str:
    try:
        return geography.commune(int(code or 0)).name
    except (geography.UnknownPlaceError, ValueError):
        return str(code)


def _kind_label(key: GroupKey) -> str:
    return str(KIND_LABELS.get(EstablishmentKind(str(key)), key))


def _stars_label(key: GroupKey) -> str:
    return str(_("%(n)s stars", n=key) if key else _("Not graded"))


def _origin_label(key: GroupKey) -> str:
    return str(_("International") if key == "international" else _("Domestic"))


LABELLERS: dict[str, Callable[[GroupKey], str]] = {
    "commune": commune_name,
    "kind": _kind_label,
    "stars": _stars_label,
    "residence_country": lambda key: country_name(str(key)),
    "residence_province": lambda key: province_name(int(key or 0)) or _("Unknown"),
    "international": _origin_label,
}


def group_labeller(session: DbSession, group_by: GroupBy) -> Callable[[GroupKey], str]:
    """How a group's key reads in the request's language (establishments: their names)."""
    if group_by in LABELLERS:
        return LABELLERS[group_by]
    names: dict[int, str] = {}
    return lambda key: names.get(int(key or 0)) or _place_name(session, names, int(key or 0))


def _place_name(session: DbSession, cache: dict[int, str], key: int) -> str:
    cache.update(queries.place_names(session, [key]))
    return cache.get(key, str(key))


def disclosure_of(session: DbSession, filters: Filters, scope: Scope, min_cell: int) -> Disclosure:
    """The statuses of every figure of ``scope`` over the filters' range and period."""
    return Disclosure(session, filters.first_day, filters.last_day, filters.period, scope, min_cell)


def groups_hidden(disclosure: Disclosure, dimension: Any) -> Hider:
    """A table's rows by group (or by period, for the ``total`` dimension)."""
    return lambda group, day: disclosure.hidden((dimension, group, day))


def subject_hidden(disclosure: Disclosure, dimension: str, code: int) -> Hider:
    """A drill-down's rows by period: the commune's or establishment's own figures."""
    return lambda _group, day: disclosure.hidden((dimension, code, day))


def group_section(  # noqa: PLR0917 - the same five every caller has at hand, then the link
    session: DbSession,
    filters: Filters,
    scope: Scope,
    min_cell: int,
    group_by: GroupBy,
    link: Linker = lambda _key: None,
    *,
    hide: Hider = never_hidden,
) -> Section:
    table = figures.by_group(
        session,
        filters,
        scope,
        min_cell,
        group_by=group_by,
        title=GROUP_TITLES[group_by],
        label=group_labeller(session, group_by),
        link=link,
        hide=hide,
    )
    return Section(table, figures.chart(table, GROUP_SERIES, kind="bar"))


def time_section(
    session: DbSession, filters: Filters, scope: Scope, min_cell: int, hide: Hider = never_hidden
) -> Section:
    table = figures.over_time(session, filters, scope, min_cell, hide)
    return Section(table, figures.chart(table, TIME_SERIES))


def overview(
    session: DbSession,
    filters: Filters,
    *,
    today: dt.date,
    min_cell: int,
    establishment_ids: Sequence[int] | None,
    commune_link: Linker,
    place_link: Linker,
) -> Page:
    """The province (or an owner's places): headline, over time, by group, map."""
    scope = figures.scope_of(filters, establishment_ids)
    shut = disclosure_of(session, filters, scope, min_cell)
    communes = group_section(
        session,
        filters,
        scope,
        min_cell,
        "commune",
        commune_link,
        hide=groups_hidden(shut, "commune"),
    )
    sections = [time_section(session, filters, scope, min_cell, groups_hidden(shut, TOTAL))]
    if filters.group_by != "commune":
        sections.append(
            group_section(
                session,
                filters,
                scope,
                min_cell,
                filters.group_by,
                hide=groups_hidden(shut, filters.group_by),
            )
        )
    sections.append(communes)
    if establishment_ids is not None and filters.group_by != "establishment":
        sections.append(
            group_section(session, filters, scope, min_cell, "establishment", place_link)
        )
    every = Scope(establishment_ids=establishment_ids)
    return Page(
        filters=filters,
        sections=tuple(sections),
        headline=figures.headline(session, scope, today, min_cell),
        markers=figures.markers(communes.table, queries.commune_centroids(session, scope)),
        communes=[(c, commune_name(c)) for c in queries.communes_in_use(session, every)],
        places=queries.places(session, every) if establishment_ids is not None else [],
    )


def commune_page(
    session: DbSession, filters: Filters, *, min_cell: int, place_link: Linker
) -> Page:
    """One commune: over time, by establishment (the next drill-down), by chosen group."""
    scope = figures.scope_of(filters, None)
    code = int(filters.commune_code or 0)
    shut = disclosure_of(session, filters, scope, min_cell)
    sections = [
        time_section(session, filters, scope, min_cell, subject_hidden(shut, "commune", code)),
        group_section(
            session,
            filters,
            scope,
            min_cell,
            "establishment",
            place_link,
            hide=groups_hidden(shut, ESTABLISHMENT),
        ),
    ]
    if filters.group_by != "commune":
        inside = groups_hidden(shut, ("commune", code, filters.group_by))
        sections.append(
            group_section(session, filters, scope, min_cell, filters.group_by, hide=inside)
        )
    return Page(filters=filters, sections=tuple(sections))


def establishment_page(session: DbSession, filters: Filters, *, min_cell: int) -> Page:
    """One establishment: over time, by country of residence, international or domestic."""
    scope = figures.scope_of(filters, None)
    code = int(filters.establishment_id or 0)
    shut = disclosure_of(session, filters, scope, min_cell)

    def inside(group_by: GroupBy) -> Section:
        hide = groups_hidden(shut, (ESTABLISHMENT, code, group_by))
        return group_section(session, filters, scope, min_cell, group_by, hide=hide)

    own = subject_hidden(shut, ESTABLISHMENT, code)
    return Page(
        filters=filters,
        sections=(
            time_section(session, filters, scope, min_cell, own),
            inside("residence_country"),
            inside("international"),
        ),
    )


def province_summary(session: DbSession, year: int, month: int, *, min_cell: int) -> Page:
    """The month's figures for the province by kind of establishment (and by stars)."""
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    filters = replace(Filters(first_day=first, last_day=last), period="month", group_by="kind")
    scope = Scope()
    shut = disclosure_of(session, filters, scope, min_cell)
    return Page(
        filters=filters,
        sections=tuple(
            group_section(
                session, filters, scope, min_cell, group_by, hide=groups_hidden(shut, group_by)
            )
            for group_by in ("kind", "stars", "international")
        ),
    )
