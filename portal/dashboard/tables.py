"""The figures of one dashboard view as a table, with small cells suppressed.

Every chart, export and API answer of the department is built from a ``Table``:
one row per period or group, the columns it shows, and per row the number of
guests behind it. A row from fewer than ``min_cell`` guests shows no figure drawn
from guests (its capacity still shows), so nobody can be singled out from a
published number. Which rows are suppressed, primary and secondary, is decided by
``lodging.statistics.disclosure`` for every page, file and API answer at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from flask_babel import LazyString

Value = int | float | str | None


class Kind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    PERCENT = "percent"
    DECIMAL = "decimal"
    MONEY = "money"


@dataclass(frozen=True)
class Column:
    key: str
    label: LazyString | str
    kind: Kind = Kind.COUNT
    # Capacity (rooms, bed places) says nothing about guests: never suppressed.
    from_guests: bool = True


@dataclass(frozen=True)
class Row:
    values: dict[str, Value]
    guests: int  # how many guests the row's figures come from
    suppressed: bool = False
    link: str | None = None  # the drill-down, when there is one
    key: str | int | None = None  # the group's code (a commune's, a country's)


@dataclass(frozen=True)
class Table:
    title: LazyString | str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    min_cell: int = 5
    notes: tuple[str, ...] = field(default=())

    @property
    def any_suppressed(self) -> bool:
        return any(row.suppressed for row in self.rows)

    def cell(self, row: Row, column: Column) -> Value:
        """The value to show, or ``None`` where it is suppressed."""
        if row.suppressed and column.from_guests:
            return None
        return row.values.get(column.key)


def suppress(rows: Sequence[Row], hidden: Sequence[bool]) -> tuple[Row, ...]:
    """Mark the rows the small-cell rule hides (``disclosure`` decides which)."""
    return tuple(replace(row, suppressed=shut) for row, shut in zip(rows, hidden, strict=True))


def suppressed_text(min_cell: int) -> str:
    """What a suppressed cell reads, in a page and in a file: ``<5``."""
    return f"<{min_cell}"
