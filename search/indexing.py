"""Keeping the index in step with the database, through the outbox.

A feature registers, per document type, how to build a record's ``SearchDocument``
(``register_document_source``). When a record changes (published, edited,
unpublished, deleted), the feature calls ``enqueue_reindex`` in the same transaction:
an outbox message that a worker turns into ``backend.index`` (or ``backend.delete``
when the source no longer gives a document). ``flask search reindex`` rebuilds
everything from the sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from core.database import DbSession
from core.outbox import messages as outbox
from core.settings import Settings
from search.backends.embedded import EmbeddedBackend
from search.documents import DocumentType, SearchBackend, SearchDocument

SOURCES = "search_document_sources"  # the registry's key in app.extensions
INDEX_KIND_PREFIX = "search.index."
SEARCH_CHANNEL = "search"

# The record's current document, or None if it must not be found (draft, deleted).
LoadDocument = Callable[[DbSession, str], SearchDocument | None]
# Every id of this type that should be in the index (for a full rebuild).
AllIds = Callable[[DbSession], Iterable[str]]


@dataclass(frozen=True)
class DocumentSource:
    type: DocumentType
    load: LoadDocument
    all_ids: AllIds


def register_document_source(
    app: Flask, type_: DocumentType, load: LoadDocument, all_ids: AllIds
) -> None:
    """Say how to build the documents of ``type_`` (one feature per type)."""
    sources: dict[DocumentType, DocumentSource] = app.extensions.setdefault(SOURCES, {})
    if type_ in sources:
        raise ValueError(f"a document source is already registered for {type_.value!r}")
    sources[type_] = DocumentSource(type_, load, all_ids)


def document_sources(app: Flask) -> dict[DocumentType, DocumentSource]:
    sources: dict[DocumentType, DocumentSource] = app.extensions.get(SOURCES, {})
    return sources


def enqueue_reindex(
    session: DbSession, type_: DocumentType, id_: str, *, now: dt.datetime
) -> outbox.OutboxMessage:
    """Have a worker bring ``type_:id_`` in the index up to date after this commit.

    The message names the record, not its content: the worker loads the record as it is
    when it runs, so a burst of edits ends with the last one indexed.
    """
    return outbox.enqueue(
        session,
        kind=f"{INDEX_KIND_PREFIX}{type_.value}",
        key=f"search:{type_.value}:{id_}:{uuid.uuid4().hex}",
        payload={"type": type_.value, "id": id_},
        now=now,
    )


BACKEND = "search_backend"  # the configured backend's key in app.extensions


def init_search(app: Flask, settings: Settings) -> SearchBackend:
    """Build the backend the settings choose and keep it in ``app.extensions``.

    Elasticsearch when ``ELASTICSEARCH_URL`` is set, else the embedded SQLite FTS5 file
    (``SEARCH_INDEX_PATH``, by default ``<instance>/search.sqlite3``). Nothing connects
    here: each backend connects on first use, so the app starts without its engine.
    """
    backend: SearchBackend
    if settings.elasticsearch_url:
        # Imported only when chosen: the Elasticsearch client is needed by nobody else,
        # and the module may be absent from a deployment that never uses it.
        from search.backends.elasticsearch import ElasticsearchBackend  # noqa: PLC0415

        backend = ElasticsearchBackend(
            url=settings.elasticsearch_url, index_prefix=settings.elasticsearch_index_prefix
        )
    else:
        backend = EmbeddedBackend(Path(settings.search_index_path))
    app.extensions[BACKEND] = backend
    return backend


def backend_of(app: Flask) -> SearchBackend:
    backend: SearchBackend = app.extensions[BACKEND]
    return backend


def register_indexing(app: Flask) -> None:
    """Let the outbox workers bring the index up to date (see ``make_index_handler``)."""
    outbox.register_handler(
        app,
        INDEX_KIND_PREFIX,
        make_index_handler(lambda: backend_of(app), lambda: document_sources(app)),
        channel=SEARCH_CHANNEL,
    )


def message_version(message: outbox.OutboxMessage) -> int:
    """The message's creation time in microseconds since the epoch.

    Index and delete both carry this version, not the source's own counter: one scale
    for both, so a tombstone and a later re-publication compare. The message is written
    in the transaction that made the change, so a later change has a later message; the
    handler loads the record as it is when it runs, so a late, older message carries a
    state at least as new as its version says, and ignoring it loses nothing.
    """
    created = message.created_at
    if created.tzinfo is None:  # SQLite hands back what was stored, in UTC
        created = created.replace(tzinfo=dt.UTC)
    return int((created - EPOCH) / dt.timedelta(microseconds=1))


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def make_index_handler(
    backend: Callable[[], SearchBackend],
    sources: Callable[[], dict[DocumentType, DocumentSource]],
) -> outbox.Handler:
    """The handler of ``search.index.*`` messages: index the record, or delete it."""

    def index_record(
        session: DbSession, message: outbox.OutboxMessage, now: dt.datetime
    ) -> outbox.Outcome:
        del now  # the version is the message's, not the attempt's
        try:
            type_ = DocumentType(message.payload["type"])
            id_ = str(message.payload["id"])
        except (KeyError, ValueError):
            return outbox.Outcome("rejected", errors={"payload": "not a search.index message"})
        source = sources().get(type_)
        if source is None:
            return outbox.Outcome("rejected", errors={"type": f"no document source for {type_}"})
        version = message_version(message)
        document = source.load(session, id_)
        try:
            if document is None:
                backend().delete(type_, id_, version)
            else:
                backend().index([dataclasses.replace(document, version=version)])
        except Exception as exc:  # noqa: BLE001 - any engine failure is worth a retry
            return outbox.Outcome("retry", detail=f"{type(exc).__name__}: {exc}")
        return outbox.Outcome("delivered", detail="deleted" if document is None else "indexed")

    return index_record


def all_documents(
    session: DbSession, sources: Iterable[DocumentSource], *, version: int
) -> Iterator[SearchDocument]:
    """Every document the sources give now, each stamped with ``version``."""
    for source in sources:
        for id_ in source.all_ids(session):
            document = source.load(session, id_)
            if document is not None:
                yield dataclasses.replace(document, version=version)


def reindex(session: DbSession, app: Flask, *, now: dt.datetime) -> int:
    """Rebuild the whole index from every registered source; return the count.

    Every document gets ``now`` as its version (the scale of ``message_version``): an
    edit queued before the rebuild began yields to it, one queued after wins.
    """
    version = int((now - EPOCH) / dt.timedelta(microseconds=1))
    documents = all_documents(session, document_sources(app).values(), version=version)
    return backend_of(app).rebuild(documents)
