"""The embedded backend's snippets: where a word is found in a text as written.

The finder matches each letter against every character that folds to it, so the text
is never folded. It must find the same place as folding the text one character at a
time and searching the folded word, which is what it replaced.
"""

from __future__ import annotations

import random

import pytest

from search.backends import embedded_query as q
from search.folding import fold

WORDS = (
    "Hạ Long", "ha long", "Đảo", "dao", "Cô Tô", "co to", "ĐẢO", "Sửng Sốt", "sung sot",
    "Fansipan", "Bắc Hà", "bac ha", "chợ", "cho", "phiên", "hang", "Hàng", "đá", "da",
    "Ngũ", "ngu", "x2", "_id", "ß", "Ελλάδα", "ελλαδα", "Москва", "下龙湾", "龙", "–", "Ω",
)  # fmt: skip


def _reference(text: str, token: q.Token) -> int:
    """Where ``token`` starts a word of ``text``, folding one character at a time."""
    folded = "".join(fold(ch)[:1] or ch for ch in text)
    if token.cjk:
        return folded.find(token.folded)
    index = folded.find(token.folded)
    while index >= 0:
        if index == 0 or not folded[index - 1].isalnum():
            return index
        index = folded.find(token.folded, index + 1)
    return -1


@pytest.mark.parametrize("seed", range(6))
def test_a_word_is_found_where_folding_the_text_finds_it(seed: int) -> None:
    draw = random.Random(seed)
    for _ in range(300):
        text = " ".join(draw.choices(WORDS, k=draw.randint(1, 12)))
        text = draw.choice((text, text.replace(" ", ""), text.upper(), text + "."))
        for token in q.tokens(draw.choice(WORDS)):
            pattern = q._word_pattern(token.folded, token.cjk)
            found = pattern.search(text)
            assert (found.start() if found else -1) == _reference(text, token), (text, token)


def test_the_snippet_starts_at_a_word_before_the_match() -> None:
    text = " ".join(["Một ngày thăm vịnh và các đảo nhỏ."] * 8) + " Cuối cùng là Hang Sửng Sốt."

    shown, matched = q.snippet(text, q.tokens("sung sot"))

    assert matched
    assert "Sửng Sốt" in shown
    assert shown.startswith("…")
    assert not shown.startswith("… ")
    assert len(shown) <= q.SNIPPET_LENGTH + 2
