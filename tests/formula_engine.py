"""A second formula engine for the tests: the ``formulas`` package (Excel's semantics, written
in Python, nothing of LibreOffice's).

``calculate(path)`` loads a workbook the template wrote, as ``formulas`` reads it
(``ExcelModel().loads(path).finish()``: cells, shared formulas, defined names such as AsOf,
PeriodEnds and BlankWords), computes every formula, and gives the computed cells back by
sheet name and cell. What the engine is given is a copy of the workbook (``engine_copy``) with
one change to its formulas, which Excel computes alike: ``--X`` is written ``0+X`` (the
engine's parser reads a run of signs as one sign, ``--X`` as ``+X``, so it would never turn
TRUE into 1 or "12" into 12, and ``SUMPRODUCT(--(range=value))`` would count nothing). The
template has no CELL (``tests/template/test_portable_functions.py``), which the engine lacks.

Where the engines differ is in docs/formulas.md ("Engines"); ``tests/check/
test_formula_engine.py`` computes each example in both. Statuses are computed for the
status date the profile holds (B7, through AsOf), so TODAY() is never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

_DOUBLE_NEGATION = re.compile(r"(?<=[(,=<>*/+&^-])\s*--")  # a "--" that opens an operand


def formulas_of(wb: openpyxl.Workbook) -> Iterator[tuple[str, str, str]]:
    """(sheet, cell, formula) of every formula cell in ``wb``."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    yield ws.title, cell.coordinate, cell.value


def engine_formula(text: str) -> str:
    """``text`` as the engine is given it (see the module's docstring)."""
    parts = text.split('"')  # outside string literals only: the even parts
    parts[::2] = [_DOUBLE_NEGATION.sub("0+", p) for p in parts[::2]]
    text = '"'.join(parts)
    if "CELL(" in text.upper():
        raise ValueError(f"the formulas engine has no CELL(): {text[:120]}")
    return text


def for_the_engine(wb: openpyxl.Workbook) -> None:
    """Every formula of ``wb`` rewritten as the engine is given it, in place."""
    for sheet, cell, text in list(formulas_of(wb)):
        wb[sheet][cell].value = engine_formula(text)


def engine_copy(source: Path, dest: Path) -> Path:
    """``source`` with its formulas as the engine is given them, saved as ``dest``."""
    wb = openpyxl.load_workbook(source)
    for_the_engine(wb)
    wb.save(dest)
    return dest


def plain_value(value: Any) -> Any:
    """A computed value as openpyxl reads a saved one: None for an empty cell, an error as
    its text ("#VALUE!"), numbers and truth values as Python's."""
    import schedula as sh
    from formulas.tokens.operand import XlError

    if value is sh.EMPTY:
        return None
    if isinstance(value, XlError):
        return str(value)
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


class Computed:
    """The cells the engine computed in one workbook."""

    def __init__(self, solution: dict[str, Any]) -> None:
        self._cells: dict[tuple[str, str], Any] = {}
        for key, ranges in solution.items():
            sheet, sep, cell = str(key).rpartition("!")
            if not sep or ":" in cell or "]" not in sheet:
                continue  # a range, a defined name or an error node
            name = sheet.strip("'").split("]", 1)[1]
            array = getattr(ranges, "value", None)
            if array is not None and np.shape(array) == (1, 1):
                self._cells[name.upper(), cell.upper()] = plain_value(array[0, 0])

    def value(self, sheet: str, cell: str) -> Any:
        """The value of ``cell`` on ``sheet`` (None when empty or never computed)."""
        return self._cells.get((sheet.upper(), cell.upper()))


def calculate(source: Path) -> Computed:
    """Every formula of ``source`` computed by the ``formulas`` package, as they stand (a
    template's workbook goes through ``for_the_engine`` or ``engine_copy`` first)."""
    import formulas

    model = formulas.ExcelModel().loads(str(source)).finish()
    return Computed(model.calculate())
