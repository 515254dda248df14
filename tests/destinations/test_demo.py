from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import utcnow
from portal.destinations import catalogue
from portal.destinations.demo import DEMO_FILE, load_demo_content
from portal.destinations.models import ContentItem, ContentType

FIXTURE = Path(__file__).with_name("demo_fixture.json")


def test_demo_content_is_published_in_its_languages_and_loads_once(db_session: Session) -> None:
    assert load_demo_content(db_session, utcnow(), FIXTURE) == ["Demo content: 5 items added."]
    assert load_demo_content(db_session, utcnow(), FIXTURE) == ["Demo content: 0 items added."]

    match = catalogue.find_by_slug(db_session, ContentType.PLACE, "ko", "ha-long-bay-ko")
    assert match is not None
    bay = match.item
    assert bay.is_published
    assert sorted(bay.languages) == ["en", "ko", "vi"]
    assert bay.commune_code is not None  # Phường Hạ Long is a current ward
    assert bay.tickets[0]["amount"] == 290000

    (market,) = catalogue.published_items(db_session, ContentType.EVENT)
    assert market.place_id == bay.id

    (itinerary,) = catalogue.published_items(db_session, ContentType.ITINERARY)
    assert [p.demo_key for p in itinerary.days[0].places] == ["vinh-ha-long", "hang-sung-sot"]
    assert itinerary.days[0].titles["en"] == "Day 1"


def test_missing_demo_file_loads_nothing(db_session: Session, tmp_path: Path) -> None:
    lines = load_demo_content(db_session, utcnow(), tmp_path / "none.json")
    assert "not found" in lines[0]
    assert db_session.scalar(select(func.count()).select_from(ContentItem)) == 0


def test_the_real_demo_file_loads_when_present(db_session: Session) -> None:
    if not DEMO_FILE.exists():
        return  # written by another helper; checked once it is there
    load_demo_content(db_session, utcnow())
    assert len(catalogue.published_items(db_session, ContentType.PLACE)) >= 25
    assert len(catalogue.published_items(db_session, ContentType.EVENT)) >= 6
