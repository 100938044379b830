"""A1 addresses, in one place: column letters and numbers, cells, ranges, sheet names.

Columns are numbered from 1 (A is 1), as spreadsheets and openpyxl number them; rows too.
Pure Python, so the reader, the Excel functions and the Google code need no openpyxl.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@cache
def column_letter(n: int) -> str:
    """1 -> 'A', 27 -> 'AA' (what openpyxl's get_column_letter does)."""
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@cache
def column_index(letters: str) -> int:
    """'A' -> 1, 'AA' -> 27: the inverse of ``column_letter``."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def split_cell(cell: str) -> tuple[str, int]:
    """'B7' -> ('B', 7); '$B$7' too. Raises ValueError for anything else."""
    m = _CELL.match(cell)
    if not m:
        raise ValueError(f"{cell!r} is not a cell address like B7")
    return m.group(1).upper(), int(m.group(2))


def cell(column: int, row: int) -> str:
    """(2, 7) -> 'B7'."""
    return f"{column_letter(column)}{row}"


def absolute(cell_address: str) -> str:
    """'B7' -> '$B$7'."""
    letters, row = split_cell(cell_address)
    return f"${letters}${row}"


def cell_range(first: str, last: str) -> str:
    """('A1', 'B40') -> 'A1:B40'."""
    return f"{first}:{last}"


def value_at(rows: list[list[Any]], cell_address: str) -> Any:
    """The value at ``cell_address`` in a grid of rows (row 1 first); None outside it."""
    letters, row = split_cell(cell_address)
    r, c = row - 1, column_index(letters) - 1
    if r < len(rows) and c < len(rows[r]):
        return rows[r][c]
    return None


def quoted(title: str) -> str:
    """A sheet name as a reference writes it: 'It''s' -> \"'It''s'\"."""
    return "'" + title.replace("'", "''") + "'"


def on_sheet(title: str, address: str) -> str:
    """'Measures', 'A1:B4' -> \"'Measures'!A1:B4\"."""
    return f"{quoted(title)}!{address}"


__all__ = [
    "absolute", "cell", "cell_range", "column_index", "column_letter", "on_sheet", "quoted",
    "split_cell", "value_at",
]
