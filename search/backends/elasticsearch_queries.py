"""From a ``SearchQuery`` to an Elasticsearch ``_search`` body, and back to a result.

Pure functions (no client). The ranking mirrors the embedded backend's: every word
must match somewhere (a name in any language, folded or not, or the query language's
texts, or any text folded); names weigh far more than summaries, summaries more than
bodies; the unfolded spelling and whole phrases add a bonus, so "Hạ Long" ranks "Vịnh
Hạ Long" above "Hà Long" though "ha long" finds both.

Facets follow the multi-select rule: the selections filter the hits in ``post_filter``,
and each facet's counts come from a ``filter`` aggregation holding every selection but
its own, so a chosen value's siblings keep their counts.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from search.backends.elasticsearch_bodies import LANGUAGES, nfc
from search.documents import (
    DocumentType,
    Facet,
    FacetCount,
    GeoPoint,
    Hit,
    SearchQuery,
    SearchResult,
    Suggestion,
)

WORD = re.compile(r"\w+")
MAX_WORDS = 16  # a pasted paragraph is not a query
MAX_WINDOW = 10_000  # Elasticsearch's default index.max_result_window
MAX_PREFIX = 100  # characters of a prefix worth completing
FACET_SIZE = 200  # distinct values counted per facet (communes of a province fit)
SNIPPET_LENGTH = 180
# Highlight markers no text contains: stripped, so the snippet is plain text.
_MARK_OPEN, _MARK_CLOSE = "\u0002", "\u0003"
_MARKS = re.compile(f"[{_MARK_OPEN}{_MARK_CLOSE}]")
LIVE = {"term": {"deleted": False}}  # tombstones keep versions, never show
HIT_SOURCE = ("doc_type", "doc_id", "original_lang", "display")


def _language_fields(lang: str) -> list[str]:
    if lang not in LANGUAGES:
        return []
    return [
        f"title.{lang}^6",
        f"keywords.{lang}^5",
        f"summary.{lang}^2",
        f"body.{lang}",
        f"title.{lang}.folded^3",
        f"keywords.{lang}.folded^3",
        f"summary.{lang}.folded",
        f"body.{lang}.folded^0.5",
    ]


def text_query(text: str, lang: str) -> dict[str, Any]:
    """Every word in one field at least; bonuses for exact spelling and phrases."""
    alternatives: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": text,
                "type": "most_fields",
                "operator": "and",
                "fields": ["names.exact^10", "names^5", "names.cjk^5"],
            }
        },
        {
            "multi_match": {
                "query": text,
                "type": "most_fields",
                "operator": "and",
                "fields": ["text_all^0.5", "text_all.cjk^0.5"],
            }
        },
    ]
    if lang in LANGUAGES:
        alternatives.append(
            {
                "multi_match": {
                    "query": text,
                    "type": "most_fields",
                    "operator": "and",
                    "fields": _language_fields(lang),
                }
            }
        )
    return {
        "bool": {
            "must": [{"bool": {"should": alternatives, "minimum_should_match": 1}}],
            "should": [
                {"match_phrase": {"names.exact": {"query": text, "boost": 8}}},
                {"match": {"names.shingle": {"query": text, "boost": 3}}},
            ],
        }
    }


def base_filters(query: SearchQuery) -> list[dict[str, Any]]:
    """Everything but the facet selections (and types): map area, near + radius, dates."""
    filters: list[dict[str, Any]] = [LIVE]
    if query.bbox:
        box = query.bbox
        # A west edge east of the east edge crosses the antimeridian; ES handles it.
        filters.append(
            {
                "geo_bounding_box": {
                    "location": {
                        "top_left": {"lat": box.north, "lon": box.west},
                        "bottom_right": {"lat": box.south, "lon": box.east},
                    }
                }
            }
        )
    if query.near and query.radius_km is not None:
        filters.append(
            {
                "geo_distance": {
                    "distance": f"{query.radius_km}km",
                    "location": {"lat": query.near.lat, "lon": query.near.lon},
                }
            }
        )
    if query.date_from:  # overlap: the event ends on or after the first day asked ...
        filters.append({"range": {"ends_on": {"gte": query.date_from.isoformat()}}})
    if query.date_to:  # ... and starts on or before the last one
        filters.append({"range": {"starts_on": {"lte": query.date_to.isoformat()}}})
    return filters


def facet_filters(query: SearchQuery, skip: Facet | None = None) -> list[dict[str, Any]]:
    """The selections (OR within a facet, AND across facets), except ``skip``'s own.

    The query's ``types`` count as a selection of the type facet (as in the embedded
    backend): the other types keep their counts once one is chosen.
    """
    chosen: list[dict[str, Any]] = []
    if query.types and skip is not Facet.TYPE:
        chosen.append({"terms": {"doc_type": sorted(t.value for t in query.types)}})
    chosen.extend(
        {"terms": {f"facets.{facet.value}": sorted(values)}}
        for facet, values in sorted(query.filters.items())
        if values and facet is not skip
    )
    return chosen


def aggregations(query: SearchQuery) -> dict[str, Any]:
    return {
        facet.value: {
            "filter": {"bool": {"filter": facet_filters(query, skip=facet)}},
            "aggs": {
                "values": {
                    "terms": {
                        "field": f"facets.{facet.value}",
                        "size": FACET_SIZE,
                        "order": [{"_count": "desc"}, {"_key": "asc"}],
                    }
                }
            },
        }
        for facet in Facet
    }


def sort(query: SearchQuery) -> list[Any]:
    """By relevance with text; without: by distance (near), else date, then title."""
    by_title = [{"sort_title": {"order": "asc"}}, {"key": {"order": "asc"}}]
    if words(query.text):
        return [{"_score": {"order": "desc"}}, *by_title]
    if query.near:
        near = {"lat": query.near.lat, "lon": query.near.lon}
        # Documents without a location sort last (their distance counts as infinite).
        return [{"_geo_distance": {"location": near, "order": "asc", "unit": "km"}}, *by_title]
    return [{"starts_on": {"order": "asc", "missing": "_last"}}, *by_title]


def _texts_for_snippets(lang: str) -> list[str]:
    # Where a highlighted fragment sits in its text decides the "…" around it.
    return [f"summary.{lang}", f"body.{lang}"] if lang in LANGUAGES else []


def highlight_fields(lang: str) -> list[str]:
    return [f"summary.{lang}", f"summary.{lang}.folded", f"body.{lang}", f"body.{lang}.folded"]


def highlight(query: SearchQuery) -> dict[str, Any] | None:
    if not words(query.text) or query.lang not in LANGUAGES:
        return None
    fields = highlight_fields(query.lang)
    return {
        "pre_tags": [_MARK_OPEN],
        "post_tags": [_MARK_CLOSE],
        # The words matched in ``names`` (folded) mark the summary as well.
        "require_field_match": False,
        "fragment_size": SNIPPET_LENGTH,
        "number_of_fragments": 1,
        "fields": {field: {} for field in fields},
    }


def words(text: str) -> str:
    """The words typed, without punctuation (what both backends search for)."""
    return " ".join(WORD.findall(nfc(text))[:MAX_WORDS])


def nothing_to_search(query: SearchQuery) -> bool:
    """Only punctuation typed ("***") and no filter: no hits, no request."""
    return bool(query.text.strip()) and not words(query.text) and not query.has_filter


def search_body(query: SearchQuery) -> dict[str, Any]:
    """Keyword arguments for ``Elasticsearch.search``."""
    text = words(query.text)
    scoring: dict[str, Any] = text_query(text, query.lang) if text else {"match_all": {}}
    body: dict[str, Any] = {
        "query": {"bool": {"must": [scoring], "filter": base_filters(query)}},
        "aggs": aggregations(query),
        "sort": sort(query),
        # Past index.max_result_window Elasticsearch refuses the page: answer it empty
        # (with the total and the facets) as the embedded backend does.
        "from_": min(max(query.offset, 0), MAX_WINDOW),
        "size": max(0, min(query.limit, MAX_WINDOW - min(max(query.offset, 0), MAX_WINDOW))),
        "track_total_hits": True,
        "source": [*HIT_SOURCE, "location", *_texts_for_snippets(query.lang)],
    }
    chosen = facet_filters(query)
    if chosen:
        body["post_filter"] = {"bool": {"filter": chosen}}
    marks = highlight(query)
    if marks:
        body["highlight"] = marks
    return body


def _display_for(source: dict[str, Any], lang: str) -> tuple[str, dict[str, Any]]:
    texts: dict[str, Any] = source["display"]["texts"]
    if lang in texts:
        return lang, texts[lang]
    original: str = source["original_lang"]
    return original, texts[original]


def _snippet(hit: dict[str, Any], shown: dict[str, Any], lang: str) -> str:
    """The first highlighted fragment (summary before body), else the summary's start."""
    marked = hit.get("highlight", {})
    for field in highlight_fields(lang):
        if marked.get(field):
            fragment = _MARKS.sub("", marked[field][0])
            whole = hit["_source"].get(field.split(".")[0], {}).get(lang, "")
            return _in_context(fragment, whole)
    text = " ".join((shown.get("summary") or shown.get("lead") or "").split())
    if len(text) <= SNIPPET_LENGTH:
        return text
    cut = text[:SNIPPET_LENGTH]
    space = cut.rfind(" ")
    return (cut[:space] if space > SNIPPET_LENGTH // 2 else cut).rstrip(" ,.;:") + "…"


def _in_context(fragment: str, whole: str) -> str:
    """``fragment`` with "…" where ``whole`` goes on before or after it."""
    start = whole.find(fragment)
    before = "…" if start > 0 else ""
    after = "…" if start >= 0 and whole[start + len(fragment) :].strip() else ""
    return before + " ".join(fragment.split()) + after


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def to_hit(hit: dict[str, Any], query: SearchQuery) -> Hit:
    source: dict[str, Any] = hit["_source"]
    lang, shown = _display_for(source, query.lang)
    point = source.get("location")
    location = GeoPoint(point["lat"], point["lon"]) if point else None
    # Haversine over the stored point, as the embedded backend does: the same figure on
    # both, whether or not the hits were sorted by distance.
    distance = query.near.distance_km(location) if query.near and location else None
    return Hit(
        type=DocumentType(source["doc_type"]),
        id=source["doc_id"],
        title=shown["title"],
        url=shown["url"],
        snippet=_snippet(hit, shown, query.lang),
        lang=lang,
        location=location,
        distance_km=distance,
        starts_on=_date(source["display"].get("starts_on")),
        ends_on=_date(source["display"].get("ends_on")),
    )


EMPTY = SearchResult(total=0, hits=(), facets=dict.fromkeys(Facet, ()))


def to_result(response: dict[str, Any], query: SearchQuery) -> SearchResult:
    hits = response["hits"]
    facets = {
        facet: [
            FacetCount(bucket["key"], bucket["doc_count"])
            for bucket in response.get("aggregations", {})
            .get(facet.value, {})
            .get("values", {})
            .get("buckets", [])
        ]
        for facet in Facet
    }
    return SearchResult(
        total=hits["total"]["value"],
        hits=[to_hit(hit, query) for hit in hits["hits"]],
        facets=facets,
    )


def can_suggest(prefix: str) -> bool:
    """From two letters (punctuation does not count)."""
    return len(words(prefix).replace(" ", "")) >= 2


def suggest_body(prefix: str, limit: int) -> dict[str, Any]:
    """Keyword arguments for ``Elasticsearch.search`` asking only for completions.

    More than ``limit`` are asked for: ``to_suggestions`` re-ranks equal weights by
    the query's language before cutting.
    """
    return {
        "size": 0,
        "source": list(HIT_SOURCE),
        "suggest": {
            "names": {
                "prefix": words(prefix)[:MAX_PREFIX],
                "completion": {
                    "field": "suggest",
                    "size": max(limit * 4, 20),
                    # A context-enabled field must be asked with contexts: every type.
                    "contexts": {"doc_type": [t.value for t in DocumentType]},
                },
            }
        },
    }


def to_suggestions(response: dict[str, Any], lang: str, limit: int) -> list[Suggestion]:
    """One suggestion per document, titled in ``lang`` (else the original language).

    Order: the weight of the name that matched (titles, then keywords, then a title's
    inner words), then names in ``lang`` first, as the embedded backend ranks them.
    """
    ranked: dict[str, tuple[tuple[float, bool, str], Suggestion]] = {}
    for entry in response.get("suggest", {}).get("names", []):
        for option in entry.get("options", []):
            source = option["_source"]
            key = f"{source['doc_type']}:{source['doc_id']}"
            shown_lang, shown = _display_for(source, lang)
            in_lang = shown_lang == lang and option.get("text") == shown["title"]
            rank = (-float(option.get("_score", 0)), not in_lang, key)
            suggestion = Suggestion(shown["title"], DocumentType(source["doc_type"]), shown["url"])
            # One completion per document comes back already; this guards against shards.
            if key not in ranked or rank < ranked[key][0]:
                ranked[key] = (rank, suggestion)
    return [suggestion for _, suggestion in sorted(ranked.values())][:limit]
