"""The small-cell rule: which figures the tourism department may see, and which it may not.

Primary: a figure drawn from fewer than ``min_cell`` guests, but from some, is suppressed;
"nobody came" identifies nobody, so zeros show. Secondary: when exactly one figure of a set
that adds up to a published total is suppressed, the next smallest is suppressed too, or the
total minus the others would give it away. Every page, file and API answer that the
department sees takes its suppression from here.
"""

from __future__ import annotations

from collections.abc import Sequence


def is_small(guests: int, min_cell: int) -> bool:
    """A figure from this many guests is suppressed (primary suppression)."""
    return 0 < guests < min_cell


def suppressed_positions(guests: Sequence[int], min_cell: int) -> set[int]:
    """The positions to suppress among figures that add up to a published total."""
    small = [i for i, count in enumerate(guests) if is_small(count, min_cell)]
    marked = set(small)
    if len(small) == 1:
        others = [i for i, count in enumerate(guests) if i not in marked and count > 0]
        if others:
            marked.add(min(others, key=lambda i: guests[i]))
    return marked
