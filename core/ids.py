"""Row ids as clients send them: in a URL, a JSON body or a query string.

The keys are ``INTEGER`` columns: 64-bit on SQLite but 32-bit on PostgreSQL, so an
id names a row only from 1 to 2^31 - 1. A larger number cannot name one, and handing
it to the database raises (``OverflowError`` from sqlite3 beyond 2^63 - 1,
``NumericValueOutOfRange`` from PostgreSQL beyond 2^31 - 1). Every id is bounded where
it enters: ``<int:…>`` in a route is :class:`RowIdConverter` (registered app-wide under
that name, so an id out of range matches no route: 404), API models declare ids as
:data:`RowId` (422, and the OpenAPI document states the range), query strings read
them with :func:`row_id`.
"""

from __future__ import annotations

from typing import Annotated

from flask import Flask
from pydantic import Field
from werkzeug.routing import IntegerConverter, Map

MAX_ROW_ID = 2**31 - 1  # PostgreSQL's INTEGER; SQLite's holds more
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


def digits_up_to(limit: int) -> str:
    """A regular expression for the decimal numbers 1 to ``limit``, no leading zeros."""
    top = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(top) - 2}}}"
    # As long as ``limit``: its first i digits, a smaller next digit, then any digits.
    same_length = [
        f"{top[:i]}[{1 if i == 0 else 0}-{int(digit) - 1}][0-9]{{{len(top) - i - 1}}}"
        for i, digit in enumerate(top)
        if int(digit) > (1 if i == 0 else 0)
    ]
    return "|".join([shorter, *same_length, top])


class RowIdConverter(IntegerConverter):
    """``<int:name>``: the digits of 1 to ``MAX_ROW_ID``; anything else matches no route.

    The range is in the regular expression, not only in ``to_python``: Werkzeug
    checks a rule's methods before converting, so a value refused only on
    conversion would be a 405 on one of two rules sharing a path (GET and PATCH
    ``/stays/<int:id>``) instead of the 404 every other route gives.
    """

    regex = digits_up_to(MAX_ROW_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def row_id(raw: str) -> int:
    """A row id read from a query string or a form: ``type=row_id`` in ``args.get``.

    Raises ``ValueError`` (which ``args.get`` turns into its default) for anything
    but the digits of 1 to ``MAX_ROW_ID``.
    """
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_ROW_ID)):
        raise ValueError(raw)
    number = int(value)
    if not 1 <= number <= MAX_ROW_ID:
        raise ValueError(raw)
    return number


def init_app(app: Flask) -> None:
    """Make ``<int:…>`` the bounded converter; call before any route is added."""
    app.url_map.converters["int"] = RowIdConverter
