import datetime as dt
import re

from flask_babel import force_locale, format_datetime

from core.i18n import LOCALE_CODES, format_money


def test_root_sends_a_korean_browser_to_korean(client):
    response = client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ko/")
    assert "Accept-Language" in response.headers["Vary"]


def test_root_defaults_to_vietnamese(client):
    response = client.get("/", headers={"Accept-Language": "de-DE"})
    assert response.headers["Location"].endswith("/vi/")


def test_saved_choice_beats_the_browser_language(client):
    client.get("/fr/")  # visiting a language remembers it
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"].endswith("/fr/")


def test_unknown_language_prefix_is_404_in_the_visitors_language(client):
    response = client.get("/xx/", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_every_language_renders_the_home_page(client):
    for code in LOCALE_CODES:
        response = client.get(f"/{code}/")
        assert response.status_code == 200
        assert f'<html lang="{code}">' in response.get_data(as_text=True)


def test_home_lists_every_language_in_hreflang_with_x_default(client):
    page = client.get("/en/").get_data(as_text=True)
    hreflangs = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page)
    assert {code for code, _ in hreflangs} == {*LOCALE_CODES, "x-default"}
    assert ("vi", "http://127.0.0.1:5000/vi/") in hreflangs
    assert ("en", "http://127.0.0.1:5000/en/") in hreflangs  # reciprocal: the page lists itself


def test_language_switcher_keeps_the_current_page(client):
    page = client.get("/en/login?next=/en/account").get_data(as_text=True)
    assert 'href="/vi/login?next=/en/account" hreflang="vi"' in page.replace("&amp;", "&")
    assert 'href="/ja/login?next=/en/account" hreflang="ja"' in page.replace("&amp;", "&")


def test_vietnamese_page_is_translated(client):
    page = client.get("/vi/login").get_data(as_text=True)
    assert "Đăng nhập" in page
    assert "Sign in" not in page


def test_money_is_formatted_for_the_language(app):
    with app.test_request_context("/vi/"), force_locale("vi"):
        assert format_money(1250000) == "1.250.000\xa0₫"
    with app.test_request_context("/en/"), force_locale("en"):
        assert format_money(1250000) == "₫1,250,000"


def test_times_are_shown_in_vietnam_time(app):
    three_utc = dt.datetime(2026, 4, 30, 3, 0, tzinfo=dt.UTC)
    with app.test_request_context("/en/"), force_locale("en"):
        assert "10:00" in format_datetime(three_utc, "short")


def test_api_answers_in_accept_language_even_with_a_saved_page_language(client):
    client.set_cookie("lang", "vi")
    english = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert english.get_json()["title"] == "Sign in required"
    vietnamese = client.get("/api/v1/me", headers={"Accept-Language": "vi"})
    assert vietnamese.get_json()["title"] != "Sign in required"
