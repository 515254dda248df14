"""The public content pages: languages, slugs, metadata, events, maps, CSP."""

import datetime as dt
import json
import re
from typing import Any

import icalendar
import pytest

from core.clock import local_now, utcnow
from core.security import CONTENT_SECURITY_POLICY, content_security_policy
from portal.destinations import services
from portal.destinations.models import ContentType, Image
from portal.destinations.presentation import upcoming_weekend
from portal.destinations.services import DayInput, TextInput
from tests.destinations.content import ACTOR, make_item

HALONG: dict[str, Any] = {
    "latitude": 20.91,
    "longitude": 107.18,
    "commune": "Hạ Long",
    "province": "Quảng Ninh",
    "tickets": [{"label": {"vi": "Người lớn", "en": "Adult"}, "amount": 290000}],
    "opening_hours": [{"days": "Mo-Su", "opens": "06:30", "closes": "17:30"}],
    "accessibility": {"wheelchair": "partial", "notes": {"en": "Boats have steep steps."}},
}


def ha_long(session, **overrides):
    values = {"translations": {"en": ("Ha Long Bay", "ha-long-bay")}, **HALONG, **overrides}
    item = make_item(session, title="Vịnh Hạ Long", **values)
    session.commit()
    return item


def hreflangs(page: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page))


def json_ld(page: str) -> list[dict[str, Any]]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in blocks]


def test_place_lists_hreflang_only_for_the_languages_it_has(client, db_session):
    ha_long(db_session)
    page = client.get("/en/places/ha-long-bay").get_data(as_text=True)
    assert hreflangs(page) == {
        "vi": "http://127.0.0.1:5000/vi/places/vinh-ha-long",
        "en": "http://127.0.0.1:5000/en/places/ha-long-bay",
        "x-default": "http://127.0.0.1:5000/",
    }
    assert '<link rel="canonical" href="http://127.0.0.1:5000/en/places/ha-long-bay">' in page
    assert 'name="robots"' not in page
    # The switcher offers the same two pages, each under its own slug.
    assert 'href="/vi/places/vinh-ha-long" hreflang="vi"' in page


def test_missing_language_shows_the_original_marked_and_says_so(client, db_session):
    make_item(db_session, title="Hang Sửng Sốt", **HALONG)
    db_session.commit()
    response = client.get("/en/places/hang-sung-sot")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This page is not yet available in English; showing Vietnamese." in page
    assert '<header class="content-heading" lang="vi">\n    <h1>Hang Sửng Sốt</h1>' in page
    assert '<html lang="en">' in page  # the interface stays English
    assert set(hreflangs(page)) == {"vi", "x-default"}  # not advertised as English
    assert '<meta name="robots" content="noindex">' in page
    assert '<link rel="canonical" href="http://127.0.0.1:5000/vi/places/hang-sung-sot">' in page


def test_page_in_its_own_language_has_no_notice(client, db_session):
    ha_long(db_session)
    page = client.get("/vi/places/vinh-ha-long").get_data(as_text=True)
    assert 'class="notice"' not in page
    assert '<header class="content-heading" lang="vi">' in page


def test_old_slug_answers_301_to_the_current_one(client, db_session):
    item = ha_long(db_session)
    services.save_translation(
        db_session, item, "en", TextInput("Ha Long Bay", "halong-bay"), actor=ACTOR, now=utcnow()
    )
    db_session.commit()
    response = client.get("/en/places/ha-long-bay")
    assert response.status_code == 301
    assert response.headers["Location"] == "/en/places/halong-bay"
    # The original's slug under /en/ also moves to the English page, now that it exists.
    moved = client.get("/en/places/vinh-ha-long")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/en/places/halong-bay")
    assert client.get("/en/places/halong-bay").status_code == 200


def test_draft_and_unknown_slugs_are_404(client, db_session):
    make_item(db_session, title="Đảo Cô Tô", publish=False)
    db_session.commit()
    assert client.get("/vi/places/dao-co-to").status_code == 404
    assert client.get("/en/places/dao-co-to").status_code == 404
    assert client.get("/vi/places/khong-co").status_code == 404
    assert "dao-co-to" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_place_shows_facts_structured_data_and_open_graph(client, db_session):
    ha_long(db_session)
    page = client.get("/en/places/ha-long-bay").get_data(as_text=True)
    assert "Adult: ₫290,000" in page
    assert "Mon–Sun: 06:30–17:30" in page
    assert "Partly wheelchair accessible" in page
    assert "Boats have steep steps." in page
    # Without JavaScript the location is text (and a geo: link for phones).
    assert '<a href="geo:20.91000,107.18000">20.91000, 107.18000</a>' in page
    (data,) = json_ld(page)
    assert data["@type"] == "TouristAttraction"
    assert data["geo"]["latitude"] == 20.91
    assert data["offers"][0]["price"] == 290000
    assert '<meta property="og:title" content="Ha Long Bay">' in page
    assert '<meta property="og:locale" content="en_US">' in page


def test_map_is_data_only_and_absent_without_coordinates(client, db_session):
    ha_long(db_session)
    make_item(db_session, title="Chợ Hạ Long")
    db_session.commit()
    page = client.get("/en/places/ha-long-bay").get_data(as_text=True)
    markers = re.search(r"data-markers='([^']*)'", page)
    assert markers
    assert json.loads(markers.group(1)) == [
        {"lat": 20.91, "lon": 107.18, "title": "Ha Long Bay", "url": "/en/places/ha-long-bay"}
    ]
    assert "/static/js/map.js" in page
    assert 'class="map"' not in client.get("/en/places/cho-ha-long").get_data(as_text=True)


def test_photos_carry_alt_text_in_the_page_language_and_a_srcset(client, db_session):
    item = ha_long(db_session)
    item.images.append(
        Image(
            file_name="a" * 32 + ".jpg",
            thumbnail_name="a" * 32 + "-thumb.jpg",
            media_type="image/jpeg",
            width=1600,
            height=1067,
            thumbnail_width=480,
            thumbnail_height=320,
            alt={"vi": "Thuyền trên vịnh", "en": "Boats on the bay"},
            created_at=utcnow(),
        )
    )
    db_session.commit()
    page = client.get("/en/places/ha-long-bay").get_data(as_text=True)
    thumb, full = "/media/" + "a" * 32 + "-thumb.jpg", "/media/" + "a" * 32 + ".jpg"
    assert f'<img src="{thumb}" srcset="{thumb} 480w, {full} 1600w"' in page
    assert 'alt="Boats on the bay"' in page
    assert f'<meta property="og:image" content="http://127.0.0.1:5000{full}">' in page


def test_list_filters_by_kind_and_is_an_item_list(client, db_session):
    ha_long(db_session)
    make_item(db_session, title="Hang Sửng Sốt", kind="cave")
    db_session.commit()
    page = client.get("/en/places/?kind=cave").get_data(as_text=True)
    assert "Hang Sửng Sốt" in page
    assert "Ha Long Bay" not in page
    (data,) = json_ld(page)
    assert data["@type"] == "ItemList"
    assert data["itemListElement"][0]["url"] == "http://127.0.0.1:5000/en/places/hang-sung-sot"
    everything = client.get("/en/places/?kind=nonsense").get_data(as_text=True)
    assert "Ha Long Bay" in everything
    assert "Hang Sửng Sốt" in everything


def test_events_list_flags_cancelled_and_offers_this_weekend(client, db_session):
    saturday, _sunday = upcoming_weekend(local_now().date())
    make_item(db_session, ContentType.EVENT, title="Chợ phiên Bắc Hà", starts_on=saturday)
    make_item(
        db_session,
        ContentType.EVENT,
        title="Lễ hội Yên Tử",
        starts_on=saturday + dt.timedelta(days=14),
        cancelled=True,
    )
    db_session.commit()
    upcoming = client.get("/en/events/").get_data(as_text=True)
    assert "Chợ phiên Bắc Hà" in upcoming
    assert "Lễ hội Yên Tử" in upcoming
    assert re.search(
        r'class="occurrence is-cancelled">.*?Lễ hội Yên Tử.*?Cancelled', upcoming, re.S
    )
    assert 'href="/en/events/?when=weekend"' in upcoming
    weekend = client.get("/en/events/?when=weekend").get_data(as_text=True)
    assert "Chợ phiên Bắc Hà" in weekend
    assert "Lễ hội Yên Tử" not in weekend


def test_recurring_event_lists_its_next_dates(client, db_session):
    today = local_now().date()
    make_item(
        db_session, ContentType.EVENT, title="Chợ tình Sa Pa", starts_on=today, recurrence="weekly"
    )
    db_session.commit()
    page = client.get("/en/events/cho-tinh-sa-pa").get_data(as_text=True)
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', page)
    assert dates[:2] == [today.isoformat(), (today + dt.timedelta(days=7)).isoformat()]
    listing = client.get("/en/events/").get_data(as_text=True)
    assert listing.count('href="/en/events/cho-tinh-sa-pa"') >= 8  # every week for 60 days
    (data,) = json_ld(listing)
    assert data["numberOfItems"] == 1  # but one event


def test_cancelled_event_page_and_calendar_say_cancelled(client, db_session):
    place = ha_long(db_session)
    make_item(
        db_session,
        ContentType.EVENT,
        title="Carnaval Hạ Long",
        translations={"en": ("Ha Long Carnival", "ha-long-carnival")},
        starts_on=dt.date(2027, 4, 30),
        start_time=dt.time(19, 30),
        end_time=dt.time(22, 0),
        cancelled=True,
        place_id=place.id,
    )
    db_session.commit()
    page = client.get("/en/events/ha-long-carnival").get_data(as_text=True)
    assert "This event is cancelled." in page
    (data,) = json_ld(page)
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["startDate"] == "2027-04-30T19:30:00+07:00"
    assert data["location"]["name"] == "Ha Long Bay"

    response = client.get("/en/events/ha-long-carnival.ics")
    assert response.mimetype == "text/calendar"
    assert 'filename="ha-long-carnival.ics"' in response.headers["Content-Disposition"]
    vevent = icalendar.Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(vevent["SUMMARY"]) == "Ha Long Carnival"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["LOCATION"]) == "Ha Long Bay"
    assert vevent.decoded("DTSTART").astimezone(dt.UTC) == dt.datetime(
        2027, 4, 30, 12, 30, tzinfo=dt.UTC
    )
    assert str(vevent["URL"]) == "http://127.0.0.1:5000/en/events/ha-long-carnival"


def test_itinerary_lists_its_days_and_places_in_order(client, db_session):
    bay = ha_long(db_session)
    cave = make_item(db_session, title="Hang Sửng Sốt", kind="cave")
    hidden = make_item(db_session, title="Đảo Nháp", publish=False)
    trip = make_item(db_session, ContentType.ITINERARY, title="Hạ Long hai ngày")
    services.set_itinerary_days(
        db_session,
        trip,
        [
            DayInput([cave.id, bay.id], titles={"en": "On the bay"}),
            DayInput([hidden.id], titles={}),
        ],
        actor=ACTOR,
        now=utcnow(),
    )
    db_session.commit()
    page = client.get("/en/itineraries/ha-long-hai-ngay").get_data(as_text=True)
    assert page.index("Hang Sửng Sốt") < page.index("Ha Long Bay")
    assert "On the bay" in page
    assert "Day 2" in page
    assert "Đảo Nháp" not in page  # unpublished stops are not shown
    (data,) = json_ld(page)
    assert data["@type"] == "TouristTrip"
    names = [e["item"]["name"] for e in data["subTrip"][0]["itinerary"]["itemListElement"]]
    assert names == ["Hang Sửng Sốt", "Ha Long Bay"]


def test_news_article_page(client, db_session):
    make_item(
        db_session,
        ContentType.ARTICLE,
        title="Mở lại tuyến thuyền",
        published_on=dt.date(2026, 11, 20),
    )
    db_session.commit()
    page = client.get("/en/news/mo-lai-tuyen-thuyen").get_data(as_text=True)
    assert "Mở lại tuyến thuyền" in page
    assert json_ld(page)[0]["@type"] == "NewsArticle"
    assert "Mở lại tuyến thuyền" in client.get("/en/news/").get_data(as_text=True)


@pytest.mark.parametrize("code", ["vi", "en", "zh", "ko"])
def test_pages_render_in_each_tourist_language(client, db_session, code):
    ha_long(db_session)
    make_item(db_session, ContentType.EVENT, title="Chợ phiên", starts_on=local_now().date())
    db_session.commit()
    slug = "ha-long-bay" if code == "en" else "vinh-ha-long"
    for path in ("/", "/places/", f"/places/{slug}", "/events/", "/events/cho-phien"):
        response = client.get(f"/{code}{path}")
        assert response.status_code == 200, path
        assert f'<html lang="{code}">' in response.get_data(as_text=True)


def test_home_has_a_search_box_featured_places_and_upcoming_events(client, db_session):
    ha_long(db_session)
    make_item(db_session, ContentType.EVENT, title="Chợ phiên", starts_on=local_now().date())
    db_session.commit()
    page = client.get("/en/").get_data(as_text=True)
    assert '<form method="get" action="/en/search" role="search"' in page
    assert 'name="q"' in page
    assert 'href="/en/places/ha-long-bay"' in page
    assert 'href="/en/events/cho-phien"' in page


def test_csp_is_unchanged_and_the_only_inline_script_is_json_ld(client, db_session):
    ha_long(db_session)
    response = client.get("/en/places/ha-long-bay")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    scripts = re.findall(r"<script\b([^>]*)>", response.get_data(as_text=True))
    inline = [attrs for attrs in scripts if "src=" not in attrs]
    assert inline == [' type="application/ld+json"']


def test_tile_server_origin_is_allowed_for_images_only(settings):
    tiles = settings.with_overrides(map_tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tiles.example.org;" in content_security_policy(tiles)
    assert "script-src 'self';" in content_security_policy(tiles)
    # Only the origin is taken, and only a plain host: a setting cannot add a directive.
    path = settings.with_overrides(map_tile_url="https://x.org/{z}; script-src *")
    assert "script-src *" not in content_security_policy(path)
    sneaky = settings.with_overrides(map_tile_url="https://x.org;script-src:*/{z}")
    assert content_security_policy(sneaky) == CONTENT_SECURITY_POLICY
    assert content_security_policy(settings) == CONTENT_SECURITY_POLICY
