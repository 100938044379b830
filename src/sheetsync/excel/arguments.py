"""Excel's arguments as sheetsync reads them: cells, ranges, dates, settings, and ranges as
a scorecard.

Ranges arrive as 2-D lists with ``None`` for empty cells (``ndim=2``); dates as datetimes
(classic add-in) or serial numbers (Lite); error values as strings such as ``"#DIV/0!"``
(``err_to_str=True``), Office.js error objects or COM error codes. All of them are read as
the reader reads a file's cells: the ranges become a workbook (``source.rows_from_grids``)
and ``reader.read_rows`` reads it. Excel passes no number formats, so a measure's number
that could be a percentage stored as a fraction gets a ``format-unknown`` note.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from sheetsync.check.status import DEFAULT_SETTINGS, StatusSettings
from sheetsync.errors import BadArgument, WorkbookUnreadable
from sheetsync.read import coerce
from sheetsync.read.models import Measure, Scorecard
from sheetsync.read.scorecard import HEADER_SCAN_ROWS, PROFILE_SCAN_ROWS, read_rows
from sheetsync.read.source import rows_from_grids
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import Layout, SheetLayout, norm
from sheetsync.schema.schoolyear import SchoolYear, period_date
from sheetsync.schema.sheets import scorecard_layout

SOURCE = "Excel"  # the workbook name findings and the scorecard carry
# Lite passes dates as serial numbers; the reader would note each one it reads as a date.
DATES_AS_NUMBERS = sys.platform == "emscripten"

# Excel's error values as COM codes (classic add-in without err_to_str) and Office.js types.
_COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?",
               -2146826288: "#NULL!", -2146826252: "#NUM!", -2146826265: "#REF!",
               -2146826273: "#VALUE!"}
_OFFICE_ERRORS = {"Div0": "#DIV/0!", "NotAvailable": "#N/A", "Name": "#NAME?",
                  "Null": "#NULL!", "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!",
                  "Spill": "#SPILL!", "Calc": "#CALC!", "GettingData": "#GETTING_DATA",
                  "Busy": "#BUSY!", "Field": "#FIELD!", "Connect": "#CONNECT!",
                  "Blocked": "#BLOCKED!", "Unknown": "#UNKNOWN!"}


# -- Excel's arguments -------------------------------------------------------------------


def cell_value(value: Any) -> Any:
    """One cell as Excel passed it, as the reader expects it: errors as '#DIV/0!' text."""
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is dict:  # an Office.js error or entity value
        if value.get("type") == "Error":
            return value.get("basicValue") or _OFFICE_ERRORS.get(str(value.get("errorType")),
                                                                   "#VALUE!")
        return value.get("basicValue")
    if kind is int and value in _COM_ERRORS:
        return _COM_ERRORS[value]
    return value


def grid(value: Any) -> list[list[Any]]:
    """A range as a rectangular 2-D list (a single cell or a 1-D list becomes one row)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        return [[cell_value(value)]]
    if value and not isinstance(value[0], list | tuple):
        return [[cell_value(v) for v in value]]
    rows = [[cell_value(v) for v in row] for row in value]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Without trailing empty rows, so a whole-column range does not read as 1,048,576 rows."""
    end = len(rows)
    while end and all(v is None for v in rows[end - 1]):
        end -= 1
    return rows[:end]


def _scalar(value: Any) -> Any:
    while isinstance(value, list | tuple):
        if len(value) != 1:
            raise BadArgument("expected a single cell, got a range")
        value = value[0]
    return cell_value(value)


def as_of_arg(value: Any) -> date | None:
    """The status date: a date, a serial number or text such as 2027-01-31; blank is None."""
    v = _scalar(value)
    try:
        d, _ = coerce.read_date(v)
    except coerce.Unreadable:
        raise BadArgument(f"as_of {v!r} is not a date; give one such as 2027-01-31") from None
    return d


def school_year_arg(value: Any) -> str | None:
    """'2026-27' (or its start year, 2026); blank is None."""
    v = _scalar(value)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        if isinstance(v, int | float) and not isinstance(v, bool):
            if not (float(v).is_integer() and 1900 < v < 2200):
                raise ValueError(v)
            return SchoolYear(int(v)).label
        return SchoolYear.parse(str(v)).label
    except ValueError:
        raise BadArgument(f"school_year {v!r} is not a school year like 2026-27") from None


def settings_arg(at_risk_band: Any) -> StatusSettings:
    """The at-risk band as a share of the gap (0.1 or 10%); blank is the default."""
    try:
        band, _ = coerce.read_number(_scalar(at_risk_band))
    except coerce.Unreadable:
        raise BadArgument(f"at_risk_band {at_risk_band!r} is not a number") from None
    if band is None:
        return DEFAULT_SETTINGS
    return StatusSettings(at_risk_band=band / 100 if band > 1 else band)


def safely(compute: Callable[[], list[list[Any]]]) -> list[list[Any]]:
    """The function's array, or its argument problem as a one-cell message."""
    try:
        return compute()
    except BadArgument as exc:
        return [[f"sheetsync: {exc}"]]
    except WorkbookUnreadable as exc:  # none of the ranges is a scorecard sheet
        return [[f"sheetsync: {exc.reason}"]]


# -- Ranges as a scorecard ---------------------------------------------------------------


def read_grids(grids: dict[str, list[list[Any]]], school_year: str | None = None,
               as_of: date | None = None) -> tuple[Scorecard, list[Finding]]:
    """Read sheets given as 2-D lists (A1 at [0][0]), as ``read_scorecard`` reads a file.

    Without a District Profile among them, the school year is the one the measures' month
    headers name, else the one containing ``as_of`` (or today).
    """
    return read_sheets({name: trimmed(grid(rows)) for name, rows in grids.items()}, school_year,
                 as_of)


def read_sheets(grids: dict[str, list[list[Any]]], school_year: str | None,
          as_of: date | None) -> tuple[Scorecard, list[Finding]]:
    rows = rows_from_grids(SOURCE, grids, serial_dates=DATES_AS_NUMBERS)
    card, found = read_rows(rows, school_year)
    if school_year is None and "profile" not in card.sheet_names:
        guess = _year_of(card) or SchoolYear.containing(as_of or date.today()).label
        if guess != card.school_year:
            card, found = read_rows(rows, guess)
    return card, found + format_unknown(card)


def maybe_percent(value: float | None) -> bool:
    """Whether a number Excel passed could be a percentage stored as a fraction (46% is
    0.46): the functions cannot see the cell's format to tell."""
    return value is not None and value != 0 and -1 < value < 1


def uncertain(m: Measure) -> list[tuple[str, float]]:
    """A measure's numbers (slot, value) that could be percentages stored as fractions."""
    values = [("baseline", m.baseline), ("target", m.target),
              *((f"actual:{p}", v) for p, v in m.actuals.items()),
              *((f"interim_target:{p}", v) for p, v in m.interim_targets.items())]
    return [(slot, v) for slot, v in values if v is not None and maybe_percent(v)]


def format_unknown(card: Scorecard) -> list[Finding]:
    """A note at each measure number the functions read without knowing its format."""
    sheet = card.sheet_names.get("measures")
    header = {c.slot: c.header for c in scorecard_layout(card.school_year).sheet(
        "measures").columns}
    return [F.FORMAT_UNKNOWN(sheet=sheet, cell=card.cell("measures", slot, m.row),
                             header=header.get(slot, slot), value=f"{v:g}",
                             points=f"{float(f'{v * 100:.15g}'):g}")
            for m in card.measures for slot, v in uncertain(m)]


def _year_of(card: Scorecard) -> str | None:
    periods = {p for m in card.measures for p in (*m.actuals, *m.interim_targets)}
    years = {SchoolYear.containing(period_date(p)).label for p in periods}
    return years.pop() if len(years) == 1 else None



def _template_header(sheet: SheetLayout, width: int) -> list[Any]:
    headers: list[Any] = [c.header for c in sheet.columns][:width]
    return headers + [None] * (width - len(headers))


def read_tables(tables: dict[str, list[list[Any]]], school_year: str | None,
                 as_of: date | None) -> tuple[Scorecard, list[Finding], dict[str, int]]:
    """Read table ranges (as ``grid`` gives them) keyed by entity. A range without a header
    row is read as laid out in the template (columns in the template's order, from its
    first column); ``offsets`` says how many rows were put above each range for that."""
    layout = scorecard_layout(school_year or
                              SchoolYear.containing(as_of or date.today()).label)
    grids: dict[str, list[list[Any]]] = {}
    offsets = dict.fromkeys(tables, 0)
    for entity, rows in tables.items():
        sheet = layout.sheet(entity)
        rows = trimmed(rows)
        if rows and header_score(sheet, rows) < 2:  # the reader needs two known headers
            width = max(len(rows[0]), len(sheet.columns))
            rows = [_template_header(sheet, width), *(r + [None] * (width - len(r))
                                                      for r in rows)]
            offsets[entity] = 1
        if rows:
            grids[sheet.name] = rows
    if not grids:  # nothing typed yet: nothing to read
        return Scorecard(source=SOURCE, school_year=layout.school_year.label), [], offsets
    card, found = read_sheets(grids, school_year, as_of)
    return card, found, offsets


def per_row(pairs: list[tuple[int, Any]], rows: int) -> list[list[Any]]:
    """One value per row of the range Excel passed (``pairs``: row index, value); ``""``
    where no item was read (the header, blank rows, rows without an id)."""
    out: list[list[Any]] = [[""] for _ in range(max(rows, 1))]
    for i, v in pairs:
        if 0 <= i < rows:
            out[i] = [v if v is not None else ""]
    return out


# -- Whole sheets: which scorecard sheet each range is ------------------------------------


def sheets_arg(args: tuple[Any, ...], layout: Layout | None = None
               ) -> tuple[dict[str, list[list[Any]]], date | None]:
    """Sheets from SHEETSYNC_CHECK's arguments: ranges, each optionally after its sheet's
    name; a range without a name is recognised by its headers. A date is the as-of date."""
    layout = layout or scorecard_layout()
    grids: dict[str, list[list[Any]]] = {}
    name: str | None = None
    as_of: date | None = None
    for n, value in enumerate(args, 1):
        rows = grid(value)
        if not rows:
            continue
        if len(rows) == 1 and len(rows[0]) == 1:  # one cell: a sheet name or the as-of date
            v = rows[0][0]
            if isinstance(v, str) and v.strip():
                name = v.strip()
            elif v is not None:
                as_of = as_of_arg(v)
            continue
        sheet = name or identify(rows, layout)
        if sheet is None:
            raise BadArgument(f"range {n}: cannot tell which scorecard sheet it is; put the "
                              "sheet's name before it, e.g. \"Goals\", Goals!A1:I40")
        if sheet in grids:
            raise BadArgument(f"range {n}: sheet '{sheet}' is given twice")
        grids[sheet] = trimmed(rows)
        name = None
    if name is not None:
        raise BadArgument(f"sheet name '{name}' has no range after it")
    if not grids:
        raise BadArgument("give the sheets to check, e.g. Goals!A1:I40, Measures!A1:AO70")
    return grids, as_of


def identify(rows: list[list[Any]], layout: Layout) -> str | None:
    """The template sheet a range holds, by its header row (or the profile's labels)."""
    best, best_score = None, 1
    for sheet in layout.sheets:
        score = header_score(sheet, rows)
        if score > best_score:
            best, best_score = sheet.name, score
    return best


def header_score(sheet: SheetLayout, rows: list[list[Any]]) -> int:
    """How many of the sheet's headers (or the profile's labels) the best row of ``rows``
    holds, where the reader looks for them."""
    if sheet.fields:
        labels = {norm(f.label) for f in sheet.fields}
        return sum(1 for r in rows[:PROFILE_SCAN_ROWS] if r and norm(r[0]) in labels)
    known = sheet.input_headers
    return max((sum(1 for v in r if isinstance(v, str) and norm(v) in known)
                for r in rows[:HEADER_SCAN_ROWS]), default=0)
