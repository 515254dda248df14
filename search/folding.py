"""Vietnamese-aware folding: what "ha long" and "Hạ Long" have in common.

Unicode decomposition strips the tone and vowel marks (ạ → a, ô → o), but đ/Đ is a
letter of its own, not d plus a mark, so it never decomposes: every diacritics-
insensitive index here must fold it by hand, or "dao co to" misses "Đảo Cô Tô".
The embedded backend stores a folded copy of each text and folds the query the same
way; the Elasticsearch mapping does the same with icu_folding.
"""

from __future__ import annotations

import unicodedata

_LETTERS_WITHOUT_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Lower-case ``text`` without tone marks, vowel marks or the stroke of đ."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS_WITHOUT_DECOMPOSITION))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()
