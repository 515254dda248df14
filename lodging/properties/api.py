"""``/api/v1/establishments``: what hotel software and the public can read.

With an owner's or staff member's token the list holds the establishments they work
at, and each one shows its rooms (hotel software needs the numbers to declare
stays). Everyone else sees the approved establishments, without rooms; one that is
not approved does not exist for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, jsonify
from flask_babel import gettext as _
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, Field, RootModel

from core.api import API_PREFIX, api_user
from core.auth.models import User
from core.auth.roles import Role
from core.extensions import db
from core.ids import RowId
from core.problems import problem
from lodging.properties import geography
from lodging.properties import services as properties
from lodging.properties.models import Establishment, EstablishmentKind, EstablishmentStatus
from lodging.properties.services import NotFoundError

api = APIBlueprint(
    "properties_api", __name__, url_prefix=API_PREFIX, abp_tags=[Tag(name="establishments")]
)

# A token is optional here: it only changes what the answer holds.
OPTIONAL_BEARER: list[dict[str, list[str]]] = [{"bearer": []}, {}]
MEMBER_ROLES = frozenset({Role.LODGING_OWNER, Role.LODGING_STAFF})


class EstablishmentPath(BaseModel):
    id: RowId


class RoomOut(BaseModel):
    number: str
    room_type: str
    bed_places: int = Field(description="Permanent bed places (a double bed counts 2).")


class EstablishmentOut(BaseModel):
    id: int
    name: str
    kind: EstablishmentKind
    stars: int | None
    province: str = Field(description="The province in force since 1 July 2025, by name.")
    commune: str = Field(description="The commune or ward, by name.")
    street_address: str
    latitude: float | None
    longitude: float | None


class EstablishmentList(RootModel[list[EstablishmentOut]]):
    pass


class EstablishmentDetail(EstablishmentOut):
    rooms: list[RoomOut] | None = Field(
        default=None, description="Only for the establishment's own owner and staff."
    )


def establishment_out(establishment: Establishment) -> EstablishmentOut:
    return EstablishmentOut(
        id=establishment.id,
        name=establishment.name,
        kind=establishment.kind,
        stars=establishment.stars,
        province=geography.province(establishment.province_code).name,
        commune=geography.commune(establishment.commune_code).name,
        street_address=establishment.street_address,
        latitude=establishment.latitude,
        longitude=establishment.longitude,
    )


def _member() -> User | None:
    user = api_user()
    return user if user is not None and user.role in MEMBER_ROLES else None


def _visible(user: User | None) -> Sequence[Establishment]:
    if user is not None:
        return properties.establishments_of(db.session, user)
    return properties.all_establishments(db.session, status=EstablishmentStatus.APPROVED)


@api.get("/establishments", security=OPTIONAL_BEARER, responses={200: EstablishmentList})
def list_establishments() -> Response:
    """Establishments: the caller's own with an owner's or staff token, else the approved ones."""
    found = [establishment_out(e).model_dump(mode="json") for e in _visible(_member())]
    return jsonify(found)


@api.get("/establishments/<int:id>", security=OPTIONAL_BEARER, responses={200: EstablishmentDetail})
def get_establishment(path: EstablishmentPath) -> Response:
    """One establishment; its rooms only for its own owner and staff.

    An establishment that is not approved is 404 to everyone but its own people.
    """
    own = _own_establishment(_member(), path.id)
    if own is not None:
        rooms = [
            RoomOut(number=r.number, room_type=r.room_type.name, bed_places=r.room_type.bed_places)
            for r in own.rooms
        ]
        detail = EstablishmentDetail(**dict(establishment_out(own)), rooms=rooms)
        return jsonify(detail.model_dump(mode="json"))
    establishment = db.session.get(Establishment, path.id)
    if establishment is None or establishment.status is not EstablishmentStatus.APPROVED:
        return problem(404, _("Not found"), detail=_("There is no such establishment."))
    return jsonify(establishment_out(establishment).model_dump(mode="json"))


def _own_establishment(user: User | None, establishment_id: int) -> Establishment | None:
    if user is None:
        return None
    try:
        return properties.member_establishment(db.session, user, establishment_id)
    except NotFoundError:
        return None
