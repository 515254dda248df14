"""``/api/v1/search`` and ``/api/v1/suggest`` over a real embedded index."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.search.sample_index import saturday, search_backend  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("search_backend")


def get(client: FlaskClient, path: str, lang: str = "en") -> Any:
    return client.get(path, headers={"Accept-Language": lang})


def titles(body: dict[str, Any]) -> list[str]:
    return [hit["title"] for hit in body["hits"]]


def test_search_without_accents_finds_the_place_in_the_asked_language(
    client: FlaskClient,
) -> None:
    response = get(client, "/api/v1/search?q=ha+long&lang=en")

    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 3
    assert titles(body)[0] == "Ha Long Bay"
    bay = body["hits"][0]
    assert bay["type"] == "place"
    assert bay["url"] == "/en/places/ha-long-bay"
    assert bay["location"] == {"lat": 20.91, "lon": 107.18}
    assert "distance_km" not in bay  # only with near=


def test_answers_are_public_and_cacheable_for_a_minute(client: FlaskClient) -> None:
    response = get(client, "/api/v1/search?q=cave")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "Accept-Language" in response.headers["Vary"]


def test_facets_carry_counts_and_translated_labels(client: FlaskClient) -> None:
    body = get(client, "/api/v1/search?q=ha+long&lang=en").get_json()

    types = {f["value"]: f for f in body["facets"]["type"]}
    assert types["place"]["count"] == 2
    assert types["place"]["label"] == "Places"
    assert types["lodging"]["label"] == "Places to stay"
    bands = body["facets"]["price_band"]
    assert bands == [{"value": "1m-2m", "count": 1, "label": "1,000,000 to 2,000,000 ₫ a night"}]
    assert {"value": "hotel", "count": 1, "label": "Hotel"} in body["facets"]["category"]


def test_a_chosen_facet_keeps_the_other_values_countable(client: FlaskClient) -> None:
    body = get(client, "/api/v1/search?q=ha+long&category=cave").get_json()

    assert titles(body) == ["Surprise Cave"]
    categories = {f["value"]: f["count"] for f in body["facets"]["category"]}
    assert categories == {"bay": 1, "cave": 1, "hotel": 1}


def test_an_empty_query_with_a_filter_lists_what_the_filter_selects(client: FlaskClient) -> None:
    body = get(client, "/api/v1/search?type=event&lang=en").get_json()

    assert titles(body) == ["Bac Ha Market"]
    assert body["hits"][0]["starts_on"] == saturday().isoformat()


def test_types_may_be_repeated_or_comma_separated(client: FlaskClient) -> None:
    repeated = get(client, "/api/v1/search?type=event&type=lodging").get_json()
    listed = get(client, "/api/v1/search?type=event,lodging").get_json()

    assert repeated["total"] == listed["total"] == 3


def test_near_sorts_by_distance_and_says_how_far(client: FlaskClient) -> None:
    body = get(client, "/api/v1/search?type=place&near=20.91,107.18&radius_km=50").get_json()

    assert titles(body) == ["Ha Long Bay", "Surprise Cave"]
    assert body["hits"][0]["distance_km"] == 0
    assert 9 < body["hits"][1]["distance_km"] < 12


def test_a_hit_in_its_original_language_says_so(client: FlaskClient) -> None:
    body = get(client, "/api/v1/search?q=co+to&lang=en").get_json()

    assert body["hits"][0]["title"] == "Đảo Cô Tô"
    assert body["hits"][0]["lang"] == "vi"


def test_an_empty_query_without_a_filter_is_a_bad_request(client: FlaskClient) -> None:
    response = get(client, "/api/v1/search?q=+")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"] == {
        "q": "Enter something to search for, or choose a filter."
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=20.9", "near"),
        ("near=95,107", "near"),
        ("near=20.9,107&radius_km=0", "radius_km"),
        ("radius_km=5&q=bay", "radius_km"),
        ("bbox=21,107,20,108", "bbox"),
        ("bbox=1,2,3", "bbox"),
        ("from=2026-13-01", "from"),
        ("from=2026-12-02&to=2026-12-01", "to"),
        ("q=bay&limit=0", "limit"),
        ("q=bay&limit=51", "limit"),
        ("q=bay&offset=-1", "offset"),
        ("type=hotel", "type"),
        ("q=bay&stars=6", "stars"),
        ("q=bay&price_band=cheap", "price_band"),
        ("q=bay&lang=xx", "lang"),
    ],
)
def test_a_bad_parameter_is_named_in_a_problem(client: FlaskClient, query: str, field: str) -> None:
    response = get(client, f"/api/v1/search?{query}")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400
    assert list(problem["errors"]) == [field]


def test_every_bad_parameter_is_reported_at_once(client: FlaskClient) -> None:
    response = get(client, "/api/v1/search?near=x&limit=100&from=soon")

    assert set(response.get_json()["errors"]) == {"near", "limit", "from"}


def test_problems_speak_the_callers_language(client: FlaskClient) -> None:
    response = get(client, "/api/v1/search?q=bay&from=soon&limit=x", lang="vi")

    errors = response.get_json()["errors"]
    assert errors["from"] == "Vui lòng nhập ngày theo định dạng YYYY-MM-DD."
    assert errors["limit"] == "Vui lòng nhập số nguyên."


def test_suggest_completes_from_two_letters(client: FlaskClient) -> None:
    response = get(client, "/api/v1/suggest?q=ha&lang=en")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    suggestions = response.get_json()["suggestions"]
    assert {"text": "Ha Long Bay", "type": "place", "url": "/en/places/ha-long-bay"} in suggestions


def test_suggest_folds_the_typed_letters_and_answers_in_the_callers_language(
    client: FlaskClient,
) -> None:
    suggestions = get(client, "/api/v1/suggest?q=dao+c", lang="vi").get_json()["suggestions"]

    assert suggestions[0]["text"] == "Đảo Cô Tô"


def test_suggest_waits_for_a_second_letter(client: FlaskClient) -> None:
    response = get(client, "/api/v1/suggest?q=h")

    assert response.status_code == 200
    assert response.get_json() == {"suggestions": []}


def test_suggest_refuses_an_unknown_language(client: FlaskClient) -> None:
    response = get(client, "/api/v1/suggest?q=ha&lang=xx")

    assert response.status_code == 400
    assert "lang" in response.get_json()["errors"]


def test_the_openapi_document_describes_both_endpoints(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    search = paths["/api/v1/search"]["get"]
    names = {p["name"] for p in search["parameters"]}
    assert {"q", "lang", "type", "near", "radius_km", "bbox", "from", "to", "limit"} <= names
    assert {"category", "commune", "stars", "amenities", "price_band"} <= names
    assert "security" not in search or search["security"] in ([], [{}])
    assert "/api/v1/suggest" in paths


def test_facet_labels_speak_the_language_asked_for(client: FlaskClient) -> None:
    english = get(client, "/api/v1/search?q=ha+long&lang=en", lang="vi").get_json()
    vietnamese = get(client, "/api/v1/search?q=ha+long&lang=vi", lang="en").get_json()
    assert {f["value"]: f["label"] for f in english["facets"]["type"]}["place"] == "Places"
    assert {f["value"]: f["label"] for f in vietnamese["facets"]["type"]}["place"] != "Places"


def test_event_dates_at_the_edge_of_the_calendar_are_400(client):
    for query in ("from=0001-01-01", "to=9999-12-31"):
        answer = client.get(f"/api/v1/search?{query}", headers={"Accept-Language": "en"})
        assert answer.status_code == 400, answer.json
        assert "Enter a date from 1900-01-01 to 2199-12-31." in answer.json["errors"].values()
