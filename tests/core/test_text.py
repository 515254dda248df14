"""Free text about people: every script a passport carries, nothing that hides."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

from core.text import PersonalText, UnsafeTextError, clean_text, multiline_filter, text_filter


@pytest.mark.parametrize(
    "name",
    [
        "Nguyễn Thị Ánh",
        "Đặng Văn Ơn",
        "KIM MIN-JUN",
        "김민준",
        "山田 太郎",
        "Иван Петров",
        "Ελένη Παπαδοπούλου",
        "محمد رضا",
        "مهسا\u200cامینی",  # Persian: a zero-width non-joiner inside the word
        "देवनागरी",  # Devanagari vowel signs are combining marks
        "O'Brien-Smith",
        "สมชาย ใจดี",
    ],
)
def test_names_in_every_script_are_kept_as_written(name):
    assert clean_text(name) == name


def test_a_name_typed_with_separate_tone_marks_is_kept_composed():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Văn Ơn")
    assert decomposed != "Nguyễn Văn Ơn"
    assert clean_text(decomposed) == "Nguyễn Văn Ơn"


def test_spaces_are_tidied():
    assert clean_text("  Nguyễn \u00a0 Văn\u3000Hùng ") == "Nguyễn Văn Hùng"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nguyễn\x00Văn", "U+0000"),
        ("Nguyễn\x1bVăn", "U+001B"),
        ("Nguyễn\x85Văn", "U+0085"),  # a C1 control
        ("Nguyễn\x7f", "U+007F"),
        ("\u202eNguyễn", "reverses the text's direction"),
        ("Nguyễn\u2067Văn\u2069", "reverses the text's direction"),
        ("\u200fNguyễn", "reverses the text's direction"),
        ("\ufeff", "U+FEFF"),
        ("Nguyễn\u2028Văn", "U+2028"),
        ("Nguyễn\ue000", "U+E000"),
        ("Nguyễn\r\nVăn", "one line"),
        ("Nguyễn\nVăn", "one line"),
        ("\u3164", "shows nothing"),  # a Hangul filler: a "letter" that draws nothing
        ("\u200d", "shows nothing"),
        ("\u0301", "shows nothing"),  # a combining mark on nothing
    ],
)
def test_controls_bidi_overrides_and_invisible_text_are_refused(text, message):
    with pytest.raises(UnsafeTextError) as refused:
        clean_text(text)
    assert message in str(refused.value.message)


def test_notes_keep_their_line_breaks_but_not_other_controls():
    assert clean_text("Phòng 101\r\n  tầng 2 \rgần thang máy", multiline=True) == (
        "Phòng 101\ntầng 2\ngần thang máy"
    )
    with pytest.raises(UnsafeTextError):
        clean_text("Phòng\x00101", multiline=True)


def test_empty_text_stays_empty():
    assert clean_text("   ") == ""


class _Form(Form):
    name = StringField(filters=[text_filter])
    note = TextAreaField(filters=[multiline_filter])


def test_a_form_field_shows_the_refusal_and_keeps_clean_text_composed(app):
    with app.test_request_context("/en/"):
        form = _Form(MultiDict({"name": "\u202eNguyễn", "note": "a\r\nb"}))
        assert not form.validate()
        assert "reverses" in str(form.name.errors[0])
        assert form.note.data == "a\nb"
        clean = _Form(MultiDict({"name": unicodedata.normalize("NFD", "Ánh")}))
        assert clean.validate()
        assert clean.name.data == "Ánh"


class _Body(BaseModel):
    name: PersonalText


def test_an_api_field_refuses_with_its_own_message(app):
    with app.test_request_context("/api/v1/"):
        assert _Body(name=unicodedata.normalize("NFD", "Ánh")).name == "Ánh"
        with pytest.raises(ValidationError) as refused:
            _Body(name="Ánh\x00")
        error = refused.value.errors()[0]
        assert (error["type"], error["loc"]) == ("portal", ("name",))
        assert "U+0000" in error["msg"]
