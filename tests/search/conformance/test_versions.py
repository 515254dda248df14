"""Updates in any order, deletions, rebuilds, suggestions and health."""

from __future__ import annotations

import dataclasses

from search.documents import DocumentType, LocalizedText, SearchQuery
from tests.search.conformance.corpus import CO_TO, CORPUS, HA_LONG_BAY, SUNG_SOT


def renamed(document, title: str, version: int):
    texts = dict(document.texts)
    texts["vi"] = dataclasses.replace(texts["vi"], title=title)
    return dataclasses.replace(document, texts=texts, version=version)


def titles(backend, text: str) -> list[str]:
    return [hit.title for hit in backend.search(SearchQuery(text=text, lang="vi")).hits]


def test_a_newer_version_replaces_the_document(backend):
    backend.index([renamed(CO_TO, "Đảo Cô Tô Lớn", 2)])
    assert titles(backend, "dao co to") == ["Đảo Cô Tô Lớn"]
    assert backend.search(SearchQuery(types=frozenset({DocumentType.PLACE}))).total == 5


def test_an_older_version_arriving_late_is_ignored(backend):
    backend.index([renamed(CO_TO, "Đảo Cô Tô Lớn", 3)])
    backend.index([renamed(CO_TO, "Đảo Cô Tô Cũ", 2)])
    assert titles(backend, "dao co to") == ["Đảo Cô Tô Lớn"]
    assert titles(backend, "dao co to cu") == []


def test_a_deleted_document_is_no_longer_found(backend):
    backend.delete(DocumentType.PLACE, "co-to", 2)
    assert titles(backend, "dao co to") == []
    assert backend.suggest("dao co", "vi") == []


def test_a_deletion_older_than_the_document_is_ignored(backend):
    backend.index([renamed(CO_TO, "Đảo Cô Tô", 5)])
    backend.delete(DocumentType.PLACE, "co-to", 4)
    assert titles(backend, "dao co to") == ["Đảo Cô Tô"]


def test_a_late_older_update_does_not_resurrect_a_deleted_document(backend):
    backend.delete(DocumentType.PLACE, "co-to", 5)
    backend.index([renamed(CO_TO, "Đảo Cô Tô", 4)])
    assert titles(backend, "dao co to") == []
    backend.index([renamed(CO_TO, "Đảo Cô Tô mới", 6)])
    assert titles(backend, "dao co to") == ["Đảo Cô Tô mới"]


def test_deleting_what_was_never_indexed_is_harmless(backend):
    backend.delete(DocumentType.ARTICLE, "nothing", 1)
    assert backend.search(SearchQuery(text="ha long")).total > 0


def test_the_same_document_twice_in_one_batch_keeps_the_newest(empty_backend):
    empty_backend.index([renamed(CO_TO, "Đảo Cô Tô B", 2), renamed(CO_TO, "Đảo Cô Tô A", 1)])
    assert titles(empty_backend, "dao co to") == ["Đảo Cô Tô B"]


def test_a_rebuild_replaces_everything_and_counts_it(backend):
    assert backend.rebuild([HA_LONG_BAY, renamed(SUNG_SOT, "Hang Sửng Sốt", 1)]) == 2
    assert backend.search(SearchQuery(types=frozenset(DocumentType), limit=50)).total == 2
    assert titles(backend, "dao co to") == []
    assert titles(backend, "sung sot") == ["Hang Sửng Sốt"]
    assert [s.text for s in backend.suggest("dao co", "vi")] == []


def test_a_rebuild_of_nothing_empties_the_index(backend):
    assert backend.rebuild([]) == 0
    assert backend.search(SearchQuery(text="ha long")).total == 0


def test_searches_answer_between_rebuilds(backend):
    for _ in range(2):
        assert backend.rebuild(CORPUS) == len(CORPUS)
        assert titles(backend, "dao co to") == ["Đảo Cô Tô"]


def test_suggestions_start_from_two_letters_in_the_query_language(backend):
    assert backend.suggest("h", "en") == []
    first = backend.suggest("ha", "en")[0]
    assert (first.text, first.type, first.url) == (
        "Ha Long Bay",
        DocumentType.PLACE,
        "/en/x/ha-long-bay",
    )


def test_suggestions_fold_marks_and_the_stroke_of_d(backend):
    assert [s.text for s in backend.suggest("dao co t", "vi")] == ["Đảo Cô Tô"]
    assert [s.text for s in backend.suggest("ĐẢO CÔ", "vi")] == ["Đảo Cô Tô"]


def test_one_suggestion_per_document(backend):
    suggestions = backend.suggest("ha", "vi", limit=20)
    # Vịnh Hạ Long, Hang Sửng Sốt, Làng Hà Lòng, Carnaval Hạ Long, Mường Thanh Hạ Long.
    assert len({s.url for s in suggestions}) == len(suggestions) == 5


def test_suggestions_from_another_language_name(backend):
    suggestion = backend.suggest("下龙", "en")[0]
    assert suggestion.text == "Ha Long Bay"
    assert backend.suggest("Halo", "vi")[0].text == "Vịnh Hạ Long"


def test_suggestions_respect_the_limit(backend):
    assert len(backend.suggest("ha", "vi", limit=2)) == 2


def test_health_names_the_backend(backend):
    health = backend.health()
    assert health["status"] == "ok"
    assert health["backend"] == backend.name


def test_a_document_only_in_another_language_is_shown_in_its_original(empty_backend):
    document = dataclasses.replace(
        CO_TO, texts={"en": LocalizedText("Co To", "/en/x/co-to")}, original_lang="en"
    )
    empty_backend.index([document])
    hit = empty_backend.search(SearchQuery(text="co to", lang="vi")).hits[0]
    assert (hit.title, hit.lang, hit.url) == ("Co To", "en", "/en/x/co-to")
