"""Owners say what their place offers; tourists see it and filter search by it."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.models import User
from core.outbox.messages import OutboxMessage
from lodging.properties.models import Establishment
from tests.factories import csrf_token, log_in


def test_the_owner_ticks_amenities_and_the_place_is_indexed_again(
    client: FlaskClient, db_session: Session, owner: User, hotel: Establishment
) -> None:
    log_in(client, owner.email)
    page = f"/en/my/establishments/{hotel.id}/"
    before = db_session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    response = client.post(
        f"/en/my/establishments/{hotel.id}/amenities",
        data={"csrf_token": csrf_token(client, page), "amenities": ["pool", "wifi"]},
    )
    assert response.status_code == 302
    db_session.refresh(hotel)
    assert hotel.amenities == ["wifi", "pool"]  # in the list's order
    reindex = db_session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.id > (before or 0))
    ).all()
    assert "search.index.lodging" in reindex
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="pool"|value="pool"[^>]*checked', html)


def test_an_unknown_amenity_is_refused_with_a_message(
    client: FlaskClient, db_session: Session, owner: User, hotel: Establishment
) -> None:
    log_in(client, owner.email)
    page = f"/en/my/establishments/{hotel.id}/"
    response = client.post(
        f"/en/my/establishments/{hotel.id}/amenities",
        data={"csrf_token": csrf_token(client, page), "amenities": ["helipad"]},
    )
    assert response.status_code == 400
    assert "Choose amenities from the list." in response.get_data(as_text=True)
    db_session.refresh(hotel)
    assert hotel.amenities == []


def test_the_public_page_lists_amenities_and_describes_the_hotel_for_search_engines(
    client: FlaskClient, db_session: Session, hotel: Establishment
) -> None:
    hotel.amenities = ["wifi", "sea_view"]
    db_session.commit()
    html = client.get(f"/en/lodgings/{hotel.id}").get_data(as_text=True)
    assert "<li>Wi-Fi</li>" in html
    assert "<li>Sea view</li>" in html
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "Hotel"
    assert data["name"] == hotel.name
    assert data["address"]["addressCountry"] == "VN"
    assert [f["name"] for f in data["amenityFeature"]] == ["Wi-Fi", "Sea view"]
