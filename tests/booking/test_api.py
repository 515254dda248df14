"""GET /api/v1/availability: offers from the database, 400 for impossible requests."""

from __future__ import annotations

from sqlalchemy import select

from portal.booking.models import RatePlan
from tests.booking.conftest import NIGHTLY, in_days


def availability(client, **args: str):
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return client.get(f"/api/v1/availability?{query}", headers={"Accept-Language": "en"})


def test_offers_give_the_total_in_vnd_and_the_rooms_free(client, hotel, db_session):
    plan_id = db_session.scalar(
        select(RatePlan.id).where(RatePlan.room_type_id == hotel.room_types[0].id)
    )
    answer = availability(client, **{"from": str(in_days(7)), "to": str(in_days(9)), "guests": "2"})
    assert answer.status_code == 200
    (offer,) = answer.json["offers"]
    assert offer == {
        "establishment_id": hotel.id,
        "establishment": hotel.name,
        "kind": "hotel",
        "room_type_id": hotel.room_types[0].id,
        "room_type": "Double",
        "rate_plan_id": plan_id,
        "nights": 2,
        "total": {"amount": 2 * NIGHTLY, "currency": "VND"},
        "available": 3,
    }


def test_the_map_area_and_the_kind_filter_offers(client, hotel):
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    sapa = "22.2,103.7,22.5,104.0"  # the hotel is in Bãi Cháy, far from Sa Pa
    assert availability(client, **dates, bbox=sapa).json["offers"] == []
    assert availability(client, **dates, kind="homestay").json["offers"] == []
    ha_long = "20.9,107.0,21.0,107.1"
    assert len(availability(client, **dates, bbox=ha_long, kind="hotel").json["offers"]) == 1


def test_too_many_guests_for_any_room_find_nothing(client, hotel):
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    assert availability(client, **dates, guests="4").json["offers"] == []  # the plan takes 3
    # Children under six stay free and do not count.
    assert availability(client, **dates, guests="3", children="2,4").json["offers"] != []


def test_impossible_dates_and_guests_are_400_naming_each_parameter(client, hotel):
    answer = availability(
        client, **{"from": str(in_days(-2)), "to": str(in_days(-4)), "guests": "0", "children": "x"}
    )
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert set(answer.json["errors"]) == {"from", "to", "guests", "children"}
    answer = availability(client, **{"from": str(in_days(-2)), "to": str(in_days(-4))})
    assert answer.json["errors"] == {
        "from": "The arrival date has passed.",
        "to": "The departure must be after the arrival.",
    }
    answer = availability(client, **{"from": "tomorrow", "bbox": "1,2,3"})
    assert set(answer.json["errors"]) == {"from", "to", "bbox"}


def test_messages_come_in_the_callers_language(client, hotel):
    answer = client.get(
        f"/api/v1/availability?from={in_days(3)}&to={in_days(3)}",
        headers={"Accept-Language": "vi"},
    )
    assert answer.status_code == 400
    assert answer.json["errors"]["to"] != "The departure must be after the arrival."


def test_booking_an_offer_that_does_not_exist_names_the_field(client, hotel):
    answer = client.post(
        "/api/v1/bookings",
        json={
            "rate_plan_id": 999_999,
            "arrival": str(in_days(7)),
            "departure": str(in_days(9)),
            "name": "An",
            "email": "an@example.com",
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"rate_plan_id": "This offer does not exist (any more)."}


def test_the_endpoint_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    parameters = {p["name"] for p in document["paths"]["/api/v1/availability"]["get"]["parameters"]}
    assert {"from", "to", "guests", "bbox", "kind", "limit"} <= parameters
