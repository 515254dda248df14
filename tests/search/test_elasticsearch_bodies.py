"""The Elasticsearch request bodies, checked without a cluster (they are pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from search.backends.elasticsearch_bodies import (
    LANGUAGES,
    alias_swap_actions,
    analysis,
    delete_action,
    document_source,
    index_body,
    mappings,
    write_action,
)
from search.backends.elasticsearch_queries import (
    aggregations,
    can_suggest,
    search_body,
    suggest_body,
    to_result,
    to_suggestions,
)
from search.documents import BoundingBox, DocumentType, Facet, FacetCount, GeoPoint, SearchQuery
from tests.search.conformance.corpus import CARNAVAL, HA_LONG_BAY, SA_PA, SA_PA_RESORT, SUNG_SOT

NOW = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


# -- the index ---------------------------------------------------------------------


@pytest.mark.parametrize("icu", [True, False])
def test_every_folded_analyzer_maps_d_with_stroke_to_d(icu):
    settings = analysis(icu=icu)
    assert settings["char_filter"]["d_stroke"] == {
        "type": "mapping",
        "mappings": ["đ => d", "Đ => D"],
    }
    for name in ("folded", "folded_shingle", "suggest"):
        assert settings["analyzer"][name]["char_filter"] == ["d_stroke"]


def test_with_the_icu_plugin_text_is_folded_by_icu():
    analyzers = analysis(icu=True)["analyzer"]
    assert analyzers["folded"]["tokenizer"] == "icu_tokenizer"
    assert analyzers["folded"]["filter"] == ["icu_folding"]
    assert analyzers["folded_shingle"]["filter"] == ["icu_folding", "shingle23"]


def test_without_the_plugin_only_built_in_filters_are_used():
    analyzers = analysis(icu=False)["analyzer"]
    used = {f for a in analyzers.values() for f in a.get("filter", [])}
    used |= {a["tokenizer"] for a in analyzers.values()}
    assert not any(name.startswith("icu") for name in used)
    assert analyzers["folded"]["filter"] == ["lowercase", "asciifolding"]
    assert mappings(icu=False)["_meta"]["folding"] == "asciifolding"


def test_the_exact_names_keep_their_marks():
    names = mappings(icu=True)["properties"]["names"]
    assert names["analyzer"] == "folded"
    assert names["fields"]["exact"]["analyzer"] == "exact"
    assert analysis(icu=True)["analyzer"]["exact"]["filter"] == ["lowercase"]
    assert names["fields"]["shingle"]["analyzer"] == "folded_shingle"


def test_every_language_has_its_text_fields_with_a_folded_copy():
    properties = mappings(icu=True)["properties"]
    for name in ("title", "summary", "body", "keywords"):
        assert set(properties[name]["properties"]) == {"vi", "en", "zh", "ko", "ja", "fr", "ru"}
        for lang, field in properties[name]["properties"].items():
            assert field["analyzer"] == LANGUAGES[lang]
            assert field["fields"]["folded"]["analyzer"] == "folded"


def test_the_mapping_holds_a_keyword_per_facet_geo_dates_version_and_suggestions():
    properties = mappings(icu=True)["properties"]
    assert set(properties["facets"]["properties"]) == {facet.value for facet in Facet}
    assert all(f["type"] == "keyword" for f in properties["facets"]["properties"].values())
    assert properties["location"]["type"] == "geo_point"
    assert properties["starts_on"]["type"] == properties["ends_on"]["type"] == "date"
    assert properties["version"]["type"] == "long"
    assert properties["suggest"]["type"] == "completion"
    assert properties["suggest"]["contexts"][0]["path"] == "doc_type"


def test_a_rebuild_loads_without_refresh_or_replicas():
    body = index_body(icu=True, for_bulk_load=True)
    assert body["settings"]["index"] == {"refresh_interval": "-1", "number_of_replicas": 0}
    assert "index" not in index_body(icu=True)["settings"]


# -- documents ---------------------------------------------------------------------


def test_a_document_is_found_by_the_names_of_all_its_languages():
    source = document_source(HA_LONG_BAY, NOW)
    assert {"Vịnh Hạ Long", "Ha Long Bay", "Halong Bay", "下龙湾", "하롱베이"} <= set(
        source["names"]
    )
    assert source["title"]["zh"] == "下龙湾"
    assert source["keywords"]["en"] == ["Halong Bay"]
    assert source["sort_title"] == "vinh ha long"


def test_titles_suggest_before_keywords_and_inner_words():
    inputs = document_source(HA_LONG_BAY, NOW)["suggest"]
    weights = {text: entry["weight"] for entry in inputs for text in entry["input"]}
    assert weights["Vịnh Hạ Long"] > weights["Halong Bay"] > weights["Hạ Long"]
    assert "Long" in weights  # "long" completes "Vịnh Hạ Long" too


def test_a_one_day_event_is_filtered_by_its_day_but_shows_its_dates_as_given():
    one_day = CARNAVAL.__class__(**{**CARNAVAL.__dict__, "ends_on": None})
    source = document_source(one_day, NOW)
    assert source["ends_on"] == "2025-04-30"
    assert source["display"]["ends_on"] is None


def test_a_lodging_counts_under_each_of_its_facet_values():
    facets = document_source(SA_PA_RESORT, NOW)["facets"]
    assert facets["amenities"] == ["pool", "spa", "wifi"]
    assert facets["stars"] == ["5"]
    assert facets["price_band"] == ["2m-plus"]


def test_writes_carry_the_documents_version_as_an_external_version():
    action = write_action("portal-search", HA_LONG_BAY, NOW)
    assert action["_id"] == "place:ha-long-bay"
    assert (action["_version"], action["_version_type"]) == (1, "external_gte")


def test_a_delete_leaves_a_versioned_tombstone():
    action = delete_action("portal-search", "place", "co-to", 42, NOW)
    assert action["_version"] == 42
    assert action["_version_type"] == "external_gte"
    assert action["_source"]["deleted"] is True
    assert "names" not in action["_source"]  # nothing left to find


def test_the_alias_moves_in_one_request_removing_every_old_index():
    actions = alias_swap_actions("p-search", ["p-search-0", "p-search-1"], "p-search-2")
    assert actions == [
        {"remove": {"index": "p-search-0", "alias": "p-search"}},
        {"remove": {"index": "p-search-1", "alias": "p-search"}},
        {"add": {"index": "p-search-2", "alias": "p-search", "is_write_index": True}},
    ]


# -- queries -----------------------------------------------------------------------


def _terms(clauses):
    return [c["terms"] for c in clauses if "terms" in c]


def test_a_selection_filters_the_hits_but_not_its_own_facets_counts():
    query = SearchQuery(
        types=frozenset({DocumentType.LODGING}),
        filters={Facet.AMENITIES: frozenset({"pool"}), Facet.STARS: frozenset({"5", "4"})},
    )
    body = search_body(query)
    assert _terms(body["post_filter"]["bool"]["filter"]) == [
        {"doc_type": ["lodging"]},
        {"facets.amenities": ["pool"]},
        {"facets.stars": ["4", "5"]},
    ]
    aggs = body["aggs"]
    assert _terms(aggs["amenities"]["filter"]["bool"]["filter"]) == [
        {"doc_type": ["lodging"]},
        {"facets.stars": ["4", "5"]},
    ]
    assert _terms(aggs["type"]["filter"]["bool"]["filter"]) == [
        {"facets.amenities": ["pool"]},
        {"facets.stars": ["4", "5"]},
    ]
    assert aggs["amenities"]["aggs"]["values"]["terms"]["field"] == "facets.amenities"
    # The selections never narrow the query the aggregations count over.
    assert not _terms(body["query"]["bool"]["filter"])


def test_without_selections_there_is_no_post_filter_and_every_facet_is_counted():
    body = search_body(SearchQuery(text="ha long"))
    assert "post_filter" not in body
    assert set(aggregations(SearchQuery())) == {facet.value for facet in Facet}


def test_map_area_radius_and_dates_filter_the_query():
    query = SearchQuery(
        bbox=BoundingBox(20.5, 106.5, 21.7, 108.1),
        near=SA_PA,
        radius_km=10,
        date_from=dt.date(2025, 4, 30),
        date_to=dt.date(2025, 5, 1),
    )
    filters = search_body(query)["query"]["bool"]["filter"]
    assert {"term": {"deleted": False}} in filters
    box = next(f["geo_bounding_box"]["location"] for f in filters if "geo_bounding_box" in f)
    assert box == {
        "top_left": {"lat": 21.7, "lon": 106.5},
        "bottom_right": {"lat": 20.5, "lon": 108.1},
    }
    circle = next(f["geo_distance"] for f in filters if "geo_distance" in f)
    assert circle["distance"] == "10km"
    assert {"range": {"ends_on": {"gte": "2025-04-30"}}} in filters
    assert {"range": {"starts_on": {"lte": "2025-05-01"}}} in filters


def test_without_text_near_me_sorts_by_distance_else_by_date_then_title():
    by_distance = search_body(SearchQuery(near=SA_PA))["sort"]
    assert by_distance[0]["_geo_distance"]["location"] == {"lat": SA_PA.lat, "lon": SA_PA.lon}
    by_date = search_body(SearchQuery(types=frozenset({DocumentType.EVENT})))["sort"]
    assert [next(iter(s)) for s in by_date] == ["starts_on", "sort_title", "key"]
    by_score = search_body(SearchQuery(text="ha long", near=SA_PA))["sort"]
    assert next(iter(by_score[0])) == "_score"


def test_the_text_needs_every_word_and_lifts_the_exact_spelling():
    query = search_body(SearchQuery(text="Hạ Long", lang="en"))["query"]["bool"]["must"][0]
    alternatives = query["bool"]["must"][0]["bool"]["should"]
    assert all(a["multi_match"]["operator"] == "and" for a in alternatives)
    assert any("title.en^6" in a["multi_match"]["fields"] for a in alternatives)
    bonus = query["bool"]["should"]
    assert {"match_phrase": {"names.exact": {"query": "Hạ Long", "boost": 8}}} in bonus


def test_operators_typed_are_dropped_and_pages_map_to_from_and_size():
    body = search_body(SearchQuery(text='"ha" -long* (NEAR)', limit=7, offset=14))
    must = body["query"]["bool"]["must"][0]["bool"]["should"]
    assert must[0]["match_phrase"]["names.exact"]["query"] == "ha long NEAR"
    assert (body["from_"], body["size"]) == (14, 7)


def _hit(source, highlight=None):
    return {"_source": source, "highlight": highlight or {}}


def test_a_response_becomes_hits_in_the_query_language_with_distances_and_facets():
    source = document_source(HA_LONG_BAY, NOW)
    near = GeoPoint(20.95, 107.08)
    response = {
        "hits": {"total": {"value": 1}, "hits": [_hit(source)]},
        "aggregations": {"type": {"values": {"buckets": [{"key": "place", "doc_count": 1}]}}},
    }
    result = to_result(response, SearchQuery(text="ha long", lang="fr", near=near))
    hit = result.hits[0]
    assert (hit.title, hit.lang, hit.url) == ("Vịnh Hạ Long", "vi", "/vi/x/vinh-ha-long")
    assert HA_LONG_BAY.location is not None
    assert hit.distance_km == pytest.approx(near.distance_km(HA_LONG_BAY.location))
    assert result.facets[Facet.TYPE] == [FacetCount("place", 1)]
    assert result.facets[Facet.STARS] == []


def test_a_highlighted_fragment_becomes_plain_text_with_ellipses():
    body = "Một câu mở bài dài. " * 10 + "Ở cuối có <b>Hang Đầu Gỗ</b> rất đẹp. Hết."
    source = {
        **document_source(HA_LONG_BAY, NOW),
        "body": {"vi": body},
    }
    marked = {"body.vi.folded": ["Ở cuối có <b>Hang \u0002Đầu\u0003 \u0002Gỗ\u0003</b> rất đẹp."]}
    response = {"hits": {"total": {"value": 1}, "hits": [_hit(source, marked)]}}
    hit = to_result(response, SearchQuery(text="dau go")).hits[0]
    assert hit.snippet == "…Ở cuối có <b>Hang Đầu Gỗ</b> rất đẹp.…"


def test_without_a_highlight_the_snippet_is_the_summary():
    response = {"hits": {"total": {"value": 1}, "hits": [_hit(document_source(HA_LONG_BAY, NOW))]}}
    hit = to_result(response, SearchQuery(types=frozenset({DocumentType.PLACE}), lang="en")).hits[0]
    assert hit.snippet == "A World Heritage bay with nearly 2,000 limestone islands."


def test_suggestions_are_asked_in_every_type_and_come_once_per_document():
    body = suggest_body("  ha lo!", 5)
    completion = body["suggest"]["names"]
    assert completion["prefix"] == "ha lo"
    assert completion["completion"]["contexts"]["doc_type"] == [t.value for t in DocumentType]
    source = document_source(HA_LONG_BAY, NOW)
    options = [{"_source": source}, {"_source": source}]
    suggestions = to_suggestions({"suggest": {"names": [{"options": options}]}}, "ko", 5)
    assert [(s.text, s.url) for s in suggestions] == [("하롱베이", "/ko/x/halong-bay")]


@pytest.mark.parametrize(
    ("typed", "ok"), [("h", False), ("h.", False), ("ha", True), ("下龙", True)]
)
def test_suggestions_start_at_two_letters(typed, ok):
    assert can_suggest(typed) is ok


def test_equal_weights_rank_the_query_languages_title_first():
    bay, cave = document_source(HA_LONG_BAY, NOW), document_source(SUNG_SOT, NOW)
    options = [
        {"_source": cave, "_score": 30, "text": "Hang Sửng Sốt"},
        {"_source": bay, "_score": 30, "text": "Ha Long Bay"},
    ]
    response = {"suggest": {"names": [{"options": options}]}}
    assert [s.text for s in to_suggestions(response, "en", 1)] == ["Ha Long Bay"]
    assert [s.text for s in to_suggestions(response, "vi", 2)] == ["Hang Sửng Sốt", "Vịnh Hạ Long"]


def test_a_page_beyond_the_result_window_asks_for_no_hits():
    body = search_body(SearchQuery(text="ha", offset=20_000))
    assert (body["from_"], body["size"]) == (10_000, 0)


def test_control_characters_never_reach_a_completion_input():
    title = "Bãi\x1fCháy\x00"
    document = HA_LONG_BAY.__class__(
        type=DocumentType.PLACE,
        id="bai-chay",
        version=1,
        texts={"vi": HA_LONG_BAY.texts["vi"].__class__(title=title, url="/vi/x/bai-chay")},
    )
    inputs = [
        text for entry in document_source(document, NOW)["suggest"] for text in entry["input"]
    ]
    assert inputs == ["Bãi Cháy", "Cháy"]
