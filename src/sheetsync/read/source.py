"""Opening a workbook file safely, as rows of cell values.

``sniff`` checks the file first (see there): what it is, that it unpacks safely, which
sheets are damaged, which cells hold errors or percent-formatted numbers.

Rows come from python-calamine (fast) or, where it is not installed (xlwings Lite's
Pyodide), from openpyxl in read-only mode. Both give ``None`` for empty cells. calamine
builds a sheet's whole rectangle in memory, so a sheet whose used range is huge (one stray
value in XFD1048576) is streamed by openpyxl instead, at most ``MAX_COLUMNS`` wide.
python-calamine reads error cells (#DIV/0!) as blanks, so on its path the error values the
sniff found are put back. A parser's error, when the file is opened or when a sheet is
first read, becomes ``WorkbookUnreadable``.

Neither parser says which cells have a percent number format (0.46 shown as 46%): the sniff
notes the number cells that carry one (``WorkbookRows.percent_cells``); the reader reads
such a cell as the points it shows (46), and which cells hold a formula
(``WorkbookRows.formula_cells``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import WorkbookUnreadable
from sheetsync.read.sniff import (
    Scan,
    Sniffed,
    by_sheet,
    column_number,
    formulas_by_sheet,
    percent_by_sheet,
    sniff,
)

MAX_ROWS = 10_000  # data rows read per sheet; more is a finding, not a hang
MAX_COLUMNS = 256  # columns read per sheet; the template uses fewer than 50
MAX_CELLS = 2_000_000  # a sheet's used range calamine may build in memory (~64 MB)

try:  # pragma: no cover - exercised where calamine is missing (Pyodide)
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover
    CalamineWorkbook = None  # type: ignore[misc,assignment]


@dataclass
class WorkbookRows:
    """A workbook's sheets as rows (lists of values, ``None`` for empty), A1 at [0][0]."""

    path: str
    sheet_names: list[str]
    date1904: bool = False
    heights: dict[str, int] = field(default_factory=dict)  # rows in the sheet, all of them
    _loader: Any = None
    _cache: dict[str, list[list[Any]]] = field(default_factory=dict)
    serial_dates: bool = False  # dates arrive as serial numbers (Google, xlwings Lite)
    # sheet -> A1 refs of its number cells with a percent format (0.46 shown as 46%)
    percent_cells: dict[str, frozenset[str]] = field(default_factory=dict)
    # sheet -> column letters -> rows whose cell holds a formula; None where the source
    # cannot say (a Google Sheet's values, Excel's ranges)
    formula_cells: dict[str, dict[str, frozenset[int]]] | None = None

    def rows(self, sheet: str) -> list[list[Any]]:
        """The rows of ``sheet``, read on first use (raises ``WorkbookUnreadable``)."""
        if sheet not in self._cache:
            try:
                self._cache[sheet] = self._loader(sheet)
            except WorkbookUnreadable:
                raise
            except Exception as exc:  # calamine's XmlError, zipfile's bad CRC, ...
                raise WorkbookUnreadable(
                    self.path, f"the sheet '{sheet}' is damaged ({exc}); save the workbook "
                    "again from Excel") from None
        return self._cache[sheet]


def open_workbook(path: str | Path, max_rows: int = MAX_ROWS) -> WorkbookRows:
    """Open ``path`` for reading; raise ``WorkbookUnreadable`` with the reason if it can't be."""
    path = Path(path)
    found = sniff(path)
    try:
        if CalamineWorkbook is not None and found.largest <= MAX_CELLS:
            return _calamine(path, found, max_rows)
        return _openpyxl(path, found, max_rows)
    except WorkbookUnreadable:
        raise
    except Exception as exc:  # a parser's own error: the file is damaged in some way
        raise WorkbookUnreadable(str(path), f"the workbook is damaged ({exc})") from None


def _calamine(path: Path, found: Sniffed, max_rows: int) -> WorkbookRows:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(found.blob))
    names = [m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")] \
        or list(wb.sheet_names)
    heights: dict[str, int] = {}
    scanned: list[Scan] = []  # what the sniff found in the worksheets, by sheet name

    def load(sheet: str) -> list[list[Any]]:
        if not scanned:
            scanned.append(by_sheet(found))
        if sheet in scanned[0].damaged:
            raise scanned[0].damaged[sheet]
        ws = wb.get_sheet_by_name(sheet)
        heights[sheet] = ws.end[0] + 1 if ws.end else 0  # total_height is the last index
        rows = ws.to_python(skip_empty_area=False, nrows=max_rows + 50)
        out = [[None if v == "" else v for v in row[:MAX_COLUMNS]] for row in rows]
        _restore_errors(scanned[0].errors.get(sheet), out)
        return out

    return WorkbookRows(str(path), names, found.date1904, heights, load,
                        percent_cells=percent_by_sheet(found),
                        formula_cells=formulas_by_sheet(found))


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?\bt="e"[^>]*>(?:<f\b[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>',
    re.S)




def _restore_errors(xml: bytes | None, rows: list[list[Any]]) -> None:
    """python-calamine reads error cells (#REF!, #DIV/0! ...) as empty; put the error
    values back from the sheet's XML, so a formula error is reported at its cell instead
    of read as a blank."""
    if not xml:
        return
    for letters, number, value in _ERROR_CELL.findall(xml):
        r, c = int(number) - 1, column_number(letters) - 1
        if r < len(rows) and c < MAX_COLUMNS:
            row = rows[r]
            row.extend([None] * (c + 1 - len(row)))
            row[c] = value.decode()


def _openpyxl(path: Path, found: Sniffed, max_rows: int) -> WorkbookRows:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(found.blob), read_only=True, data_only=True)
    heights: dict[str, int] = {}

    def load(sheet: str) -> list[list[Any]]:
        ws = wb[sheet]
        heights[sheet] = ws.max_row or 0
        width = min(ws.max_column or MAX_COLUMNS, MAX_COLUMNS)
        return [list(r) for r in ws.iter_rows(max_row=max_rows + 50, max_col=width,
                                              values_only=True)]

    return WorkbookRows(str(path), list(wb.sheetnames), found.date1904, heights, load,
                        percent_cells=percent_by_sheet(found),
                        formula_cells=formulas_by_sheet(found))


def rows_from_grids(name: str, grids: dict[str, list[list[Any]]], date1904: bool = False,
                    serial_dates: bool = False, **cells: Any) -> WorkbookRows:
    """Rows that came from elsewhere (a Google Sheet's cells, Excel's ranges), in the same
    shape. ``serial_dates``: the source sends every date as a serial number, so reading
    one in a date column is no leniency worth a note. ``cells``: what the source knows of
    the cells' formats and formulas (``percent_cells``, ``formula_cells``)."""
    clean = {k: [[None if v == "" else v for v in row] for row in rows]
             for k, rows in grids.items()}
    return WorkbookRows(name, list(clean), date1904, {k: len(v) for k, v in clean.items()},
                        clean.__getitem__, serial_dates=serial_dates, **cells)
