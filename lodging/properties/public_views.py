"""The public page of an approved establishment: what search results link to."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from core.extensions import db
from core.links import public_url_for
from core.structured_data import json_ld_tag
from lodging.properties import geography
from lodging.properties import services as properties
from lodging.properties.forms import AMENITY_LABELS, KIND_LABELS
from lodging.properties.models import Amenity, Establishment, EstablishmentKind

bp = Blueprint(
    "lodgings", __name__, template_folder="templates", url_prefix="/<locale:lang>/lodgings"
)

# schema.org's LodgingBusiness subtypes, where one fits the kind.
SCHEMA_TYPES = {
    EstablishmentKind.HOTEL: "Hotel",
    EstablishmentKind.RESORT: "Resort",
    EstablishmentKind.HOSTEL: "Hostel",
    EstablishmentKind.GUESTHOUSE: "BedAndBreakfast",
    EstablishmentKind.HOMESTAY: "BedAndBreakfast",
}


@bp.route("/<int:establishment_id>")
def show_establishment(establishment_id: int) -> ResponseReturnValue:
    """Name, kind, stars, address, amenities, contact and a map link; 404 unless approved."""
    try:
        establishment = properties.approved_establishment(db.session, establishment_id)
    except properties.NotFoundError:
        abort(404)
    commune = geography.commune(establishment.commune_code).name
    province = geography.province(establishment.province_code).name
    amenities = [AMENITY_LABELS[Amenity(value)] for value in establishment.amenities]
    return render_template(
        "properties/public_detail.html",
        establishment=establishment,
        kind=KIND_LABELS[establishment.kind],
        commune=commune,
        province=province,
        amenities=amenities,
        json_ld=json_ld_tag(lodging_json_ld(establishment, commune, province, amenities)),
    )


def lodging_json_ld(
    establishment: Establishment, commune: str, province: str, amenities: list[Any]
) -> dict[str, Any]:
    """schema.org LodgingBusiness (or its subtype) for search engines."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(establishment.kind, "LodgingBusiness"),
        "name": establishment.name,
        "url": public_url_for(".show_establishment", establishment_id=establishment.id),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": establishment.street_address,
            "addressLocality": commune,
            "addressRegion": province,
            "addressCountry": "VN",
        },
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": str(label), "value": True}
            for label in amenities
        ],
    }
    if establishment.latitude is not None and establishment.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": establishment.latitude,
            "longitude": establishment.longitude,
        }
    if establishment.stars:
        data["starRating"] = {"@type": "Rating", "ratingValue": establishment.stars}
    if establishment.phone:
        data["telephone"] = establishment.phone
    return data
