"""Free text a person types about people: kept only if every character can be seen.

Names, addresses, booking names and notes are shown to staff and sent to the police.
A NUL cuts a name short in the receiver's C code, CR/LF splits a header or a CSV row,
and a right-to-left override (U+202E) makes "Nguyễn" display as something else than
what is stored. ``clean_text`` refuses those and keeps every script a passport can
carry: letters of any alphabet, combining marks (Vietnamese tones typed as separate
marks, Devanagari vowel signs), and the zero-width (non-)joiners Persian and Indic
names need. What it keeps is NFC, so one name has one spelling in storage.

One rule, three doors: the domain calls ``clean_text`` itself, WTForms fields use
``text_filter`` (a filter's ``ValueError`` becomes the field's error) and API schemas
annotate fields with ``PersonalText`` (a 422 naming the field).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

# Explicit embeddings, overrides and isolates, and the marks that steer them: they
# change how the rest of a line displays (Trojan Source, CVE-2021-42574).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Format characters some scripts need inside a word: ZWNJ (Persian), ZWJ (Indic).
JOINERS = frozenset("\u200c\u200d")
# Letters and symbols that draw nothing; alone they make a name no one can read.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories never typed in a name: controls, surrogates, private use, line and
# paragraph separators (format characters are refused apart from the joiners).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Zl", "Zp"})
_VISIBLE_CATEGORIES = frozenset("LNPS")


class UnsafeTextError(ValueError):
    """Text with a character that must not be stored, or with nothing visible in it."""

    def __init__(self, message: LazyString) -> None:
        super().__init__(message)
        self.message = message


def _refused(char: str, *, multiline: bool) -> bool:
    if multiline and char in "\n\t":
        return False
    if char in BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    return category in _REFUSED_CATEGORIES or (category == "Cf" and char not in JOINERS)


def _visible(char: str) -> bool:
    return unicodedata.category(char)[0] in _VISIBLE_CATEGORIES and char not in BLANK_LETTERS


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC with its spaces tidied, or ``UnsafeTextError``.

    A single line has its runs of spaces collapsed to one; ``multiline`` text (notes,
    reasons) keeps its line breaks (CR LF and CR become LF) and tabs, and loses the
    spaces at the ends of each line. Empty text stays empty: whether a field is
    required is the caller's rule.
    """
    text = unicodedata.normalize("NFC", value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for char in text:
        if _refused(char, multiline=multiline):
            raise UnsafeTextError(_refusal(char, multiline=multiline))
    if text.strip() and not any(_visible(char) for char in text):
        raise UnsafeTextError(_l("Type letters or digits: this text shows nothing."))
    if multiline:
        return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    return " ".join(text.split())


def _refusal(char: str, *, multiline: bool) -> LazyString:
    if char in "\r\n" and not multiline:
        return _l("Write this on one line: line breaks are not allowed here.")
    if char in BIDI_CONTROLS:
        return _l("Remove the invisible character that reverses the text's direction.")
    return _l(
        "Remove the invisible character U+%(code)s: it cannot be stored.",
        code=f"{ord(char):04X}",
    )


def _form_filter(value: Any, *, multiline: bool) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return clean_text(value, multiline=multiline)
    except UnsafeTextError as exc:
        raise ValueError(exc.message) from None


def text_filter(value: Any) -> Any:
    """A WTForms filter for one line of text; its message shows on the field."""
    return _form_filter(value, multiline=False)


def multiline_filter(value: Any) -> Any:
    """A WTForms filter for notes and reasons: line breaks and tabs are kept."""
    return _form_filter(value, multiline=True)


def _pydantic_clean(value: str) -> str:
    try:
        return clean_text(value)
    except UnsafeTextError as exc:
        # "portal": the API's error table passes our own (translated) message on.
        raise PydanticCustomError("portal", str(exc.message)) from None


# A JSON string field that holds a person's name or another line shown to people.
PersonalText = Annotated[str, AfterValidator(_pydantic_clean)]
