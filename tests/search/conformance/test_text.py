"""Finding documents by what a tourist types: folding, ranking, languages, snippets."""

from __future__ import annotations

import pytest

from search.documents import DocumentType, SearchBackend, SearchQuery
from tests.search.conformance.corpus import doc
from tests.search.conformance.corpus import text as localized


def ids(backend: SearchBackend, text: str, lang: str = "vi", **kw: object) -> list[str]:
    result = backend.search(SearchQuery(text=text, lang=lang, **kw))  # type: ignore[arg-type]
    return [hit.id for hit in result.hits]


def test_a_query_without_marks_finds_the_vietnamese_name(backend):
    assert "ha-long-bay" in ids(backend, "ha long")
    assert "sung-sot" in ids(backend, "hang sung sot")


def test_d_without_its_stroke_finds_d_with_it(backend):
    assert ids(backend, "dao co to") == ["co-to"]
    assert ids(backend, "DAO CO TO") == ["co-to"]


def test_the_exact_vietnamese_spelling_ranks_first(backend):
    places = frozenset({DocumentType.PLACE})
    assert ids(backend, "Hạ Long", types=places)[0] == "ha-long-bay"
    assert ids(backend, "Hà Lòng", types=places)[0] == "ha-long-village"
    # Both are found whichever spelling is typed: only the order changes.
    assert {"ha-long-bay", "ha-long-village"} <= set(ids(backend, "Hà Lòng", types=places))


def test_a_name_ranks_above_a_mention_in_a_summary(backend):
    found = ids(backend, "ha long", types=frozenset({DocumentType.PLACE}))
    assert found.index("ha-long-bay") < found.index("sung-sot")


def test_a_name_in_another_language_finds_the_same_place_shown_in_the_query_language(backend):
    result = backend.search(SearchQuery(text="Halong Bay", lang="vi"))
    assert result.hits[0].id == "ha-long-bay"
    assert result.hits[0].title == "Vịnh Hạ Long"
    assert result.hits[0].url == "/vi/x/vinh-ha-long"
    assert result.hits[0].lang == "vi"


@pytest.mark.parametrize("typed", ["下龙湾", "下龙", "龙湾"])
def test_a_chinese_name_is_found_from_part_of_it(backend, typed):
    hits = backend.search(SearchQuery(text=typed, lang="zh")).hits
    assert [hit.id for hit in hits] == ["ha-long-bay"]
    assert hits[0].title == "下龙湾"


def test_a_korean_prefix_finds_the_korean_name(backend):
    assert ids(backend, "하롱", lang="ko") == ["ha-long-bay"]


def test_a_language_the_document_lacks_falls_back_to_its_original(backend):
    hit = backend.search(SearchQuery(text="co to", lang="ko")).hits[0]
    assert (hit.id, hit.title, hit.lang) == ("co-to", "Đảo Cô Tô", "vi")


def test_one_box_finds_places_events_and_lodgings(backend):
    hits = backend.search(SearchQuery(text="ha long", lang="en", limit=50)).hits
    assert {hit.type for hit in hits} == {
        DocumentType.PLACE,
        DocumentType.EVENT,
        DocumentType.LODGING,
    }


def test_an_english_word_finds_every_place_it_names(backend):
    assert set(ids(backend, "cave", lang="en")) == {"sung-sot", "ta-phin-cave"}


def test_every_word_must_match(backend):
    assert ids(backend, "cave sa pa", lang="en") == ["ta-phin-cave"]


def test_the_snippet_is_plain_text_around_the_match(empty_backend):
    body = "Một câu mở bài dài. " * 30 + "Ở cuối có <b>Hang Đầu Gỗ</b> rất đẹp."
    empty_backend.index(
        [doc(DocumentType.PLACE, "dau-go", {"vi": localized("Hang", "vi", "hang", body=body)})]
    )
    hit = empty_backend.search(SearchQuery(text="dau go", lang="vi")).hits[0]
    assert "Đầu Gỗ" in hit.snippet
    assert len(hit.snippet) < 300
    assert hit.snippet.startswith("…")


def test_a_hit_shows_the_summary_when_it_matched_the_name(backend):
    hit = backend.search(SearchQuery(text="co to island", lang="en")).hits[0]
    assert hit.snippet == "An island of white sand beaches."


HOSTILE = [
    '"',
    '"""',
    "*",
    "ha*",
    "NEAR(ha long)",
    "NEAR",
    "(",
    ")",
    "-long",
    "ha -long",
    "AND",
    "OR NOT",
    '"ha" * long',
    "^ha",
    "ha:long",
    "{names}: ha",
    "names:ha",
    "'",
    "; DROP TABLE docs; --",
    "\\",
    "\x00",
    "a" * 2000,
    "ha " * 200,
    '下龙" OR "',
    "+",
    "ha + long",
    "[ha]",
]


@pytest.mark.parametrize("typed", HOSTILE)
def test_no_input_breaks_the_query(backend, typed):
    result = backend.search(SearchQuery(text=typed, lang="vi"))
    assert result.total == len(result.hits) or result.total > len(result.hits)
    backend.suggest(typed, "vi")  # no exception either


@pytest.mark.parametrize("typed", ['"ha long"', "ha-long", "(ha long)", "ha:long", "*ha* long*"])
def test_operators_typed_around_words_are_ignored(backend, typed):
    assert "ha-long-bay" in ids(backend, typed)


def test_the_index_still_answers_after_hostile_input(backend):
    backend.search(SearchQuery(text="; DROP TABLE docs; --"))
    assert ids(backend, "dao co to") == ["co-to"]
