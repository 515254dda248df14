import pytest

from lodging.properties.forms import room_numbers


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("101, 102, 103", ["101", "102", "103"]),
        ("101-105", ["101", "102", "103", "104", "105"]),
        ("101 - 103; 201", ["101", "102", "103", "201"]),
        ("01-03", ["01", "02", "03"]),
        ("A1-A3 B7", ["A1", "A2", "A3", "B7"]),
        ("P1–P2", ["P1", "P2"]),
        ("B-12", ["B-12"]),
        ("  ", []),
    ],
)
def test_room_numbers_from_lists_and_ranges(text, numbers):
    assert room_numbers(text) == numbers


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("110-101", "A range goes from the lower number to the higher"),
        ("1-1000", "Add at most 300 rooms at once."),
        ("x" * 21, "A room number has at most 20 characters."),
    ],
)
def test_room_numbers_that_cannot_be_right(app, text, message):
    with app.test_request_context("/en/"), pytest.raises(ValueError, match=message):
        room_numbers(text)
