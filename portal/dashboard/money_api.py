"""``/api/v1/statistics/money``: revenue, ADR, RevPAR and booked revenue per month and group.

The same figures as the dashboard's money page, from the owners' monthly reports and
the portal's confirmed bookings. A tourism officer's (or admin's) token covers the
province with the disclosure rule applied (figures from fewer than
``statistics_min_cell`` establishments, and those that would give them away, are null
with ``"suppressed": true``); an owner's or staff member's token covers their own
establishments, unsuppressed.
"""

from __future__ import annotations

from typing import Annotated, Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from core.api import API_PREFIX, BEARER_SECURITY, token_required
from core.auth.roles import DEPARTMENT_ROLES, Role
from core.clock import local_now
from core.extensions import db
from core.problems import problem
from lodging.statistics.money import MONEY_GROUPS, MoneyRow
from portal.dashboard import money
from portal.dashboard.api import caller_scope

api = APIBlueprint("money_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="statistics")])
MEMBERS = frozenset({Role.LODGING_OWNER, Role.LODGING_STAFF})
# Like the dashboard's forms, an empty value means the parameter was not given.
_EMPTY = {"type": "string", "maxLength": 0}
_Month = Annotated[
    str | None,
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}, _EMPTY]}
    ),
]


class MoneyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt filter is an error, not ignored

    date_from: _Month = Field(None, alias="from", description="First month (YYYY-MM).")
    date_to: _Month = Field(None, alias="to", description="Last month, inclusive (YYYY-MM).")
    group: Annotated[str | None, WithJsonSchema({"enum": [*MONEY_GROUPS, ""]})] = Field(
        None,
        description="commune, kind, stars or international (default total: one row a month).",
    )


class MoneyRowOut(BaseModel):
    period: str = Field(description="The month, 2026-11.")
    group: str | int | None = Field(
        description=(
            "Commune code, kind, stars (0: not graded), international or domestic;"
            " null: the month's own row."
        )
    )
    group_name: str
    suppressed: bool = Field(description="Hidden by the disclosure rule.")
    revenue: int | None = Field(description="VND, net, from the reports in force.")
    adr: float | None = Field(description="VND per room-night used, reporting places only.")
    revpar: float | None = Field(description="VND per room-day available, reporting places only.")
    booked_revenue: int | None = Field(description="VND of confirmed portal bookings' nights.")
    establishments: int
    reporting_establishments: int = Field(description="With revenue in the report in force.")
    establishments_coverage: float | None = Field(description="Percent.")
    room_days_coverage: float | None = Field(description="Percent of room-days available.")


class MoneyOut(BaseModel):
    currency: str = Field(description="Always VND.")
    rows: list[MoneyRowOut]


@api.get("/statistics/money", security=BEARER_SECURITY, responses={200: MoneyOut})
@token_required(*DEPARTMENT_ROLES, *MEMBERS)
def money_figures(query: MoneyArgs) -> Response:
    """Revenue, ADR, RevPAR, coverage and booked revenue per month and group.

    Defaults: the last twelve whole months, one row a month. With a grouping, each
    month's own row comes first, then its groups'.
    """
    # ``query`` documents the parameters; the page's parser reads them (400, not 422).
    filters, errors = money.parse_money_filters(request.args, local_now().date())
    if errors:
        return problem(
            400,
            _("Invalid parameters"),
            detail=_("Some parameters are not valid."),
            errors={name: str(message) for name, message in errors.items()},
        )
    ids, min_cell = caller_scope()
    rows = money.money_rows(db.session, filters, min_cell=min_cell, establishment_ids=ids)
    return jsonify(currency="VND", rows=[_row_out(row, filters.group_by) for row in rows])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _row_out(row: MoneyRow, group_by: Any) -> dict[str, Any]:
    out = MoneyRowOut(
        period=row.month.strftime("%Y-%m"),
        group=row.group,
        group_name=money.group_name(group_by, row.group),
        suppressed=row.suppressed,
        revenue=row.revenue,
        adr=_round(row.adr),
        revpar=_round(row.revpar),
        booked_revenue=row.booked,
        establishments=row.establishments,
        reporting_establishments=row.reporting,
        establishments_coverage=_round(row.establishments_coverage),
        room_days_coverage=_round(row.room_days_coverage),
    )
    return out.model_dump(mode="json")
