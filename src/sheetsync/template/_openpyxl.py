"""Everything sheetsync does with openpyxl's internals, in one place.

- ``formulas_shared``: formulas filled down a column, written once, as OOXML shared
  formulas. It swaps a cell's ``_value`` for an ``ArrayFormula``/``DataTableFormula``
  subclass whose attributes openpyxl's writer gives to the ``<f>`` element, walking
  ``Worksheet._cells``.
- ``copy_style``: a cell takes another cell's (or a column's) whole style, protection and
  number format included, by its ``_style`` (the style-array openpyxl shares by index);
  the template's unlocked input columns and its styled formula columns are made this way.
- ``default_font``: the workbook's Normal font (the one every unstyled cell shows and
  column widths are counted in), set in ``Workbook._fonts`` (index 0) and the Normal style.

They were written for and tested with the openpyxl versions in ``TESTED`` (pyproject.toml
pins the same range); an upgrade past them is a change to this one file and its tests
(tests/template/test_shared_formulas.py, tests/template/test_library_internals.py).

Shared formulas: a prepared column of the template repeats one formula down 60 or 100 rows,
shifted a row at a time. Written cell by cell that is most of a sheet's bytes, and every
reader of a district's file (sheetsync's own, every month, for every district) pays to skip
it. As a shared formula it is written once, at the top of its run, and each cell below names
only the formula it shares; Excel writes filled-down formulas the same way, and LibreOffice,
Google Sheets and openpyxl read them back as the formulas they stand for. A cell joins a run
only when its formula is exactly the run's first formula moved to it (openpyxl's
``Translator``), so sharing never changes what a cell computes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from typing import Any

import openpyxl
from openpyxl import Workbook
from openpyxl.formula.translate import Translator
from openpyxl.styles import Font
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

TESTED = ((3, 1), (3, 2))  # openpyxl versions from 3.1 up to (not including) 3.2


def version() -> tuple[int, int]:
    """The installed openpyxl's (major, minor)."""
    major, minor = openpyxl.__version__.split(".")[:2]
    return int(major), int(minor)


def default_font(wb: Workbook, font: Font) -> None:
    """Make ``font`` the Normal font of a new, still unstyled ``wb``."""
    wb._fonts = IndexedList([font])
    wb._named_styles["Normal"].font = copy(font)


def copy_style(cell: Any, source: Any) -> None:
    """Give ``cell`` the whole style of ``source`` (a cell or a column dimension)."""
    cell._style = copy(source._style)

# openpyxl's writer gives an ArrayFormula's attributes and text to the <f> element, and a
# DataTableFormula's attributes with no text; these two say "shared" instead.


class _Anchor(ArrayFormula):
    """The first cell of a run: the formula's text, the run's range and its index."""

    def __init__(self, ref: str, text: str, si: int) -> None:
        super().__init__(ref, text)
        self.si = si

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield from (("t", "shared"), ("ref", self.ref), ("si", str(self.si)))


class _Follower(DataTableFormula):
    """A cell further down the run: only the index of the formula it shares."""

    def __init__(self, si: int) -> None:
        super().__init__(ref=None)
        self.si = si

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield from (("t", "shared"), ("si", str(self.si)))


@contextmanager
def formulas_shared(wb: Workbook) -> Iterator[None]:
    """While inside, ``wb`` saves each run of filled-down formulas as one shared formula;
    afterwards its cells hold their own formulas again."""
    swapped: list[tuple[Any, str]] = []
    try:
        for ws in wb.worksheets:
            _share(ws, swapped)
        yield
    finally:
        for cell, text in swapped:
            cell._value = text


def _share(ws: Worksheet, swapped: list[tuple[Any, str]]) -> None:
    columns: dict[int, list[Any]] = {}
    for (_, c), cell in sorted(ws._cells.items()):
        if cell.data_type == "f" and isinstance(cell._value, str):
            columns.setdefault(c, []).append(cell)
    si = 0
    for cells in columns.values():
        i = 0
        while i < len(cells):
            anchor = cells[i]
            moved = Translator(anchor._value, origin=anchor.coordinate)
            run = [anchor]
            for cell in cells[i + 1:]:
                if cell.row != run[-1].row + 1 or \
                        moved.translate_formula(cell.coordinate) != cell._value:
                    break
                run.append(cell)
            if len(run) > 1:
                ref = f"{anchor.coordinate}:{run[-1].coordinate}"
                swapped += [(cell, cell._value) for cell in run]
                anchor._value = _Anchor(ref, anchor._value, si)
                for cell in run[1:]:
                    cell._value = _Follower(si)
                si += 1
            i += len(run)
