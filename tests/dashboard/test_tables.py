"""Small cells are suppressed, and the one a total would give away with them."""

from __future__ import annotations

from lodging.statistics.disclosure import suppressed_positions
from portal.dashboard.figures import chart
from portal.dashboard.tables import Column, Row, Table
from portal.dashboard.tables import suppress as mark


def rows(*guests: int) -> list[Row]:
    return [Row(values={"n": g}, guests=g) for g in guests]


def suppress(found: list[Row], min_cell: int) -> tuple[Row, ...]:
    hidden = suppressed_positions([row.guests for row in found], min_cell)
    return mark(found, [i in hidden for i in range(len(found))])


def test_rows_from_fewer_than_the_threshold_are_suppressed():
    marked = suppress(rows(2, 3, 40, 50), 5)
    assert [row.suppressed for row in marked] == [True, True, False, False]


def test_a_lone_small_row_takes_the_next_smallest_with_it():
    marked = suppress(rows(50, 1, 7, 9), 5)
    assert [row.suppressed for row in marked] == [False, True, True, False]


def test_rows_without_guests_show_their_zeros():
    marked = suppress(rows(0, 0, 12), 5)
    assert not any(row.suppressed for row in marked)


def test_capacity_shows_in_a_suppressed_row_but_guest_figures_do_not():
    table = Table(
        title="t",
        columns=(Column("nights", "Nights"), Column("rooms", "Rooms", from_guests=False)),
        rows=(Row(values={"nights": 3, "rooms": 90}, guests=2, suppressed=True),),
    )
    row = table.rows[0]
    assert table.cell(row, table.columns[0]) is None
    assert table.cell(row, table.columns[1]) == 90


def test_a_chart_of_suppressed_rows_only_says_it_has_no_data():
    columns = (Column("period", "Period"), Column("nights", "Nights"))
    hidden = Table(
        "t", columns, (Row(values={"period": "2026-01", "nights": 3}, guests=2, suppressed=True),)
    )
    shown = Table("t", columns, (Row(values={"period": "2026-01", "nights": 0}, guests=0),))
    assert chart(hidden, ["nights"])["empty"] is True
    assert chart(shown, ["nights"])["empty"] is False  # zeros are figures: a flat line
