"""What a cell's format or a missing formula changes: the findings where the workbook's own
formulas would read a row otherwise than it looks.

- A number column whose cell is formatted as a date (or holds a date): the formulas read
  the serial number (45 shows as 1900-02-14), and so does sheetsync
  (``date-in-number-cell``).
- A date column holding a number: before 2000 it is no date the sheet accepts (its Check
  column says "is not a date"); a later one in a cell that is not formatted as a date reads
  as a date but shows as a number (``number-in-date-cell``).
- A % measure whose row mixes scales (46 beside 0.46): the sheet's value-based rule,
  computed here on the numbers as stored, and rows whose percent formats are mixed
  (``mixed-percent-scale``).
- A row typed into rows inserted by hand, which hold no formulas (``row-without-formulas``).
- A value the formulas cannot read as sheetsync does (text in a number cell, an id typed
  loosely): ``formulas_cannot_read`` and how to type it instead, ``formula_fix``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sheetsync.read.coerce import date_to_serial, serial_to_date
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import Column
from sheetsync.schema.numbers import significant

FIRST_DATE = 36526  # 2000-01-01: a smaller number in a date column is no date the sheet reads
SCALE_RATIO = 20  # the sheet's rule: v * 20 <= the row's largest value mixes scales
DATES = (datetime, date, timedelta)


EXACT = ("id", "reference", "choice")  # text is expected: a number there is unreadable


def formulas_cannot_read(kind: str, raw: Any, value: Any) -> bool:
    """Whether the template's formulas cannot read ``raw`` as sheetsync read it (as
    ``value``): text in a number or date cell; an id other than as read, ignoring case
    ('g1' is G1 to a formula's "=", 'g1 ' and 'Goal 1' are not); a choice that is not on
    the list ignoring case and spacing ('done' is not 'Complete'). Blank words never get
    here: both read them as blank."""
    if raw.__class__ is not str:
        return kind in EXACT  # a number where text is expected
    if kind in ("number", "date"):
        return True
    if kind == "choice":  # TRIM: no spaces around, single spaces inside
        return " ".join(filter(None, raw.split(" "))).lower() != str(value).lower()
    return raw.upper() != value


def formula_fix(col: Column) -> str | None:
    """How to type a value of ``col`` so the workbook's formulas can read it; None for the
    columns no formula reads."""
    if not col.feeds_formulas:
        return None
    if col.type == "number":
        return "type it as a number (45, or 45% for a percentage)"
    if col.type == "date" and col.key == "month":
        return "type the month as a date such as 2026-10-01 (it shows as Oct 2026)"
    if col.type == "date":
        return "type it as a date such as 2027-05-31"
    if col.type in ("id", "reference"):
        return "type the id exactly as it is listed, or pick it from the dropdown"
    return "pick it from the dropdown"


def date_in_number(raw: Any, date1904: bool, sheet: str, cell: str,
                   header: str) -> tuple[float, Finding]:
    """A date-formatted cell of a number column: the number the sheet's formulas read (its
    serial), and the finding that says what the person typed."""
    serial = date_to_serial(raw, date1904)
    if isinstance(raw, timedelta):
        shown = str(raw)
    elif isinstance(raw, datetime) and raw.time() != datetime.min.time():
        shown = raw.isoformat(sep=" ")
    else:
        shown = raw.isoformat()[:10]
    if serial < FIRST_DATE:  # a number typed into a date-formatted cell (pasted formats)
        reading = f"the number {significant(serial)} you typed"
        fix = f"Format {cell} as a number."
    else:
        reading = (f"it as the number {significant(serial)} (the date's serial number), not "
                   "a value of this column")
        fix = f"Type the value in {cell} and format the cell as a number."
    return serial, F.DATE_IN_NUMBER_CELL(sheet=sheet, cell=cell, header=header, shown=shown,
                                         reading=reading, fix=fix, value=serial)


def number_in_date(raw: float, date1904: bool, serial_dates: bool, sheet: str, cell: str,
                   header: str) -> Finding | None:
    """A number in a date column: before 2000 the sheet's Check says it is not a date; a
    later one from a file (not a source that sends every date as its serial) sits in a cell
    not formatted as a date."""
    try:
        when = serial_to_date(float(raw), date1904).isoformat()
    except ValueError:
        return None  # not-a-date, reported by the reader
    value = significant(float(raw))
    if raw < FIRST_DATE:
        return F.NUMBER_IN_DATE_CELL(
            sheet=sheet, cell=cell, header=header, value=value,
            problem=(f"which is not a date: as a date it is {when}, before 2000, so the "
                     "sheet's Check column flags it and its formulas leave it out, while "
                     f"sheetsync reads {when}"),
            fix="Type the date, such as 2027-05-31.", read=when)
    if serial_dates:
        return None
    return F.NUMBER_IN_DATE_CELL(
        sheet=sheet, cell=cell, header=header, value=value,
        problem=(f"in a cell not formatted as a date: sheetsync and the sheet read it as "
                 f"{when}, but the cell shows {value}"),
        fix=f"Format {cell} as a date (yyyy-mm-dd) so it shows as one.", read=when)


@dataclass(frozen=True)
class Stored:
    """One number of a % measure's row as the file stores it."""

    order: tuple[int, str]  # Baseline, Target, Actual months..., Interim months...
    cell: str
    value: float
    percent: bool  # the cell has a percent number format (0.46 shown as 46%)

    def shown(self) -> str:
        text = significant(self.value)
        if self.percent:
            return f"{text} (shown as {significant(self.value * 100)}%)"
        return text


ORDER = {"baseline": 0, "target": 1, "actual": 2, "interim_target": 3}


def is_percent_unit(raw: Any) -> bool:
    """The sheet's test of a row's Unit: "%" after TRIM, in any case."""
    return isinstance(raw, str) and " ".join(raw.split()) == "%"


def mixed_scale(stored: Sequence[Stored], sheet: str, measure: str,
                unit_is_percent: bool) -> Finding | None:
    """The row mixes scales when (a) the sheet's rule fires on the stored numbers (only
    where its Unit cell is "%"): some positive v has v * 20 <= M, M the largest; or (b) some
    nonzero values are percent-formatted and others not. Reported at the first such v
    (in column order) for (a), at the first value formatted otherwise than the row's first
    for (b)."""
    cells = sorted(stored, key=lambda s: s.order)
    positive = [s for s in cells if s.value > 0]
    largest = max(positive, key=lambda s: s.value, default=None)
    formats = {s.percent for s in cells if s.value != 0}
    mixed_formats = len(formats) == 2
    if mixed_formats:
        reading = ("sheetsync reads the percent-formatted cells as the points they show and "
                   "the sheet's formulas read every number as stored, so the sheet's status "
                   "may differ from this check's")
    else:
        reading = ("the sheet's formulas read every number as stored, so one of them is "
                   "probably typed on the other scale (0.5 for 50%)")
    if unit_is_percent and largest is not None:
        small = [s for s in positive if s.value * SCALE_RATIO <= largest.value]
        if small:
            at = small[0]
            return F.MIXED_PERCENT_SCALE(
                sheet=sheet, cell=at.cell, measure=measure, value=at.shown(),
                other_cell=largest.cell, other=largest.shown(), reading=reading,
                smallest=min(s.value for s in small), largest=largest.value)
    if mixed_formats:
        nonzero = [s for s in cells if s.value != 0]
        at = next(s for s in nonzero if s.percent != nonzero[0].percent)
        return F.MIXED_PERCENT_SCALE(
            sheet=sheet, cell=at.cell, measure=measure, value=at.shown(),
            other_cell=nonzero[0].cell, other=nonzero[0].shown(), reading=reading,
            smallest=None, largest=None)
    return None


def without_formulas(sheet: str, entity: str, row: int, what: str,
                     computed: Sequence[tuple[str, str]]) -> Finding:
    """``row-without-formulas`` for a row that holds its key but no formula in any of its
    computed cells. ``computed``: (letter, header) of the sheet's computed columns that
    hold formulas in other rows, left to right (the reader leaves out a sheet with no
    formula in any of them: written by another tool, values only, it computes nothing in
    any row, so no row of it is singled out)."""
    used = list(computed)
    headers = [header for _, header in used]
    consequence = {
        "measures": ("; the goal's and strategic goal's statuses in the sheet leave it out, "
                     "while this check counts it"),
        "goals": "; the strategic goal's status in the sheet leaves it out",
    }.get(entity, "")
    return F.ROW_WITHOUT_FORMULAS(
        sheet=sheet, cell=f"{used[0][0]}{row}", what=what, row_number=row,
        computed=_and(headers), consequence=consequence)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
