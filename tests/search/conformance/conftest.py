"""The ``backend`` every conformance test runs against: each reachable engine in turn.

The embedded backend always (a fresh file per test); Elasticsearch when
``ELASTICSEARCH_URL`` is set (a fresh index prefix per test, its indices deleted after).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.backends.embedded import EmbeddedBackend
from search.documents import SearchBackend
from tests.search.conformance.corpus import CORPUS


def _backends() -> list[Any]:
    params: list[Any] = ["embedded"]
    if os.environ.get("ELASTICSEARCH_URL"):
        params.append(pytest.param("elasticsearch", marks=pytest.mark.elasticsearch))
    return params


@pytest.fixture(params=_backends())
def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        embedded = EmbeddedBackend(tmp_path / "search.sqlite3")
        yield embedded
        embedded.close()
        return
    # Imported here: the Elasticsearch client is only needed when a cluster is reachable.
    from search.backends.elasticsearch import ElasticsearchBackend  # noqa: PLC0415

    elastic = ElasticsearchBackend(
        url=os.environ["ELASTICSEARCH_URL"], index_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    try:
        yield elastic
    finally:
        elastic.drop()


@pytest.fixture
def backend(empty_backend: SearchBackend) -> SearchBackend:
    """A backend holding the corpus (``corpus.py``)."""
    empty_backend.index(CORPUS)
    return empty_backend
