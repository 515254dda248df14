"""The Elasticsearch backend: the one module that imports the ``elasticsearch`` client.

Searches and writes go through the alias ``<prefix>-search``, which points at one
concrete index (``<prefix>-search-0`` at first, ``<prefix>-search-<UTC timestamp>``
after a rebuild). ``rebuild()`` loads a new index beside the live one and moves the
alias in one atomic ``_aliases`` call, so searches never see a half-built index.

Writes carry the document's version as an external version: Elasticsearch itself
refuses an older one (409, ignored here), whatever order the outbox worker and a
retry deliver them in. Deletes leave a tombstone carrying the version (see
``elasticsearch_bodies.tombstone_source``).

Nothing is asked of the cluster when the backend is built: the first use checks that
it answers and whether the analysis-icu plugin is there (without it the index folds
with ``asciifolding`` and ``health()`` says "degraded"), so the app starts even while
the cluster is down, and ``health()`` reports why.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from elasticsearch import (
    ApiError,
    BadRequestError,
    Elasticsearch,
    NotFoundError,
    TransportError,
    helpers,
)

from core.clock import utcnow
from search.backends.elasticsearch_bodies import (
    alias_swap_actions,
    carry_over_action,
    changed_since,
    delete_action,
    doc_key,
    index_body,
    restored_settings,
    write_action,
)
from search.backends.elasticsearch_queries import (
    EMPTY,
    can_suggest,
    nothing_to_search,
    search_body,
    suggest_body,
    to_result,
    to_suggestions,
)
from search.documents import DocumentType, SearchDocument, SearchQuery, SearchResult, Suggestion

ICU_PLUGIN = "analysis-icu"
CONFLICT = 409  # a bulk item refused for its version: an older write, by design ignored
# Clocks of the worker and of the rebuilding process may differ by this much.
CLOCK_SKEW = dt.timedelta(minutes=2)


class ElasticsearchBackendError(RuntimeError):
    """The cluster could not be reached or refused a request (the caller may retry)."""


@contextmanager
def _cluster_errors() -> Iterator[None]:
    try:
        yield
    except (ApiError, TransportError) as error:
        raise ElasticsearchBackendError(f"{type(error).__name__}: {error}") from error


class ElasticsearchBackend:
    """``SearchBackend`` on an Elasticsearch cluster (see the module docstring)."""

    name = "elasticsearch"

    def __init__(
        self,
        url: str,
        index_prefix: str = "portal",
        client: Elasticsearch | None = None,
        *,
        request_timeout: float = 10.0,
    ) -> None:
        self.alias = f"{index_prefix}-search"
        self._config_error = ""
        self._client: Elasticsearch | None = client
        if client is None:
            try:
                self._client = Elasticsearch(
                    url, request_timeout=request_timeout, retry_on_timeout=True, max_retries=2
                )
            except ValueError as error:  # a malformed URL: reported by health(), not fatal
                self._config_error = f"ELASTICSEARCH_URL: {error}"
        self._icu: bool | None = None  # None until the first use has checked the cluster
        self._lock = threading.Lock()

    # -- the cluster ---------------------------------------------------------------

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            raise ElasticsearchBackendError(self._config_error)
        return self._client

    def _has_icu(self) -> bool:
        # format=json: a list of {"component": ...} per node and plugin (typed as text).
        response = self.client.cat.plugins(format="json", h="component")
        plugins = cast("list[dict[str, str]]", response.body)
        if any(row.get("component") == ICU_PLUGIN for row in plugins):
            return True
        # Some distributions ship ICU as a module, which ``_cat/plugins`` does not list.
        try:
            self.client.indices.analyze(tokenizer="icu_tokenizer", filter=["icu_folding"], text="đ")
        except BadRequestError:
            return False
        return True

    def _ready(self) -> None:
        """On first use: check the cluster and the plugin, create the index if missing."""
        if self._icu is not None:
            return
        with self._lock, _cluster_errors():
            if self._icu is None:
                icu = self._has_icu()
                self._create_first_index(icu=icu)
                self._icu = icu

    def _create_first_index(self, *, icu: bool) -> None:
        if self.client.indices.exists_alias(name=self.alias):
            return
        try:
            # A fixed name, not a timestamp: when several workers start at once, one of
            # them creates it and the others find it, instead of each adding its own
            # index to the alias (which would then refuse writes).
            self.client.indices.create(
                index=f"{self.alias}-0",
                aliases={self.alias: {"is_write_index": True}},
                **index_body(icu=icu),
            )
        except BadRequestError as error:
            if error.error != "resource_already_exists_exception":
                raise

    def _write(
        self, actions: Iterable[dict[str, Any]], *, refresh: bool, keys: set[str] | None = None
    ) -> None:
        """Send ``actions`` in bulk, adding the ids they name to ``keys``."""

        def counted() -> Iterator[dict[str, Any]]:
            for action in actions:
                if keys is not None:
                    keys.add(action["_id"])
                yield action

        failures: list[dict[str, Any]] = []
        for ok, item in helpers.streaming_bulk(
            self.client, counted(), raise_on_error=False, refresh=refresh
        ):
            result = next(iter(item.values()))
            if not ok and result.get("status") != CONFLICT:
                failures.append(result)
        if failures:
            raise ElasticsearchBackendError(f"{len(failures)} writes failed: {failures[:3]}")

    # -- SearchBackend -------------------------------------------------------------

    def index(self, documents: Iterable[SearchDocument]) -> None:
        """Add or replace documents; Elasticsearch ignores versions older than stored.

        Refreshed at once: an edit is searchable when the outbox worker's step ends,
        which keeps "published a second ago, found now" true at tourism-site volumes.
        """
        self._ready()
        with _cluster_errors():
            now = utcnow()
            self._write((write_action(self.alias, d, now) for d in documents), refresh=True)

    def delete(self, type_: DocumentType, id_: str, version: int) -> None:
        self._ready()
        action = delete_action(self.alias, DocumentType(type_).value, id_, version, utcnow())
        with _cluster_errors():
            self._write([action], refresh=True)

    def search(self, query: SearchQuery) -> SearchResult:
        if nothing_to_search(query):
            return EMPTY
        self._ready()
        with _cluster_errors():
            response = self.client.search(index=self.alias, **search_body(query))
        return to_result(response.body, query)

    def suggest(self, prefix: str, lang: str, limit: int = 8) -> list[Suggestion]:
        if not can_suggest(prefix) or limit <= 0:
            return []
        self._ready()
        with _cluster_errors():
            response = self.client.search(index=self.alias, **suggest_body(prefix, limit))
        return to_suggestions(response.body, lang, limit)

    def rebuild(self, documents: Iterable[SearchDocument]) -> int:
        """Load a new index beside the live one, then move the alias to it atomically.

        As in the embedded backend, what the live index received meanwhile and is newer
        than the rebuild's copy (an edit, a deletion) is carried over, once before the
        swap and once after it for writes that raced the swap; the rebuild decides
        which documents exist.
        """
        self._ready()
        with _cluster_errors():
            icu = self._has_icu()  # the plugin may have been installed since the start
            started = utcnow()
            new = f"{self.alias}-{started:%Y%m%dt%H%M%S%f}"
            self.client.indices.create(index=new, **index_body(icu=icu, for_bulk_load=True))
            built: set[str] = set()
            try:
                actions = (write_action(new, d, started) for d in documents)
                self._write(actions, refresh=False, keys=built)
                self.client.indices.put_settings(index=new, settings=restored_settings())
                old = self._indices_behind_alias()
                self._carry_over(old, new, built, since=started - CLOCK_SKEW)
                self.client.indices.update_aliases(actions=alias_swap_actions(self.alias, old, new))
            except BaseException:
                self.client.indices.delete(index=new, ignore_unavailable=True)
                raise
            self._carry_over(old, new, built, since=started - CLOCK_SKEW)
            if old:
                self.client.indices.delete(index=old, ignore_unavailable=True)
            self._icu = icu
        return len(built)

    def _carry_over(self, old: list[str], new: str, built: set[str], since: dt.datetime) -> None:
        """Copy into ``new`` the documents of ``built`` written to ``old`` since ``since``.

        The external versions decide: an older or equal copy is refused, so only newer
        ones land.
        """
        if old:
            changed = helpers.scan(self.client, index=old, query={"query": changed_since(since)})
            fresh = (carry_over_action(new, hit["_source"]) for hit in changed)
            self._write((a for a in fresh if a["_id"] in built), refresh=False)
        self.client.indices.refresh(index=new)

    def _indices_behind_alias(self) -> list[str]:
        try:
            return sorted(self.client.indices.get_alias(name=self.alias).body)
        except NotFoundError:
            return []

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"backend": self.name, "index": self.alias}
        if self._client is None:
            return {**report, "status": "error", "error": self._config_error}
        try:
            version = self.client.info().body.get("version", {}).get("number", "")
            icu = self._has_icu()
        except (ApiError, TransportError) as error:
            return {**report, "status": "error", "error": f"{type(error).__name__}: {error}"}
        report["version"] = version
        if not icu:
            report["status"] = "degraded"
            report["reason"] = (
                f"the {ICU_PLUGIN} plugin is missing: folding with asciifolding, "
                "tokenizing with the standard tokenizer"
            )
            return report
        return {**report, "status": "ok"}

    # -- operations and tests ------------------------------------------------------

    def refresh(self) -> None:
        with _cluster_errors():
            self.client.indices.refresh(index=self.alias)

    def drop(self) -> None:
        """Delete every index of this prefix (tests' cleanup, operators' reset)."""
        own = re.compile(rf"{re.escape(self.alias)}-(0|\d{{8}}t\d{{12}})")
        with _cluster_errors():
            found = self.client.indices.get(index=f"{self.alias}-*", allow_no_indices=True).body
            names = sorted(name for name in found if own.fullmatch(name))
            if names:
                self.client.indices.delete(index=names)
        self._icu = None

    def document_version(self, type_: DocumentType, id_: str) -> int | None:
        """The version stored for a document (a tombstone's too), or None."""
        self._ready()
        with _cluster_errors():
            try:
                found = self.client.get(index=self.alias, id=doc_key(type_.value, id_))
            except NotFoundError:
                return None
        version: int = found.body["_version"]
        return version
