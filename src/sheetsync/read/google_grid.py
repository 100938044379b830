"""A Google Sheet's cells as the reader's rows, with the number formats the rows lose.

``spreadsheets.get`` with ``ranges`` (one per tab) and the field mask ``CELL_FIELDS``
answers, in one request, each tab's ``GridData``: per cell its computed value
(``effectiveValue``: a number, dates as serial numbers, text, a boolean or an error), the
type of its number format (``effectiveFormat.numberFormat.type``: PERCENT, DATE,
DATE_TIME, NUMBER ...) and, where it holds one, its formula
(``userEnteredValue.formulaValue``). Google leaves out what a cell does not have: an empty
cell is ``{}``, an empty row ``{}``, a cell in the automatic format has no
``effectiveFormat``, and ``startRow``/``startColumn`` are left out when 0.

The rows hold what an .xlsx of the same sheet gives its reader: numbers, text, booleans,
errors as the text a cell shows (#DIV/0!), and a number formatted as a date or a date and
time as a ``date`` or ``datetime``, as python-calamine gives a date-formatted cell (so 45
typed into a date-formatted cell is 1900-02-14, the day Excel counts for serial 45, and
the checks read the serial back as 45). Besides them, by tab: the A1 refs of the number
cells shown as a percentage (0.58 shown as 58%; cells holding a value, not a formula, as
the .xlsx sniff notes them), and which cells hold a formula (column letters -> rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sheetsync.schema.cells import cell as ref
from sheetsync.schema.cells import column_letter

CELL_FIELDS = ("sheets(properties.title,data(startRow,startColumn,rowData.values("
               "effectiveValue,effectiveFormat.numberFormat.type,userEnteredValue.formulaValue"
               ")))")
# The text a cell shows for each ErrorValue.type, as values:batchGet renders it.
ERROR_TEXT = {"ERROR": "#ERROR!", "NULL_VALUE": "#NULL!", "DIVIDE_BY_ZERO": "#DIV/0!",
              "VALUE": "#VALUE!", "REF": "#REF!", "NAME": "#NAME?", "NUM": "#NUM!",
              "N_A": "#N/A", "LOADING": "Loading..."}
DATE_TYPES = frozenset({"DATE", "DATE_TIME"})
EPOCH = datetime(1899, 12, 30)  # Sheets' serial 0, as Excel's from 1900-03-01 on
LAST_SERIAL = 2958465  # 9999-12-31


@dataclass
class SheetCells:
    """Tabs' rows (``None`` for empty, A1 at [0][0]) and, by tab, the refs of the number
    cells formatted as a percentage, and the cells with formulas (column -> rows)."""

    rows: dict[str, list[list[Any]]] = field(default_factory=dict)
    percent: dict[str, frozenset[str]] = field(default_factory=dict)
    formulas: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)

    def update(self, other: SheetCells) -> None:
        self.rows.update(other.rows)
        self.percent.update(other.percent)
        self.formulas.update(other.formulas)


def sheet_cells(sheets: list[dict[str, Any]]) -> SheetCells:
    """The cells of a ``spreadsheets.get`` answer's ``sheets``, by tab title."""
    out = SheetCells()
    for sheet in sheets:
        title = str(sheet.get("properties", {}).get("title", ""))
        rows: list[list[Any]] = []
        percent: list[str] = []
        formulas: dict[str, set[int]] = {}
        for grid in sheet.get("data") or ():
            top, left = grid.get("startRow", 0), grid.get("startColumn", 0)
            for r, row_data in enumerate(grid.get("rowData") or (), top):
                values = row_data.get("values") or ()
                if not values:
                    continue
                while len(rows) <= r:
                    rows.append([])
                row = rows[r]
                for c, cell in enumerate(values, left):
                    if not cell:
                        continue
                    value = _value(cell.get("effectiveValue"))
                    formula = "formulaValue" in (cell.get("userEnteredValue") or {})
                    if value is None and not formula:
                        continue
                    if value.__class__ in (int, float):
                        kind = ((cell.get("effectiveFormat") or {}).get("numberFormat")
                                or {}).get("type")
                        if kind in DATE_TYPES:
                            value = as_date(value, kind)
                        elif kind == "PERCENT" and not formula:
                            percent.append(ref(c + 1, r + 1))
                    if len(row) <= c:
                        row.extend([None] * (c + 1 - len(row)))
                    row[c] = value
                    if formula:
                        formulas.setdefault(column_letter(c + 1), set()).add(r + 1)
        out.rows[title] = rows
        if percent:
            out.percent[title] = frozenset(percent)
        if formulas:
            out.formulas[title] = {k: frozenset(v) for k, v in formulas.items()}
    return out


def as_date(serial: float, kind: str) -> Any:
    """A date-formatted serial number as python-calamine gives an .xlsx's: a ``date`` for
    a whole day in a DATE format, else a ``datetime``; before 1900-03-01 counted as Excel
    counts (45 is 1900-02-14; Google shows 1900-02-13), so its serial reads back the same.
    A serial no date can be stays a number."""
    if not 0 < serial <= LAST_SERIAL:
        return serial
    moment = EPOCH + timedelta(seconds=round((serial + (serial < 60)) * 86400))
    if kind == "DATE" and float(serial).is_integer():
        return date(moment.year, moment.month, moment.day)
    return moment


def _value(value: dict[str, Any] | None) -> Any:
    """An ExtendedValue as values:batchGet (UNFORMATTED_VALUE, SERIAL_NUMBER) gives it."""
    if not value:
        return None
    if "numberValue" in value:
        return value["numberValue"]
    if "stringValue" in value:
        return value["stringValue"] or None
    if "boolValue" in value:
        return value["boolValue"]
    if "errorValue" in value:
        return ERROR_TEXT.get((value["errorValue"] or {}).get("type", ""), "#ERROR!")
    return None
