"""sitemap.xml with reciprocal hreflang alternates for real languages, and robots.txt."""

from xml.etree import ElementTree

from tests.destinations.content import make_item

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def urls(client) -> dict[str, dict[str, str]]:
    """loc -> {hreflang: href}."""
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own output
    return {
        url.findtext("s:loc", default="", namespaces=NS): {
            link.get("hreflang", ""): link.get("href", "") for link in url.findall("x:link", NS)
        }
        for url in root.findall("s:url", NS)
    }


def test_each_item_is_listed_once_per_real_language_with_all_its_alternates(client, db_session):
    make_item(db_session, title="Vịnh Hạ Long", translations={"en": ("Ha Long Bay", "ha-long-bay")})
    make_item(db_session, title="Hang Sửng Sốt", kind="cave")
    db_session.commit()
    found = urls(client)
    cluster = {
        "vi": "http://127.0.0.1:5000/vi/places/vinh-ha-long",
        "en": "http://127.0.0.1:5000/en/places/ha-long-bay",
        "x-default": "http://127.0.0.1:5000/vi/places/vinh-ha-long",
    }
    assert found["http://127.0.0.1:5000/vi/places/vinh-ha-long"] == cluster
    assert found["http://127.0.0.1:5000/en/places/ha-long-bay"] == cluster  # reciprocal
    assert not any("/ko/places/vinh-ha-long" in loc for loc in found)
    cave = [loc for loc in found if "hang-sung-sot" in loc]
    assert cave == ["http://127.0.0.1:5000/vi/places/hang-sung-sot"]
    assert set(found[cave[0]]) == {"vi", "x-default"}


def test_drafts_are_left_out(client, db_session):
    make_item(db_session, title="Đảo Nháp", publish=False)
    db_session.commit()
    assert not any("dao-nhap" in loc for loc in urls(client))


def test_interface_pages_exist_in_every_language(client):
    found = urls(client)
    home = found["http://127.0.0.1:5000/en/"]
    assert {"vi", "en", "zh", "ko", "ja", "fr", "ru", "x-default"} == set(home)
    assert home["x-default"] == "http://127.0.0.1:5000/"
    assert "http://127.0.0.1:5000/ko/events/" in found


def test_robots_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in response.get_data(as_text=True)
