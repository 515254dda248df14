from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session

from portal.destinations.models import ContentType, Recurrence
from portal.destinations.search_documents import build_document
from search.documents import DocumentType, GeoPoint
from search.indexing import document_sources
from tests.destinations.content import make_item


def test_draft_gives_no_document(db_session: Session) -> None:
    assert build_document(make_item(db_session, publish=False)) is None


def test_place_document_has_each_language_its_page_and_other_names(
    db_session: Session,
) -> None:
    item = make_item(
        db_session,
        translations={"en": ("Ha Long Bay", "ha-long-bay")},
        kind="bay",
        commune="Phường Hạ Long",
        latitude=20.9101,
        longitude=107.1839,
    )
    document = build_document(item)

    assert document is not None
    assert document.type is DocumentType.PLACE
    assert document.version == item.version
    assert set(document.texts) == {"vi", "en"}
    assert document.texts["en"].url == "/en/places/ha-long-bay"
    assert document.texts["vi"].url == "/vi/places/vinh-ha-long"
    assert document.texts["vi"].keywords == ("Ha Long Bay",)
    assert document.category == "bay"
    assert document.commune == "Phường Hạ Long"
    assert document.location == GeoPoint(20.9101, 107.1839)


def test_event_at_a_place_is_located_there_and_spans_its_repetitions(
    db_session: Session,
) -> None:
    place = make_item(db_session, latitude=22.5367, longitude=104.2878, commune="Xã Bắc Hà")
    event = make_item(
        db_session,
        ContentType.EVENT,
        title="Chợ phiên Bắc Hà",
        kind="market",
        place_id=place.id,
        starts_on=dt.date(2026, 11, 1),
        recurrence=Recurrence.WEEKLY,
        recurrence_until=dt.date(2027, 12, 26),
    )
    db_session.refresh(event)
    document = build_document(event)

    assert document is not None
    assert document.texts["vi"].url == "/vi/events/cho-phien-bac-ha"
    assert document.location == GeoPoint(22.5367, 104.2878)
    assert document.commune == "Xã Bắc Hà"
    assert (document.starts_on, document.ends_on) == (dt.date(2026, 11, 1), dt.date(2027, 12, 26))


def test_sources_are_registered_for_the_four_content_types(app: Flask, db_session: Session) -> None:
    sources = document_sources(app)
    article = make_item(db_session, ContentType.ARTICLE, title="Tin mới")
    draft = make_item(db_session, ContentType.ARTICLE, title="Bản nháp", publish=False)

    source = sources[DocumentType.ARTICLE]
    loaded = source.load(db_session, str(article.id))
    assert loaded is not None
    assert loaded.texts["vi"].url == "/vi/news/tin-moi"
    assert source.load(db_session, str(draft.id)) is None
    assert sources[DocumentType.PLACE].load(db_session, str(article.id)) is None
    assert str(article.id) in source.all_ids(db_session)
    assert str(draft.id) not in source.all_ids(db_session)
    assert {DocumentType.EVENT, DocumentType.ITINERARY} <= set(sources)
