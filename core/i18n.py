"""Languages: the locale lives in the URL (``/vi/…``), and ``/`` picks one.

Every page endpoint takes a ``lang`` URL value through the ``locale`` converter,
so an unknown prefix never matches a route and answers 404. The value is moved
into ``g.lang`` before the view runs and put back by ``url_for`` automatically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, request, url_for
from flask_babel import format_currency, get_locale
from werkzeug.routing import BaseConverter, Map

LANG_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str


LANGUAGES: tuple[Language, ...] = (
    Language("vi", "Tiếng Việt"),
    Language("en", "English"),
    Language("zh", "中文"),
    Language("ko", "한국어"),
    Language("ja", "日本語"),
    Language("fr", "Français"),
    Language("ru", "Русский"),
)
LOCALE_CODES: tuple[str, ...] = tuple(lang.code for lang in LANGUAGES)
# Catalogs that must be complete; the others may fall back to English.
REQUIRED_LOCALES: tuple[str, ...] = ("vi", "en")


class LocaleConverter(BaseConverter):
    """Matches only the language codes the portal speaks."""

    def __init__(self, url_map: Map, *codes: str) -> None:
        super().__init__(url_map)
        self.regex = "|".join(codes or LOCALE_CODES)


def best_locale(saved: str | None, default: str) -> str:
    """The saved choice if it is one we speak, else Accept-Language, else the default."""
    if saved in LOCALE_CODES:
        return str(saved)
    return request.accept_languages.best_match(LOCALE_CODES) or default


def saved_locale() -> str | None:
    return request.cookies.get(LANG_COOKIE)


def select_locale() -> str:
    """The URL's language; for a URL no route matched, its prefix if we speak it."""
    lang = g.get("lang")
    if lang:
        return str(lang)
    if not request:
        return "vi"
    prefix = request.path.strip("/").split("/", 1)[0]
    if prefix == "api":
        # API clients say what they want per request; a browser's saved choice is not it.
        return best_locale(None, "vi")
    return prefix if prefix in LOCALE_CODES else best_locale(saved_locale(), "vi")


def _pull_lang(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "lang" in values:
        g.lang = values.pop("lang")


def _push_lang(app: Flask) -> Any:
    def push(endpoint: str, values: dict[str, Any]) -> None:
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = g.get("lang") or select_locale()

    return push


def _remember_choice(response: Any) -> Any:
    lang = g.get("lang")
    if lang and request.cookies.get(LANG_COOKIE) != lang and response.mimetype == "text/html":
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def alternates() -> list[tuple[str, dict[str, Any]]]:
    """The (language, url_for arguments) pairs under which this page also exists.

    Views whose content exists only in some languages set ``g.page_languages``;
    a page translated only through the interface catalogs exists in all of them.
    Views whose URL changes with the language (translated slugs) set
    ``g.page_alternate_args`` instead: ``{lang: url_for arguments}`` for each
    language the page really exists in.
    """
    if request.endpoint is None or not request.url_rule or "lang" not in request.url_rule.arguments:
        return []
    per_language: dict[str, dict[str, Any]] | None = g.get("page_alternate_args")
    if per_language is not None:
        return [
            (code, {**per_language[code], "lang": code})
            for code in LOCALE_CODES
            if code in per_language
        ]
    codes = list(g.get("page_languages", LOCALE_CODES))
    view_args = dict(request.view_args or {})
    return [(code, {**_kept_query(), **view_args, "lang": code}) for code in codes]


def _kept_query() -> dict[str, str]:
    """The query string the other languages' links keep: none on a signed-in page.

    What a signed-in page's query string holds may be a name or a document number
    somebody typed (or an old link): the portal never copies it into a URL it builds.
    """
    view = current_app.view_functions.get(str(request.endpoint))
    if getattr(view, "page_roles", None) is not None:
        return {}
    return request.args.to_dict()


def current_language() -> Language:
    code = str(get_locale() or "vi")
    return next((lang for lang in LANGUAGES if lang.code == code), LANGUAGES[0])


def language_links() -> list[tuple[Language, str]]:
    """The switcher's links: this page in each language it exists in, else each home page."""
    found = dict(alternates())
    if not found:
        home = current_app.config["HOME_ENDPOINT"]
        return [(lang, url_for(home, lang=lang.code)) for lang in LANGUAGES]
    endpoint = str(request.endpoint)
    return [
        (lang, url_for(endpoint, **found[lang.code])) for lang in LANGUAGES if lang.code in found
    ]


def format_money(amount: int, currency: str = "VND") -> str:
    """Money is an integer in minor units; VND has none, so 1250000 is 1.250.000 ₫."""
    return str(format_currency(amount, currency))


def init_app(app: Flask) -> None:
    app.url_map.converters["locale"] = LocaleConverter
    app.url_value_preprocessor(_pull_lang)
    app.url_defaults(_push_lang(app))
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(
        page_alternates=alternates,
        language_links=language_links,
        current_language=current_language,
        format_money=format_money,
    )
