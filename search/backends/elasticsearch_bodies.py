"""The Elasticsearch index: its settings and mapping, and the source of one document.

Pure functions building JSON bodies; nothing here talks to a cluster or imports the
client, so tests check the bodies without a server.

Every text is analysed twice or more: per language (``title.en`` with the English
stemmer, ``title.zh`` in CJK bigrams...) with a ``folded`` subfield, and all names of
every language together in ``names`` (folded: "ha long", "halong", "dao co to" find
"Hạ Long", "Đảo Cô Tô"), with an unfolded ``names.exact`` that lifts the exact
Vietnamese spelling above look-alikes, ``names.shingle`` (word pairs and triples) that
lifts phrase matches, and ``names.cjk`` (bigrams) so "下龙" finds "下龙湾".

Unicode folding does not touch đ/Đ (a letter of its own, not d plus a mark), so every
folded analyzer starts with the ``d_stroke`` char filter, whichever folding filter
follows: ``icu_folding`` when the analysis-icu plugin is installed, else the built-in
``asciifolding``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from search.documents import Facet, SearchDocument
from search.folding import fold

# The languages with their own fields; texts in others count only in ``names``/``text_all``.
LANGUAGES: dict[str, str] = {
    "vi": "exact",  # no Vietnamese analyzer exists: syllables, lower-cased, marks kept
    "en": "english",
    "fr": "french",
    "ru": "russian",
    # Built-in bigrams: no plugin to install, and a two-character query matches inside a
    # longer run ("하롱" in "하롱베이"), which dictionary tokenizers do not promise.
    "zh": "cjk_text",
    "ja": "cjk_text",
    "ko": "cjk_text",
}
TEXT_FIELDS = ("title", "summary", "body", "keywords")
LEAD_LENGTH = 300  # of a body kept for the snippet of a document without a summary
SCHEMA_VERSION = 1
MAX_SUFFIXES = 8  # words of a title a completion may start from, besides the first


def nfc(text: str) -> str:
    """Composed form: without the ICU normalizer, "a" + U+0323 must still equal "ạ"."""
    return unicodedata.normalize("NFC", text)


def doc_key(type_: str, id_: str) -> str:
    return f"{type_}:{id_}"


def analysis(*, icu: bool) -> dict[str, Any]:
    """Analyzers for the index; ``icu`` when the analysis-icu plugin is installed."""
    tokenizer = "icu_tokenizer" if icu else "standard"
    folding = ["icu_folding"] if icu else ["lowercase", "asciifolding"]
    char_filter = ["d_stroke"]
    return {
        "char_filter": {
            # Both folding filters handle đ today; the mapping keeps it so whatever the
            # filter chain, and it is what "dao co to" -> "Đảo Cô Tô" rests on.
            "d_stroke": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]},
        },
        "filter": {
            "shingle23": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 3,
                "output_unigrams": True,
            },
        },
        "analyzer": {
            "exact": {"type": "custom", "tokenizer": tokenizer, "filter": ["lowercase"]},
            "folded": {
                "type": "custom",
                "tokenizer": tokenizer,
                "char_filter": char_filter,
                "filter": folding,
            },
            "folded_shingle": {
                "type": "custom",
                "tokenizer": tokenizer,
                "char_filter": char_filter,
                "filter": [*folding, "shingle23"],
            },
            # The built-in "cjk" analyzer without its English stop words, which would
            # drop "to" from "co to" in the fields that all languages' names share.
            "cjk_text": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
            },
            # The standard tokenizer cuts CJK into single characters the same way for an
            # input and for a typed prefix; dictionary segmentation may not.
            "suggest": {
                "type": "custom",
                "tokenizer": "standard",
                "char_filter": char_filter,
                "filter": folding,
            },
        },
    }


def _text(analyzer: str, **subfields: dict[str, Any]) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "text", "analyzer": analyzer}
    if subfields:
        field["fields"] = subfields
    return field


def _per_language() -> dict[str, Any]:
    return {
        name: {
            "properties": {
                lang: _text(analyzer, folded=_text("folded"))
                for lang, analyzer in LANGUAGES.items()
            }
        }
        for name in TEXT_FIELDS
    }


def mappings(*, icu: bool) -> dict[str, Any]:
    keyword = {"type": "keyword"}
    return {
        "dynamic": "strict",
        "_meta": {"schema": SCHEMA_VERSION, "folding": "icu" if icu else "asciifolding"},
        "properties": {
            "key": keyword,
            "doc_type": keyword,
            "doc_id": keyword,
            "version": {"type": "long"},
            "deleted": {"type": "boolean"},
            # When this copy was written: a rebuild carries over what changed meanwhile.
            "indexed_at": {"type": "date"},
            "original_lang": keyword,
            "langs": keyword,
            # What a hit shows (titles, urls, summaries per language): kept, not indexed.
            "display": {"type": "object", "enabled": False},
            **_per_language(),
            "names": _text(
                "folded",
                exact=_text("exact"),
                shingle=_text("folded_shingle"),
                cjk=_text("cjk_text"),
            ),
            "text_all": _text("folded", cjk=_text("cjk_text")),
            "sort_title": keyword,
            "suggest": {
                "type": "completion",
                "analyzer": "suggest",
                "contexts": [{"name": "doc_type", "type": "category", "path": "doc_type"}],
            },
            "location": {"type": "geo_point"},
            "starts_on": {"type": "date", "format": "strict_date"},
            "ends_on": {"type": "date", "format": "strict_date"},
            "price_from": {"type": "long"},
            "facets": {"properties": {facet.value: keyword for facet in Facet}},
        },
    }


def index_body(*, icu: bool, for_bulk_load: bool = False) -> dict[str, Any]:
    """``settings`` and ``mappings`` for a new concrete index.

    A rebuild loads with refresh off and no replicas (far faster) and restores the
    defaults with ``restored_settings()`` before the alias moves.
    """
    settings: dict[str, Any] = {"analysis": analysis(icu=icu)}
    if for_bulk_load:
        settings["index"] = {"refresh_interval": "-1", "number_of_replicas": 0}
    return {"settings": settings, "mappings": mappings(icu=icu)}


def restored_settings() -> dict[str, Any]:
    # null puts a setting back to the cluster's default (1 s refresh, 1 replica).
    return {"index": {"refresh_interval": None, "number_of_replicas": None}}


def _suggest_inputs(document: SearchDocument) -> list[dict[str, Any]]:
    """Titles first, then keywords, then each title from its second word on.

    The completion suggester only completes from an input's start; the word suffixes
    let "long" complete "Vịnh Hạ Long" too, ranked below names that start with it.
    """
    titles = list(dict.fromkeys(_printable(t.title) for t in document.texts.values()))
    keywords = list(
        dict.fromkeys(_printable(k) for t in document.texts.values() for k in t.keywords)
    )
    suffixes = list(
        dict.fromkeys(
            " ".join(words[i:])
            for title in titles
            for words in [title.split()]
            for i in range(1, min(len(words), MAX_SUFFIXES + 1))
        )
    )
    return [
        {"input": [v for v in values if v], "weight": weight}
        for values, weight in ((titles, 30), (keywords, 20), (suffixes, 10))
        if any(values)
    ]


def _printable(text: str) -> str:
    # A completion input may not hold control characters (U+0000, U+001E, U+001F are
    # reserved): the whole document would be refused.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in nfc(text)).split())


def _display(document: SearchDocument) -> dict[str, Any]:
    texts = {
        lang: {
            "title": nfc(t.title),
            "url": t.url,
            "summary": nfc(t.summary),
            "lead": nfc(t.body[:LEAD_LENGTH]),
        }
        for lang, t in document.texts.items()
    }
    # The dates as given (the indexed ``ends_on`` is filled in for one-day events).
    dates = [d.isoformat() if d else None for d in (document.starts_on, document.ends_on)]
    return {"texts": texts, "starts_on": dates[0], "ends_on": dates[1]}


def _language_fields(document: SearchDocument) -> dict[str, Any]:
    fields: dict[str, Any] = {name: {} for name in TEXT_FIELDS}
    for lang, text in document.texts.items():
        if lang not in LANGUAGES:
            continue
        fields["title"][lang] = nfc(text.title)
        fields["summary"][lang] = nfc(text.summary)
        fields["body"][lang] = nfc(text.body)
        fields["keywords"][lang] = [nfc(k) for k in text.keywords]
    return fields


def document_source(document: SearchDocument, now: dt.datetime) -> dict[str, Any]:
    """What the index stores for ``document`` (its ``_id`` is ``doc_key``)."""
    texts = document.texts.values()
    ends_on = document.ends_on or document.starts_on  # a one-day event may give one date
    location = document.location
    return {
        "key": doc_key(document.type.value, document.id),
        "doc_type": document.type.value,
        "doc_id": document.id,
        "version": document.version,
        "deleted": False,
        "indexed_at": now.isoformat(),
        "original_lang": document.original_lang,
        "langs": sorted(document.texts),
        "display": _display(document),
        **_language_fields(document),
        "names": [nfc(n) for t in texts for n in (t.title, *t.keywords) if n.strip()],
        "text_all": [nfc(s) for t in texts for s in (t.summary, t.body) if s.strip()],
        # The embedded backend sorts by the original title too: same order on both.
        "sort_title": fold(document.texts[document.original_lang].title),
        "suggest": _suggest_inputs(document),
        "location": {"lat": location.lat, "lon": location.lon} if location else None,
        "starts_on": document.starts_on.isoformat() if document.starts_on else None,
        "ends_on": ends_on.isoformat() if ends_on else None,
        "price_from": document.price_from,
        "facets": {facet.value: list(v) for facet, v in document.facet_values().items()},
    }


def tombstone_source(type_: str, id_: str, version: int, now: dt.datetime) -> dict[str, Any]:
    """What stays of a deleted document: its version, so a late older write loses.

    Elasticsearch's own delete forgets the version after ``index.gc_deletes`` (60 s);
    an outbox retry may come later than that.
    """
    return {
        "key": doc_key(type_, id_),
        "doc_type": type_,
        "doc_id": id_,
        "version": version,
        "deleted": True,
        "indexed_at": now.isoformat(),
    }


# External versions: Elasticsearch refuses (409) a write whose version is below the
# stored one. "_gte" because the interface ignores only *older* versions: a document
# written again at its own version replaces itself, and a delete at the version indexed
# deletes, as in the embedded backend.
VERSION_TYPE = "external_gte"


def source_action(
    index: str, source: dict[str, Any], version_type: str = VERSION_TYPE
) -> dict[str, Any]:
    """A bulk ``index`` action for a stored ``source``, refused if a newer one is stored."""
    return {
        "_op_type": "index",
        "_index": index,
        "_id": source["key"],
        "_version": source["version"],
        "_version_type": version_type,
        "_source": source,
    }


def carry_over_action(index: str, source: dict[str, Any]) -> dict[str, Any]:
    """Copy a live document into a rebuilt index only if strictly newer than its copy.

    At an equal version the rebuild's own copy (read from the database) wins.
    """
    return source_action(index, source, "external")


def write_action(index: str, document: SearchDocument, now: dt.datetime) -> dict[str, Any]:
    return source_action(index, document_source(document, now))


def delete_action(
    index: str, type_: str, id_: str, version: int, now: dt.datetime
) -> dict[str, Any]:
    """The document's tombstone in its place, unless a newer version is stored."""
    return source_action(index, tombstone_source(type_, id_, version, now))


def changed_since(since: dt.datetime) -> dict[str, Any]:
    """Documents (and tombstones) written to an index since ``since``."""
    return {"range": {"indexed_at": {"gte": since.isoformat()}}}


def alias_swap_actions(alias: str, old: list[str], new: str) -> list[dict[str, Any]]:
    """One ``_aliases`` request moving ``alias`` to ``new``: applied atomically."""
    removes = [{"remove": {"index": index, "alias": alias}} for index in old]
    return [*removes, {"add": {"index": new, "alias": alias, "is_write_index": True}}]
