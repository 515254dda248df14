import pytest
from hypothesis import given
from hypothesis import strategies as st

from search.folding import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Hạ Long", "ha long"),
        ("Đảo Cô Tô", "dao co to"),
        ("đường Trần Hưng Đạo", "duong tran hung dao"),
        ("Chợ phiên Bắc Hà", "cho phien bac ha"),
        ("Thác Bạc", "thac bac"),
        ("Fansipan", "fansipan"),
        ("下龙湾", "下龙湾"),  # no marks to strip: CJK stays as it is
        ("하롱베이", "하롱베이"),  # Hangul syllables are not split into jamo
    ],
)
def test_fold_removes_every_vietnamese_mark_including_the_stroke_of_d(text, folded):
    assert fold(text) == folded


def test_decomposed_and_composed_input_fold_the_same():
    composed = "Hạ Long"
    decomposed = "Ha\u0323 Long"
    assert fold(composed) == fold(decomposed) == "ha long"


@given(st.text())
def test_folding_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ "
)


@given(st.text(alphabet=VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()))
def test_folded_vietnamese_is_plain_ascii(text):
    assert fold(text).isascii()
