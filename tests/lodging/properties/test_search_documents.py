"""Approved establishments in search, and the public page search results link to."""

from __future__ import annotations

from lodging.properties.models import EstablishmentKind
from lodging.properties.search_documents import approved_ids, load_lodging
from search.documents import DocumentType, Facet, GeoPoint
from tests.factories import make_establishment


def test_an_approved_establishment_is_a_lodging_document(db_session):
    hotel = make_establishment(db_session, name="Khách sạn Biển Xanh", stars=4)

    document = load_lodging(db_session, str(hotel.id))

    assert document is not None
    assert (document.type, document.id) == (DocumentType.LODGING, str(hotel.id))
    assert document.texts["vi"].title == "Khách sạn Biển Xanh"
    assert document.texts["en"].url == f"/en/lodgings/{hotel.id}"
    assert document.category == "hotel"
    assert document.stars == 4
    assert document.commune == "Phường Bãi Cháy"
    assert document.location == GeoPoint(20.9533, 107.0433)
    assert document.facet_values()[Facet.PRICE_BAND] == ()


def test_a_pending_or_unknown_establishment_gives_no_document(db_session):
    pending = make_establishment(db_session, approved=False)
    assert load_lodging(db_session, str(pending.id)) is None
    assert load_lodging(db_session, "0") is None
    assert load_lodging(db_session, "not-a-number") is None


def test_only_approved_establishments_are_rebuilt(db_session):
    approved = make_establishment(db_session)
    pending = make_establishment(db_session, approved=False)
    ids = list(approved_ids(db_session))
    assert str(approved.id) in ids
    assert str(pending.id) not in ids


def test_a_homestay_without_stars_or_coordinates(db_session):
    homestay = make_establishment(
        db_session, kind=EstablishmentKind.HOMESTAY, stars=None, latitude=None, longitude=None
    )
    document = load_lodging(db_session, str(homestay.id))
    assert document is not None
    assert (document.category, document.stars, document.location) == ("homestay", None, None)


def test_the_public_page_shows_an_approved_establishment(client, db_session):
    hotel = make_establishment(db_session, name="Khách sạn Hoàng Hôn", phone="0203 3846 123")

    page = client.get(f"/en/lodgings/{hotel.id}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Khách sạn Hoàng Hôn" in html
    assert "Hotel" in html
    assert "0203 3846 123" in html
    assert "geo:20.9533," in html


def test_the_public_page_of_a_pending_establishment_is_not_found(client, db_session):
    pending = make_establishment(db_session, approved=False)
    assert client.get(f"/en/lodgings/{pending.id}").status_code == 404
    assert client.get("/en/lodgings/999999").status_code == 404
