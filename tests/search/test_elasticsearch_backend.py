"""The Elasticsearch backend's conversation with a cluster, through the real client
talking to a fake node (``fake_elasticsearch``). What it finds is the conformance
suite's business (``tests/search/conformance``, when ELASTICSEARCH_URL is set)."""

from __future__ import annotations

from typing import Any

import pytest

from search.backends.elasticsearch import ElasticsearchBackend, ElasticsearchBackendError
from search.documents import DocumentType, SearchQuery
from tests.search.conformance.corpus import CO_TO, CORPUS, HA_LONG_BAY
from tests.search.fake_elasticsearch import FakeCluster


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
def backend(cluster: FakeCluster) -> ElasticsearchBackend:
    return ElasticsearchBackend("http://unused", index_prefix="t", client=cluster.client())


def _bulk_headers(cluster: FakeCluster) -> list[dict[str, Any]]:
    return [
        next(iter(line.values()))
        for request in cluster.sent("PUT", "/_bulk")
        for line in request.body[0::2]
    ]


def test_building_the_backend_asks_nothing_of_the_cluster(cluster, backend):
    assert cluster.requests == []


def test_first_use_creates_the_first_index_behind_the_alias_with_icu(cluster, backend):
    backend.index([HA_LONG_BAY])
    assert cluster.aliases == {"t-search": {"t-search-0"}}
    analyzers = cluster.indices["t-search-0"]["settings"]["analysis"]["analyzer"]
    assert analyzers["folded"]["filter"] == ["icu_folding"]
    backend.index([CO_TO])
    assert len(cluster.sent("GET", "/_cat/plugins")) == 1  # checked once


def test_an_existing_alias_is_used_as_it_is(cluster, backend):
    cluster.aliases["t-search"] = {"t-search-20250101t000000000000"}
    backend.index([HA_LONG_BAY])
    assert cluster.sent("PUT", "/t-search-0") == []


def test_without_the_icu_plugin_the_index_folds_with_asciifolding_and_health_says_so():
    cluster = FakeCluster(icu=False)
    backend = ElasticsearchBackend("http://unused", index_prefix="t", client=cluster.client())
    backend.index([HA_LONG_BAY])
    analyzers = cluster.indices["t-search-0"]["settings"]["analysis"]["analyzer"]
    assert analyzers["folded"]["filter"] == ["lowercase", "asciifolding"]
    health = backend.health()
    assert health["status"] == "degraded"
    assert "analysis-icu" in health["reason"]


def test_health_is_ok_with_the_plugin(backend):
    assert backend.health() == {
        "backend": "elasticsearch",
        "index": "t-search",
        "version": "9.1.0",
        "status": "ok",
    }


def test_an_unreachable_cluster_is_an_error_in_health_and_never_at_start():
    backend = ElasticsearchBackend("http://127.0.0.1:9", index_prefix="t", request_timeout=0.5)
    health = backend.health()
    assert health["status"] == "error"
    assert "ConnectionError" in health["error"]
    with pytest.raises(ElasticsearchBackendError):
        backend.search(SearchQuery(text="ha long"))


def test_a_malformed_url_is_an_error_in_health_and_never_at_start():
    backend = ElasticsearchBackend("not a url at all")
    assert backend.health()["status"] == "error"
    with pytest.raises(ElasticsearchBackendError):
        backend.index([HA_LONG_BAY])


def test_writes_send_external_versions_and_refresh_at_once(cluster, backend):
    backend.index([HA_LONG_BAY])
    (header,) = _bulk_headers(cluster)
    assert header["_id"] == "place:ha-long-bay"
    assert (header["version"], header["version_type"]) == (1, "external_gte")
    assert header["_index"] == "t-search"
    assert cluster.sent("PUT", "/_bulk")[0].params["refresh"] == "true"


def test_a_stale_write_refused_for_its_version_is_not_an_error(cluster, backend):
    cluster.bulk_status["place:ha-long-bay"] = 409
    backend.index([HA_LONG_BAY, CO_TO])  # no exception


def test_any_other_refused_write_is_an_error(cluster, backend):
    cluster.bulk_status["place:co-to"] = 400
    with pytest.raises(ElasticsearchBackendError, match="1 writes failed"):
        backend.index([HA_LONG_BAY, CO_TO])


def test_a_delete_writes_a_tombstone_at_the_given_version(cluster, backend):
    backend.delete(DocumentType.PLACE, "co-to", 7)
    (request,) = cluster.sent("PUT", "/_bulk")
    header, source = request.body
    assert header["index"]["version"] == 7
    assert source["deleted"] is True


def test_rebuild_loads_a_new_index_then_swaps_the_alias_and_drops_the_old(cluster, backend):
    backend.index([HA_LONG_BAY])
    assert backend.rebuild(CORPUS) == len(CORPUS)
    (new,) = cluster.aliases["t-search"]
    assert new.startswith("t-search-2")
    assert new in cluster.indices
    assert "t-search-0" not in cluster.indices
    assert cluster.indices[new]["settings"]["index"]["refresh_interval"] == "-1"
    (settings,) = cluster.sent("PUT", f"/{new}/_settings")
    assert settings.body == {"index": {"refresh_interval": None, "number_of_replicas": None}}
    (swap,) = cluster.sent("POST", "/_aliases")
    assert swap.body["actions"][0] == {"remove": {"index": "t-search-0", "alias": "t-search"}}
    assert swap.body["actions"][1]["add"]["index"] == new


def test_rebuild_carries_over_a_newer_edit_made_while_it_loaded(cluster, backend):
    backend.index([HA_LONG_BAY])
    edited = {"key": "place:co-to", "version": 9, "deleted": True}
    unknown = {"key": "place:gone", "version": 9, "deleted": True}
    cluster.changed = [{"_source": edited}, {"_source": unknown}]
    backend.rebuild(CORPUS)
    into_new = [h for h in _bulk_headers(cluster) if h["_index"] != "t-search"]
    carried = [h for h in into_new if h["version_type"] == "external"]
    # Carried over before the swap and after it; only if strictly newer than the copy.
    assert [h["_id"] for h in carried] == ["place:co-to", "place:co-to"]
    assert "place:gone" not in [h["_id"] for h in into_new]  # the rebuild decides


def test_a_failed_rebuild_leaves_the_live_index_alone(cluster, backend):
    backend.index([HA_LONG_BAY])
    cluster.bulk_status["place:co-to"] = 500
    with pytest.raises(ElasticsearchBackendError):
        backend.rebuild(CORPUS)
    assert cluster.aliases == {"t-search": {"t-search-0"}}
    assert list(cluster.indices) == ["t-search-0"]


def test_only_punctuation_asks_nothing(cluster, backend):
    result = backend.search(SearchQuery(text='"*()'))
    assert result.total == 0
    assert backend.suggest("h", "vi") == []
    assert cluster.requests == []


def test_drop_deletes_only_this_prefixs_indices(cluster, backend):
    backend.index([HA_LONG_BAY])
    cluster.indices["t-search-other-search-0"] = {}
    backend.drop()
    assert list(cluster.indices) == ["t-search-other-search-0"]
