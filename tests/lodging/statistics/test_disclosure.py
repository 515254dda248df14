from lodging.statistics.disclosure import is_small, suppressed_positions


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
