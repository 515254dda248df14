"""Search follows the database through the outbox: index, delete, retry, rebuild, CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.outbox.messages import OutboxMessage, OutboxState, Outcome
from lodging.properties.models import EstablishmentStatus
from search import indexing
from search.backends.embedded import EmbeddedBackend
from search.documents import DocumentType, LocalizedText, SearchDocument, SearchQuery
from search.indexing import (
    BACKEND,
    SEARCH_CHANNEL,
    DocumentSource,
    enqueue_reindex,
    make_index_handler,
    message_version,
)
from tests.factories import deliver_due, make_establishment


@pytest.fixture
def backend(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[EmbeddedBackend]:
    """The app's index, fresh for this test."""
    fresh = EmbeddedBackend(tmp_path / "search.sqlite3")
    monkeypatch.setitem(app.extensions, BACKEND, fresh)
    yield fresh
    fresh.close()


def deliver_search_messages(app: Flask, session: Session) -> list[Outcome | None]:
    return deliver_due(app, session, [SEARCH_CHANNEL])


def found(backend: EmbeddedBackend, text: str) -> list[str]:
    return [hit.title for hit in backend.search(SearchQuery(text=text, lang="en")).hits]


def test_an_approved_establishment_is_searchable_once_the_outbox_delivers(app, db_session, backend):
    make_establishment(db_session, name="Khách sạn Hoa Ban Sa Pa")
    assert found(backend, "hoa ban") == []  # not before the worker ran

    outcomes = deliver_search_messages(app, db_session)

    assert [o.kind for o in outcomes if o] == ["delivered"]
    assert found(backend, "hoa ban") == ["Khách sạn Hoa Ban Sa Pa"]
    hit = backend.search(SearchQuery(text="hoa ban", lang="en")).hits[0]
    assert hit.type is DocumentType.LODGING
    assert hit.url.startswith("/en/lodgings/")


def test_a_suspended_establishment_leaves_the_index(app, db_session, backend):
    hotel = make_establishment(db_session, name="Khách sạn Mây Trắng")
    deliver_search_messages(app, db_session)
    hotel.status = EstablishmentStatus.SUSPENDED
    enqueue_reindex(db_session, DocumentType.LODGING, str(hotel.id), now=utcnow())
    db_session.commit()

    deliver_search_messages(app, db_session)

    assert found(backend, "may trang") == []


def test_a_late_message_about_an_older_state_changes_nothing(app, db_session, backend):
    hotel = make_establishment(db_session, name="Khách sạn Sương Mù")
    deliver_search_messages(app, db_session)
    hotel.status = EstablishmentStatus.SUSPENDED
    later = enqueue_reindex(db_session, DocumentType.LODGING, str(hotel.id), now=utcnow())
    db_session.commit()
    deliver_search_messages(app, db_session)
    # A message written before the suspension is delivered only now, approved again
    # meanwhile in the database: the index follows the database as it is now.
    hotel.status = EstablishmentStatus.APPROVED
    earlier = enqueue_reindex(
        db_session,
        DocumentType.LODGING,
        str(hotel.id),
        now=later.created_at - dt.timedelta(seconds=5),
    )
    db_session.commit()
    deliver_search_messages(app, db_session)
    assert earlier.state is OutboxState.DELIVERED
    assert found(backend, "suong mu") == []  # older than the deletion: ignored


def test_a_failing_engine_means_retry(db_session):
    class Broken:
        name = "broken"

        def index(self, documents):
            raise ConnectionError("engine down")

        def delete(self, type_, id_, version):
            raise ConnectionError("engine down")

    document = SearchDocument(
        DocumentType.PLACE, "1", 1, {"vi": LocalizedText("Vịnh Hạ Long", "/vi/p/1")}
    )
    source = DocumentSource(DocumentType.PLACE, lambda _s, _id: document, lambda _s: ["1"])
    handler = make_index_handler(Broken, lambda: {DocumentType.PLACE: source})  # type: ignore[arg-type]
    message = OutboxMessage(
        kind="search.index.place",
        key="k",
        payload={"type": "place", "id": "1"},
        created_at=utcnow(),
    )
    outcome = handler(db_session, message, utcnow())
    assert outcome.kind == "retry"
    assert "engine down" in outcome.detail


def test_a_message_for_an_unknown_type_is_rejected(db_session):
    handler = make_index_handler(lambda: None, dict)  # type: ignore[arg-type,return-value]
    message = OutboxMessage(kind="search.index.x", key="k", payload={"type": "x", "id": "1"})
    assert handler(db_session, message, utcnow()).kind == "rejected"


def test_versions_are_the_messages_creation_times_in_microseconds():
    message = OutboxMessage(created_at=dt.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=dt.UTC))
    assert message_version(message) == 1_000_005


def test_reindex_rebuilds_from_every_source(app, db_session, backend):
    make_establishment(db_session, name="Khách sạn Đồi Thông")
    make_establishment(db_session, name="Khách sạn Chờ Duyệt", approved=False)
    backend.index(
        [SearchDocument(DocumentType.LODGING, "999999", 1, {"vi": LocalizedText("Cũ", "/")})]
    )

    count = indexing.reindex(db_session, app, now=utcnow())

    assert count >= 1
    assert found(backend, "doi thong") == ["Khách sạn Đồi Thông"]
    assert found(backend, "cho duyet") == []
    assert found(backend, "cu") == []  # gone from the database, gone from the index


def test_the_cli_reindexes_and_reports(app, db_session, backend):
    make_establishment(db_session, name="Khách sạn Ruộng Bậc Thang")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "embedded-sqlite-fts5" in result.output
    assert "documents indexed" in result.output

    status = runner.invoke(args=["search", "status"])
    assert "backend: embedded-sqlite-fts5 (ok)" in status.output
    assert "lodging:" in status.output


def test_the_app_searches_its_own_file_by_default(app, settings):
    configured = indexing.backend_of(app)
    assert configured.name == "embedded-sqlite-fts5"
    assert settings.search_index_path == str(Path(settings.instance_path) / "search.sqlite3")
