"""``/sitemap.xml`` and ``/robots.txt``: every published page, with its real languages.

Each ``<url>`` lists, as ``xhtml:link`` alternates, every language its page really
exists in (itself included, so the cluster is reciprocal) plus ``x-default``.
A language an item lacks has no entry: its fallback page is not for search engines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue

from core.extensions import db
from core.i18n import LOCALE_CODES
from core.links import public_url_for
from portal.destinations import catalogue
from portal.destinations.models import ContentItem
from portal.destinations.presentation import item_url

bp = Blueprint("sitemap", __name__, template_folder="templates")

# Pages that exist in every language because only the interface is translated.
LIST_ENDPOINTS = (
    "destinations.home",
    "destinations.list_places",
    "destinations.list_events",
    "destinations.list_itineraries",
    "destinations.list_articles",
)


@dataclass(frozen=True)
class Entry:
    loc: str
    alternates: list[tuple[str, str]]  # (hreflang, absolute URL), x-default last
    lastmod: dt.date | None = None


def _cluster(urls: dict[str, str], default: str, lastmod: dt.date | None) -> list[Entry]:
    """One entry per language, each listing all of them: the links are reciprocal."""
    alternates = [*urls.items(), ("x-default", default)]
    return [Entry(loc=url, alternates=alternates, lastmod=lastmod) for url in urls.values()]


def _list_pages() -> list[Entry]:
    entries: list[Entry] = []
    for endpoint in LIST_ENDPOINTS:
        urls = {code: public_url_for(endpoint, lang=code) for code in LOCALE_CODES}
        default = public_url_for("root") if endpoint == "destinations.home" else urls["vi"]
        entries += _cluster(urls, default, None)
    return entries


def _item_pages(item: ContentItem) -> list[Entry]:
    urls = {code: item_url(item, code, external=True) for code in item.languages}
    default = urls.get(item.original_lang) or next(iter(urls.values()), "")
    return _cluster(urls, default, item.updated_at.date()) if urls else []


def entries() -> list[Entry]:
    found = _list_pages()
    for item in catalogue.published_items(db.session):
        found += _item_pages(item)
    return found


@bp.route("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    body = render_template("destinations/sitemap.xml", entries=entries())
    return Response(body, mimetype="application/xml")


@bp.route("/robots.txt")
def robots() -> ResponseReturnValue:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /*/admin/",
        f"Sitemap: {public_url_for('sitemap.sitemap')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")
