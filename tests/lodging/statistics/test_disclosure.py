from typing import Any

from lodging.statistics.disclosure import is_small, protect, suppressed_positions


def test_a_figure_from_some_but_fewer_than_the_threshold_is_small() -> None:
    assert [is_small(n, 5) for n in (0, 1, 4, 5, 6)] == [False, True, True, False, False]


def test_one_small_figure_takes_the_next_smallest_with_it() -> None:
    # 12 in all: hiding the 2 alone would leave 12 - 10 = 2 to be worked out.
    assert suppressed_positions([10, 2, 0], 5) == {0, 1}
    assert suppressed_positions([30, 2, 7, 0], 5) == {1, 2}


def test_two_small_figures_hide_each_other_and_zeros_show() -> None:
    assert suppressed_positions([3, 4, 20, 0], 5) == {0, 1}
    assert suppressed_positions([0, 0, 9], 5) == set()


def test_a_lone_small_figure_with_nothing_beside_it_is_hidden_alone() -> None:
    assert suppressed_positions([3, 0], 5) == {0}


def test_two_small_figures_that_add_up_to_a_small_sum_take_a_third() -> None:
    # 1 + 2 = 3 guests between them would be worked out from the total: still too few.
    assert suppressed_positions([20, 1, 2, 9], 5) == {1, 2, 3}


def test_a_figure_hidden_above_is_never_shown_below() -> None:
    # The commune (the total here) is hidden by its own table: its establishments, all
    # large, must not add up to it, so one of them goes too.
    cells = {"commune": 30, "a": 12, "b": 18}
    assert protect(cells, [("commune", ["a", "b"])], 5, settled={"commune": True}) == {
        "commune",
        "a",
    }


def test_rows_and_columns_of_a_grid_are_protected_together() -> None:
    # Two communes over two months: hiding (x, jan) takes (x, feb) by its row and
    # (y, jan) by its column, and then (y, feb) by both.
    cells: dict[Any, int] = {("x", "jan"): 2, ("x", "feb"): 9, ("y", "jan"): 8, ("y", "feb"): 30}
    cells |= {"x": 11, "y": 38, "jan": 10, "feb": 39, "all": 49}
    groups: list[tuple[Any, list[Any]]] = [
        ("x", [("x", "jan"), ("x", "feb")]),
        ("y", [("y", "jan"), ("y", "feb")]),
        ("jan", [("x", "jan"), ("y", "jan")]),
        ("feb", [("x", "feb"), ("y", "feb")]),
        ("all", ["x", "y"]),
        ("all", ["jan", "feb"]),
    ]
    assert protect(cells, groups, 5) == {("x", "jan"), ("x", "feb"), ("y", "jan"), ("y", "feb")}
