"""Structured data and Open Graph builders."""

import datetime as dt
import json
import re
from typing import Any

from core.structured_data import json_ld_tag
from portal.destinations import seo

PAGE = seo.Page(
    title="Ha Long Bay",
    description="Limestone islands in an emerald sea.",
    url="https://portal.example/en/places/ha-long-bay",
    lang="en",
    image_urls=["https://portal.example/media/a.jpg"],
    languages=["en", "vi"],
)
HALONG = seo.Location(commune="Hạ Long", province="Quảng Ninh", lat=20.91, lon=107.18)


def read_tag(tag: str) -> dict[str, Any]:
    match = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', str(tag), re.S)
    assert match
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_place_is_a_tourist_attraction_with_geo_offers_and_hours():
    data = seo.place_json_ld(
        PAGE,
        HALONG,
        opening_hours=[{"days": "Mo-Su", "opens": "06:30", "closes": "17:30"}],
        tickets=[seo.Ticket("Adult", 290000)],
        wheelchair="partial",
    )
    parsed = read_tag(json_ld_tag(data))
    assert parsed["@type"] == "TouristAttraction"
    assert parsed["geo"] == {"@type": "GeoCoordinates", "latitude": 20.91, "longitude": 107.18}
    assert parsed["address"]["addressRegion"] == "Quảng Ninh"
    assert parsed["openingHours"] == ["Mo-Su 06:30-17:30"]
    assert parsed["offers"][0] == {
        "@type": "Offer",
        "name": "Adult",
        "price": 290000,
        "priceCurrency": "VND",
        "url": PAGE.url,
    }
    assert parsed["isAccessibleForFree"] is False
    assert parsed["availableLanguage"] == ["en", "vi"]


def test_script_end_inside_the_data_cannot_close_the_element():
    page = seo.Page(title="</script><script>alert(1)</script>", description="", url="u", lang="en")
    tag = str(json_ld_tag(seo.place_json_ld(page, HALONG)))
    assert tag.count("</script>") == 1
    assert "<script>" not in tag
    assert read_tag(tag)["name"] == "</script><script>alert(1)</script>"


def test_cancelled_event_keeps_its_start_date_and_says_cancelled():
    data = seo.event_json_ld(
        PAGE,
        HALONG,
        starts_on=dt.date(2027, 4, 30),
        ends_on=None,
        start_time=dt.time(19, 30),
        cancelled=True,
    )
    assert data["@type"] == "Event"
    assert data["startDate"] == "2027-04-30T19:30:00+07:00"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"]["@type"] == "Place"


def test_all_day_event_has_dates_only():
    data = seo.event_json_ld(
        PAGE, HALONG, starts_on=dt.date(2027, 4, 30), ends_on=dt.date(2027, 5, 2)
    )
    assert (data["startDate"], data["endDate"]) == ("2027-04-30", "2027-05-02")
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


def test_item_list_numbers_its_entries_in_order():
    data = seo.item_list_json_ld(
        [seo.ListEntry("A", "https://x/a"), seo.ListEntry("B", "https://x/b")], name="Places"
    )
    assert data["@type"] == "ItemList"
    assert [e["position"] for e in data["itemListElement"]] == [1, 2]
    assert data["itemListElement"][1]["url"] == "https://x/b"


def test_trip_has_a_sub_trip_per_day():
    data = seo.trip_json_ld(PAGE, [("Day 1", [seo.ListEntry("Hang Sửng Sốt", "https://x/h")])])
    assert data["@type"] == "TouristTrip"
    assert data["subTrip"][0]["itinerary"]["itemListElement"][0]["item"]["name"] == "Hang Sửng Sốt"


def test_open_graph_names_the_locale_and_the_other_languages():
    tags = dict(seo.open_graph(PAGE, site_name="Portal"))
    assert tags["og:locale"] == "en_US"
    assert tags["og:locale:alternate"] == "vi_VN"
    assert tags["og:url"] == PAGE.url
    assert tags["og:image"] == "https://portal.example/media/a.jpg"
