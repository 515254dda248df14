"""``/api/v1/statistics``: occupancy and live figures for the IOC and the department.

A tourism officer's (or admin's) token covers the province, with figures from fewer
than ``statistics_min_cell`` guests suppressed (null, ``"suppressed": true``); an
owner's or staff member's token covers their own establishments, unsuppressed. The
answers hold aggregates only: there is no guest-level endpoint.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, cast

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from core.api import API_PREFIX, BEARER_SECURITY, api_user, token_required
from core.auth.models import User
from core.auth.roles import DEPARTMENT_ROLES, Role
from core.clock import local_now
from core.extensions import db
from core.ids import MAX_ROW_ID
from core.problems import problem
from lodging.properties import services as properties
from lodging.statistics import measures
from lodging.statistics.disclosure import TOTAL, now_hidden
from lodging.statistics.measures import GroupBy, MeasureRow, NowRow, Period
from portal.dashboard import figures, pages
from portal.dashboard.filters import Filters, parse_filters

api = APIBlueprint(
    "statistics_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="statistics")]
)
MEMBERS = frozenset({Role.LODGING_OWNER, Role.LODGING_STAFF})
API_PERIODS: tuple[Period, ...] = ("day", "month")
API_GROUPS: tuple[GroupBy, ...] = ("total", "commune", "kind", "residence_country")
# Like the dashboard's forms, an empty value means the parameter was not given.
_EMPTY = {"type": "string", "maxLength": 0}
_Date = Annotated[
    str | None, WithJsonSchema({"anyOf": [{"type": "string", "format": "date"}, _EMPTY]})
]
_Code = Annotated[
    str | None,
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ROW_ID}, _EMPTY]}),
]
_Stars = Annotated[
    str | None, WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, _EMPTY]})
]


class OccupancyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt filter is an error, not ignored

    date_from: _Date = Field(None, alias="from", description="First day (YYYY-MM-DD).")
    date_to: _Date = Field(None, alias="to", description="Last day, inclusive (YYYY-MM-DD).")
    period: Annotated[str | None, WithJsonSchema({"enum": [*API_PERIODS, ""]})] = Field(
        None, description="day or month (default month)."
    )
    group_by: Annotated[str | None, WithJsonSchema({"enum": [*API_GROUPS, ""]})] = Field(
        None, description="commune, kind or residence_country (default: one row per period)."
    )
    commune: _Code = Field(None, description="Only this commune (its code).")
    kind: str | None = Field(None, description="Only this kind of establishment.")
    stars: _Stars = None


class OccupancyRow(BaseModel):
    period: str = Field(description="2026-11 (month) or 2026-11-22 (day).")
    first_day: dt.date
    last_day: dt.date
    group: str | int | None = Field(description="Commune code, kind or ISO country code.")
    group_name: str | None
    suppressed: bool = Field(description="Fewer guests than the publication threshold.")
    arrivals: int | None
    same_day: int | None
    nights: int | None
    rooms_available: int | None
    rooms_occupied: int | None
    bed_places_available: int | None
    net_room_occupancy: float | None = Field(description="Percent.")
    net_bed_occupancy: float | None = Field(description="Percent; may exceed 100.")
    average_stay: float | None = Field(description="Nights per overnight arrival.")


class OccupancyOut(BaseModel):
    rows: list[OccupancyRow]


class NowOut(BaseModel):
    class Commune(BaseModel):
        commune_code: int
        commune: str
        suppressed: bool
        guests_present: int | None
        arrivals: int | None
        same_day: int | None

    day: dt.date
    rows: list[Commune]


def caller_scope() -> tuple[list[int] | None, int]:
    """The caller's establishments (None: the whole province) and suppression threshold."""
    user = cast(User, api_user())
    if user.role in MEMBERS:
        return [e.id for e in properties.establishments_of(db.session, user)], 0
    return None, int(current_app.config["PORTAL_SETTINGS"].statistics_min_cell)


@api.get("/statistics/occupancy", security=BEARER_SECURITY, responses={200: OccupancyOut})
@token_required(*DEPARTMENT_ROLES, *MEMBERS)
def occupancy(query: OccupancyArgs) -> Response:
    """Arrivals, nights, capacity and occupancy per period and group.

    Defaults: the last twelve months, month by month, one row per period.
    """
    # ``query`` documents the parameters; the dashboard's own parser reads them so the
    # page and the API share one set of rules and messages (and answer 400, not 422).
    filters, errors = parse_filters(
        request.args, local_now().date(), periods=API_PERIODS, groups=API_GROUPS
    )
    if errors:
        return problem(
            400,
            _("Invalid parameters"),
            detail=_("Some parameters are not valid."),
            errors={name: str(message) for name, message in errors.items()},
        )
    ids, min_cell = caller_scope()
    return jsonify(rows=_occupancy_rows(filters, ids, min_cell))


def _occupancy_rows(filters: Filters, ids: list[int] | None, min_cell: int) -> list[Any]:
    """The rows, suppressed as the dashboard's pages are for the same filters."""
    scope = figures.scope_of(filters, ids)
    found = measures.occupancy(
        db.session,
        first_day=filters.first_day,
        last_day=filters.last_day,
        period=filters.period,
        group_by=filters.group_by,
        scope=scope,
    )
    group_by = filters.group_by
    label = None if group_by == "total" else pages.group_labeller(db.session, group_by)
    hide = pages.groups_hidden(pages.disclosure_of(db.session, filters, scope, min_cell), group_by)
    return [
        _row_out(
            row,
            filters.period,
            label(row.group) if label else None,
            hidden=hide(None if group_by == TOTAL else row.group, row.first_day),
        )
        for row in found
    ]


def _row_out(row: MeasureRow, period: str, name: str | None, *, hidden: bool) -> dict[str, Any]:
    values = figures.row_values(row)

    def shown(key: str) -> Any:
        return None if hidden else values[key]

    out = OccupancyRow(
        period=figures.period_label(row, period),
        first_day=row.first_day,
        last_day=row.last_day,
        group=row.group,
        group_name=name,
        suppressed=hidden,
        arrivals=shown("arrivals"),
        same_day=shown("same_day"),
        nights=shown("nights"),
        rooms_available=row.rooms_available,
        rooms_occupied=shown("rooms_occupied"),
        bed_places_available=row.bed_places_available,
        net_room_occupancy=shown("net_room_occupancy"),
        net_bed_occupancy=shown("net_bed_occupancy"),
        average_stay=shown("average_stay"),
    )
    return out.model_dump(mode="json")


@api.get("/statistics/now", security=BEARER_SECURITY, responses={200: NowOut})
@token_required(*DEPARTMENT_ROLES, *MEMBERS)
def now() -> Response:
    """Guests staying tonight, overnight arrivals and same-day guests today, by commune."""
    ids, min_cell = caller_scope()
    today = local_now().date()
    found = measures.now(db.session, today, measures.Scope(establishment_ids=ids))
    shut = now_hidden({r.commune_code: r.guests_present + r.same_day for r in found}, min_cell)
    rows = [_now_out(row, hidden=row.commune_code in shut) for row in found]
    return jsonify(day=today.isoformat(), rows=rows)


def _now_out(row: NowRow, *, hidden: bool) -> dict[str, Any]:
    out = NowOut.Commune(
        commune_code=row.commune_code,
        commune=pages.commune_name(row.commune_code),
        suppressed=hidden,
        guests_present=None if hidden else row.guests_present,
        arrivals=None if hidden else row.arrivals,
        same_day=None if hidden else row.same_day,
    )
    return out.model_dump(mode="json")
