"""/<lang>/lodging: free rooms for some dates, priced for the whole stay, in the page's language."""

from __future__ import annotations

import html
import secrets

from sqlalchemy import select

from portal.booking.models import RatePlan
from portal.booking.providers import PaymentIntent
from tests.booking.conftest import in_days
from tests.factories import csrf_token


def page(client, lang: str = "en", **args: str) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return html.unescape(client.get(f"/{lang}/lodging?{query}").get_data(as_text=True))


def test_the_form_alone_until_dates_are_given(client, hotel):
    text = page(client)
    assert 'name="from"' in text
    assert "free for these dates" not in text


def test_free_rooms_show_the_whole_stays_price_in_the_pages_language(client, hotel):
    dates = {"from": str(in_days(7)), "to": str(in_days(9)), "guests": "2"}
    english = page(client, **dates)
    assert "1 room type free for these dates" in english
    assert hotel.name in english
    assert "₫2,500,000" in english  # two nights at 1 250 000
    assert "3 rooms left" in english
    vietnamese = page(client, "vi", **dates)
    assert "2.500.000" in vietnamese


def test_area_and_kind_narrow_the_offers(client, hotel):
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    assert hotel.name in page(client, **dates, area="ha-long", kind="hotel")
    assert hotel.name not in page(client, **dates, area="sa-pa")
    assert "Nothing is free for these dates here." in page(client, **dates, kind="homestay")


def test_edited_links_get_messages_in_the_pages_language_never_an_error(client, hotel):
    text = page(client, "vi", **{"from": "garbage", "to": str(in_days(9)), "guests": "abc"})
    assert "Not a valid" not in text  # WTForms' own English messages
    assert 'value="garbage"' in text
    assert 'value="abc"' in text
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    assert hotel.name in page(client, **dates, kind="castle", area="atlantis")


def test_impossible_dates_are_explained_on_their_fields_and_kept(client, hotel):
    text = page(client, **{"from": str(in_days(-3)), "to": str(in_days(-5)), "children": "4,x"})
    assert "Ages, comma-separated: 4,9." in text
    assert 'value="4,x"' in text  # what was typed stays
    text = page(client, **{"from": str(in_days(-3)), "to": str(in_days(-5))})
    assert "The arrival date has passed." in text
    assert "The departure must be after the arrival." in text
    assert f'value="{in_days(-3)}"' in text


def test_stars_amenities_and_the_price_narrow_the_offers(client, hotel, db_session):
    hotel.stars, hotel.amenities = 3, ["wifi", "breakfast"]
    db_session.commit()
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    assert hotel.name in page(client, **dates, stars="3")
    assert hotel.name not in page(client, **dates, stars="4")
    assert hotel.name in page(client, **dates, amenities="wifi")
    assert hotel.name not in page(client, **dates, amenities="wifi&amenities=pool")  # both wanted
    assert hotel.name in page(client, **dates, max_price="2500000")  # exactly the stay's total
    assert hotel.name not in page(client, **dates, max_price="2499999")
    text = page(client, **dates, max_price="lots")
    assert "A whole number." in text
    assert 'value="lots"' in text


def test_the_map_pins_each_establishment_and_its_area_narrows_the_offers(client, hotel):
    dates = {"from": str(in_days(7)), "to": str(in_days(9))}
    text = page(client, **dates)
    assert 'class="search-map"' in text
    assert f'"url": "#offer-{hotel.id}"' in text
    assert f'id="offer-{hotel.id}"' in text
    lat, lon = hotel.latitude, hotel.longitude
    around = f"{lat - 0.01},{lon - 0.01},{lat + 0.01},{lon + 0.01}"
    assert hotel.name in page(client, **dates, bbox=around)
    assert hotel.name not in page(client, **dates, bbox="22.2,103.7,22.4,103.9")  # Sa Pa
    assert hotel.name in page(client, **dates, bbox="not,a,box")  # an edited link: anywhere


class FakeProvider:
    """Payments that always open: enough for the page's hold limit (no money involved)."""

    name = "fake"
    publishable_key = "pk_fake"
    script_url = ""
    page_sources: dict[str, tuple[str, ...]] = {}
    confirms_on_server = False

    def create_payment(self, **_details: object) -> PaymentIntent:
        return PaymentIntent(f"pi_{secrets.token_hex(6)}", "requires_payment_method", "secret")


def test_one_address_holds_at_most_30_rooms_an_hour_through_the_page(
    app, client, hotel, db_session, monkeypatch
):
    monkeypatch.setitem(app.extensions, "payment_provider", FakeProvider())  # this test only
    plan_id = db_session.scalar(select(RatePlan.id))
    for day in range(1, 32):
        path = f"/en/lodging/book?plan={plan_id}&from={in_days(day)}&to={in_days(day + 1)}"
        fields = {"name": "Ha", "email": f"guest{day}@example.com", "attempt": f"a{day}"}
        answer = client.post(path, data=fields | {"csrf_token": csrf_token(client, path)})
        if day <= 30:
            assert answer.status_code == 303, answer.get_data(as_text=True)
    assert answer.status_code == 429
    assert "Too many attempts" in answer.get_data(as_text=True)
