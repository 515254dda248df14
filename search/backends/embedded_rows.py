"""What the embedded backend stores for one document, as pure functions (no SQLite).

Its text columns, facet rows, search and sort columns, suggestion names and a JSON copy
of the whole document.

Every text is kept twice: as written (NFC) and folded with ``search.folding.fold``, so
"dao co to" matches the folded copy of "Đảo Cô Tô" while "Đảo Cô Tô" also matches the
raw copy and ranks above look-alikes. CJK runs are kept a third time with their
characters spaced out: unicode61 makes one token of a whole run ("下龙湾"), and the
spaced copy lets "下龙" (or "龙湾") match as a phrase of characters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from search.documents import DocumentType, GeoPoint, LocalizedText, SearchDocument
from search.folding import fold

# Han, kana, Hangul (syllables and jamo): scripts written without spaces between words.
CJK_RUN = re.compile(
    "[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+"
)
# The FTS5 table's columns, in order; BM25_WEIGHTS gives each its weight.
FTS_COLUMNS = (
    "names",
    "names_folded",
    "summary",
    "summary_folded",
    "body",
    "body_folded",
    "names_cjk",
    "text_cjk",
)
# Names (titles and keywords, in every language) far above summaries, above bodies; the
# raw copies above the folded ones, so the exact Vietnamese spelling ranks first.
BM25_WEIGHTS = (10.0, 5.0, 2.0, 1.0, 0.5, 0.25, 5.0, 0.5)
RAW_COLUMNS = ("names", "summary", "body")
FOLDED_COLUMNS = ("names_folded", "summary_folded", "body_folded")
CJK_COLUMNS = ("names_cjk", "text_cjk")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def spaced_cjk(text: str) -> str:
    """The CJK characters of ``text``, one per token ("下龙湾 bay" -> "下 龙 湾")."""
    return " ".join(" ".join(run) for run in CJK_RUN.findall(text))


def key_of(type_: DocumentType | str, id_: str) -> str:
    return f"{DocumentType(type_).value}:{id_}"


def names_of(document: SearchDocument) -> list[str]:
    """Every title and keyword of the document, in every language it has."""
    names: list[str] = []
    for text in document.texts.values():
        names.append(text.title)
        names.extend(text.keywords)
    return [normalize(name) for name in names if name.strip()]


def fts_values(document: SearchDocument) -> tuple[str, ...]:
    """The FTS5 columns' values, in ``FTS_COLUMNS`` order."""
    names = "\n".join(names_of(document))
    summary = "\n".join(normalize(t.summary) for t in document.texts.values())
    body = "\n".join(normalize(t.body) for t in document.texts.values())
    return (
        names,
        fold(names),
        summary,
        fold(summary),
        body,
        fold(body),
        spaced_cjk(names),
        spaced_cjk(f"{summary}\n{body}"),
    )


def facet_rows(document: SearchDocument) -> list[tuple[str, str]]:
    return [
        (facet.value, value)
        for facet, values in document.facet_values().items()
        for value in dict.fromkeys(values)
    ]


@dataclass(frozen=True)
class SuggestName:
    """One name a tourist may be typing. ``rank``: 0 a title in its language, 1 a keyword."""

    lang: str
    rank: int
    text: str

    @property
    def indexed(self) -> str:
        folded = fold(self.text)
        cjk = spaced_cjk(folded)
        return f"{folded} {cjk}" if cjk else folded


def suggest_names(document: SearchDocument) -> list[SuggestName]:
    names: list[SuggestName] = []
    for lang, text in document.texts.items():
        names.append(SuggestName(lang, 0, normalize(text.title)))
        names.extend(SuggestName(lang, 1, normalize(k)) for k in text.keywords if k.strip())
    return names


def sort_title(document: SearchDocument) -> str:
    return fold(document.texts[document.original_lang].title)


def encode(document: SearchDocument) -> str:
    """The whole document as JSON: what hits are shown from, and what a rebuild restores."""
    return json.dumps(
        {
            "type": document.type.value,
            "id": document.id,
            "version": document.version,
            "original_lang": document.original_lang,
            "texts": {
                lang: {
                    "title": t.title,
                    "url": t.url,
                    "summary": t.summary,
                    "body": t.body,
                    "keywords": list(t.keywords),
                }
                for lang, t in document.texts.items()
            },
            "location": [document.location.lat, document.location.lon]
            if document.location
            else None,
            "commune": document.commune,
            "category": document.category,
            "stars": document.stars,
            "amenities": list(document.amenities),
            "price_from": document.price_from,
            "starts_on": _iso(document.starts_on),
            "ends_on": _iso(document.ends_on),
        },
        ensure_ascii=False,
    )


def decode(data: str) -> SearchDocument:
    raw: dict[str, Any] = json.loads(data)
    location = raw["location"]
    return SearchDocument(
        type=DocumentType(raw["type"]),
        id=raw["id"],
        version=raw["version"],
        original_lang=raw["original_lang"],
        texts={lang: _text(t) for lang, t in raw["texts"].items()},
        location=GeoPoint(location[0], location[1]) if location else None,
        commune=raw["commune"],
        category=raw["category"],
        stars=raw["stars"],
        amenities=tuple(raw["amenities"]),
        price_from=raw["price_from"],
        starts_on=_date(raw["starts_on"]),
        ends_on=_date(raw["ends_on"]),
    )


def _text(stored: dict[str, Any]) -> LocalizedText:
    return LocalizedText(
        title=stored["title"],
        url=stored["url"],
        summary=stored["summary"],
        body=stored["body"],
        keywords=tuple(stored["keywords"]),
    )


@dataclass(frozen=True)
class Shown:
    """What a hit shows of a stored document, in one language (see ``shown``)."""

    type: DocumentType
    id: str
    lang: str
    text: LocalizedText
    location: GeoPoint | None
    starts_on: dt.date | None
    ends_on: dt.date | None


def shown(data: str, lang: str) -> Shown:
    """A stored document's texts in ``lang``, or in its original language if it has none.

    As ``decode(data).text_for(lang)`` without building the other languages' texts: a
    page of hits is decoded on every search.
    """
    raw: dict[str, Any] = json.loads(data)
    texts = raw["texts"]
    lang = lang if lang in texts else raw["original_lang"]
    location = raw["location"]
    return Shown(
        type=DocumentType(raw["type"]),
        id=raw["id"],
        lang=lang,
        text=_text(texts[lang]),
        location=GeoPoint(location[0], location[1]) if location else None,
        starts_on=_date(raw["starts_on"]),
        ends_on=_date(raw["ends_on"]),
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def doc_row(document: SearchDocument) -> dict[str, Any]:
    """The ``docs`` table's row (without its rowid): what searches test and sort on.

    Not the stored document (``encode``): that goes to a table of its own, read only
    for the hits shown, so a filter over thousands of matches reads small rows.
    """
    # A one-day event may come with only starts_on: it ends the day it starts.
    ends_on = document.ends_on or document.starts_on
    return {
        "key": key_of(document.type, document.id),
        "type": document.type.value,
        "version": document.version,
        "lat": document.location.lat if document.location else None,
        "lon": document.location.lon if document.location else None,
        "starts_on": _iso(document.starts_on),
        "ends_on": _iso(ends_on),
        "sort_title": sort_title(document),
    }


def unique_documents(documents: Iterable[SearchDocument]) -> dict[str, SearchDocument]:
    """One document per key, the newest version winning."""
    newest: dict[str, SearchDocument] = {}
    for document in documents:
        key = key_of(document.type, document.id)
        if key not in newest or newest[key].version <= document.version:
            newest[key] = document
    return newest
