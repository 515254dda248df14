"""A small real index for the page and API tests: places, an event, lodgings.

Imported by the test modules (``from tests.search.sample_index import search_backend``)
rather than kept in a conftest, so the fixture does not reach the conformance suite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core.clock import local_now
from search import indexing
from search.backends.embedded import EmbeddedBackend
from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument
from search.services import this_weekend

BAY = GeoPoint(20.91, 107.18)


def _texts(**by_lang: tuple[str, str, str]) -> dict[str, LocalizedText]:
    return {
        lang: LocalizedText(title=title, url=url, summary=summary)
        for lang, (title, url, summary) in by_lang.items()
    }


def sample_documents(event_day: dt.date) -> list[SearchDocument]:
    """Four places, one market day on ``event_day`` and the next, two lodgings."""
    place, lodging = DocumentType.PLACE, DocumentType.LODGING
    return [
        SearchDocument(
            place,
            "1",
            1,
            _texts(
                vi=("Vịnh Hạ Long", "/vi/places/vinh-ha-long", "Di sản thiên nhiên thế giới."),
                en=("Ha Long Bay", "/en/places/ha-long-bay", "A World Heritage bay of islets."),
            ),
            location=BAY,
            commune="Hạ Long",
            category="bay",
        ),
        SearchDocument(
            place,
            "2",
            1,
            _texts(
                vi=("Hang Sửng Sốt", "/vi/places/hang-sung-sot", "Hang động lớn trên vịnh."),
                en=("Surprise Cave", "/en/places/surprise-cave", "The largest cave in Ha Long."),
            ),
            location=GeoPoint(20.86, 107.09),
            commune="Hạ Long",
            category="cave",
        ),
        SearchDocument(
            place,
            "3",
            1,
            _texts(vi=("Đảo Cô Tô", "/vi/places/dao-co-to", "Quần đảo với bãi cát trắng.")),
            location=GeoPoint(20.97, 107.77),
            commune="Cô Tô",
            category="island",
        ),
        SearchDocument(
            place,
            "4",
            1,
            _texts(
                vi=("Bản Cát Cát", "/vi/places/ban-cat-cat", "Bản làng người H'Mông."),
                en=("Cat Cat Village", "/en/places/cat-cat-village", "A Hmong village."),
            ),
            location=GeoPoint(22.33, 103.83),
            commune="Sa Pa",
            category="village",
        ),
        SearchDocument(
            DocumentType.EVENT,
            "5",
            1,
            _texts(
                vi=("Chợ phiên Bắc Hà", "/vi/events/cho-phien-bac-ha", "Phiên chợ vùng cao."),
                en=("Bac Ha Market", "/en/events/bac-ha-market", "The highland market day."),
            ),
            location=GeoPoint(22.54, 104.29),
            commune="Bắc Hà",
            category="market",
            starts_on=event_day,
            ends_on=event_day + dt.timedelta(days=1),
        ),
        SearchDocument(
            lodging,
            "6",
            1,
            _texts(
                vi=("Khách sạn Mường Thanh Hạ Long", "/vi/lodgings/6", "Khách sạn bốn sao."),
                en=("Muong Thanh Ha Long Hotel", "/en/lodgings/6", "A four-star hotel."),
            ),
            location=GeoPoint(20.95, 107.04),
            commune="Hạ Long",
            category="hotel",
            stars=4,
            amenities=("wifi", "pool"),
            price_from=1_200_000,
        ),
        SearchDocument(
            lodging,
            "7",
            1,
            _texts(vi=("Homestay Cát Cát", "/vi/lodgings/7", "Nhà sàn giữa ruộng bậc thang.")),
            location=GeoPoint(22.32, 103.84),
            commune="Sa Pa",
            category="homestay",
            amenities=("wifi",),
            price_from=400_000,
        ),
    ]


@pytest.fixture
def search_backend(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmbeddedBackend]:
    """The app's searches answered from the sample documents (events this Saturday)."""
    backend = EmbeddedBackend(tmp_path / "search.sqlite3")
    backend.index(sample_documents(saturday()))
    monkeypatch.setitem(app.extensions, indexing.BACKEND, backend)
    yield backend
    backend.close()


def saturday() -> dt.date:
    """The Saturday of the page's "this weekend" link."""
    return this_weekend(local_now().date())[0]
