"""A table sheet's rows, read: which template column each column holds, and each row into
its model.

The same sheets come back with the same header rows in every workbook of a cohort, so how
a header row maps onto the layout (the columns found, the findings about the headers, and
a prepared reader for each input cell) is worked out once and kept. Formula columns are
never read: statuses are computed from the inputs.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sheetsync.read import coerce
from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    MonthlyUpdate,
    Need,
    StrategicGoal,
)
from sheetsync.read.source import WorkbookRows
from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_letter
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import ID_PREFIXES, Column, SheetLayout, norm
from sheetsync.schema.schoolyear import period_label

MODELS = {"strategic_goals": StrategicGoal, "cdip_goals": CdipGoal, "needs": Need,
          "goals": Goal, "measures": Measure, "actions": Action,
          "monthly_updates": MonthlyUpdate}
# Ids and choices repeat down a sheet and from one district to the next: each distinct
# value is read once (an Unreadable is raised afresh each time, never cached).
_read_id = lru_cache(maxsize=4096, typed=True)(coerce.read_id)
_read_choice = lru_cache(maxsize=4096, typed=True)(coerce.read_choice)
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_HEADER = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\W*(\d{4}|\d{2})\b")


_MAPPED: dict[tuple[Any, ...], tuple[SheetLayout, Columns]] = {}  # header rows seen, mapped


def columns_for(sheet: SheetLayout, name: str, header: list[Any], header_row: int,
                 wb: WorkbookRows) -> Columns:
    """The columns of a sheet with this header row: the same sheets come back with the same
    headers in every workbook of a cohort, so each distinct header row is worked out once."""
    key = (id(sheet), name, tuple(header), header_row, wb.date1904, wb.serial_dates)
    try:
        hit = _MAPPED.get(key)
    except TypeError:  # a header cell that cannot be a key (from a foreign source)
        return Columns(sheet, name, header, header_row, wb.date1904, wb.serial_dates)
    if hit is None or hit[0] is not sheet:
        if len(_MAPPED) >= 512:
            _MAPPED.clear()
        hit = _MAPPED[key] = (sheet, Columns(sheet, name, header, header_row, wb.date1904,
                                             wb.serial_dates))
    return hit[1]


class Columns:
    """Which template column each column of a sheet holds, what the reader had to say about
    its headers, and per input column all that reading one of its cells needs."""

    def __init__(self, sheet: SheetLayout, name: str, header: list[Any], header_row: int,
                 date1904: bool, serial_dates: bool) -> None:
        self.sheet = sheet
        self.findings: list[Finding] = []
        self.date1904 = date1904
        self.serial_dates = serial_dates
        mapping = self._map_columns(sheet, name, header, header_row)
        self.letters = {col.slot: column_letter(i + 1) for i, col in mapping.items()}
        inputs = [(i, c, column_letter(i + 1)) for i, c in sorted(mapping.items()) if c.is_input]
        # per input column, all a cell needs: (column, letter, parse, key, bucket, number,
        # how to fix a value the workbook's formulas cannot read, or None)
        self.specs = [
            (c, letter, self._parser(c), c.key,
             ("actuals" if c.key == "actual" else "interim_targets") if c.period else None,
             c.type == "number", _formula_fix(c)) for _, c, letter in inputs]
        index = [i for i, *_ in inputs]
        self.width = max(index, default=-1) + 1
        self.pick: Any = itemgetter(*index) if len(index) > 1 else \
            (lambda values: tuple(values[i] for i in index))  # one column (or none)
        self.required = [(c, letter) for _, c, letter in inputs if c.required and not c.period]

    def _map_columns(self, sheet: SheetLayout, name: str, header: list[Any],
                     header_row: int) -> dict[int, Column]:
        """Which template column each column of the file holds (by 0-based index)."""
        known = sheet.by_header
        mapping: dict[int, Column] = {}
        taken: set[int] = set()  # id() of the columns found: a Column's hash is slow
        unmatched: list[tuple[int, str]] = []
        for i, value in enumerate(header):
            if value is None or not str(value).strip():
                continue
            key = norm(value)
            col = known.get(key)
            if col is None and sheet.entity == "measures":
                col = _month_column(sheet, str(value))
            if col is None or id(col) in taken:
                unmatched.append((i, str(value)))
                continue
            mapping[i] = col
            taken.add(id(col))
            if key != norm(col.header):
                self._renamed(name, i, header_row, str(value), col)
        missing = [c for c in sheet.columns if id(c) not in taken and not c.period]
        for i, text in unmatched:
            names = {norm(c.header): c for c in missing}
            close = difflib.get_close_matches(norm(text), list(names), n=1, cutoff=0.8)
            if close:
                col = names[close[0]]
                mapping[i] = col
                missing.remove(col)
                self._renamed(name, i, header_row, text, col)
            else:
                self.findings.append(F.EXTRA_COLUMN(
                    sheet=name, cell=f"{column_letter(i + 1)}{header_row}",
                    column=column_letter(i + 1), header=text))
        for col in missing:
            if col.is_input:
                rule = F.MISSING_COLUMN if col.required else F.MISSING_OPTIONAL_COLUMN
                self.findings.append(rule(sheet=name, header=col.header))
        self.findings += [F.MISSING_MONTH_COLUMN(sheet=name, header=c.header,
                                                 month=period_label(c.period or ""))
                          for c in sheet.columns if c.key == "actual" and id(c) not in taken]
        for i, col in mapping.items():
            letter = column_letter(i + 1)
            if col.is_input and not col.period and letter != col.letter:
                self.findings.append(F.MOVED_COLUMN(
                    sheet=name, cell=f"{letter}{header_row}", header=col.header, found=letter,
                    expected=col.letter))
        return mapping

    def _renamed(self, sheet: str, i: int, header_row: int, found: str, col: Column) -> None:
        self.findings.append(F.RENAMED_HEADER(
            sheet=sheet, cell=f"{column_letter(i + 1)}{header_row}", found=found,
            header=col.header))

    def _parser(self, col: Column) -> Any:
        t, date1904 = col.type, self.date1904
        if t == "number":
            return coerce.read_number
        if t == "date" and col.key == "month":
            return lambda raw: coerce.read_month(raw, date1904)
        if t == "date" and self.serial_dates:
            return lambda raw: (coerce.read_date(raw, date1904)[0], None) \
                if isinstance(raw, int | float) else coerce.read_date(raw, date1904)
        if t == "date":
            return lambda raw: coerce.read_date(raw, date1904)
        if t in ("id", "reference"):
            prefix, words = ID_PREFIXES[(self.sheet.entity if t == "id" else col.ref) or ""]
            return lambda raw: _read_id(raw, prefix, words)
        if t == "choice" and col.choices == "yes_no":
            return lambda raw: (_read_choice(raw, "yes_no")[0] == "yes", None)
        if t == "choice":
            choices = col.choices or ""
            return lambda raw: _read_choice(raw, choices)
        if t == "year":
            return lambda raw: coerce.read_year(raw, end=col.key == "end_year")
        return coerce.read_text


class RowParser:
    """Turns one row of a table sheet into its model, reporting what it had to do."""

    def __init__(self, findings: list[Finding], sheet: SheetLayout, name: str,
                 columns: Columns, percent: frozenset[str] = frozenset()) -> None:
        self.findings = findings
        self.sheet = sheet
        self.name = name
        self.specs, self.width, self.pick = columns.specs, columns.width, columns.pick
        self.percent = percent  # refs of the number cells shown as a % (0.46 as 46%)
        self.required = [(c.key, letter, c.header) for c, letter in columns.required]
        self.model = MODELS[sheet.entity]
        self.key = "month" if sheet.entity == "monthly_updates" else "id"
        self.measures = sheet.entity == "measures"

    def __call__(self, r: int, values: list[Any]) -> Any:
        if len(values) < self.width:
            values = values + [None] * (self.width - len(values))
        picked = self.pick(values)
        if picked.count(None) == len(picked):
            return None  # a blank row, or one with formula cells only: most rows of a sheet
        data: dict[str, Any] = {"row": r}
        unreadable: set[str] | None = None  # most rows have nothing unreadable
        findings, percent = self.findings, self.percent
        for spec, raw in zip(self.specs, picked, strict=True):
            if raw is None:
                continue
            col, letter, parse, key, bucket, number, fix = spec
            try:
                value, note = parse(raw)
            except coerce.Unreadable as exc:
                findings.append(unreadable_finding(exc, self.name, f"{letter}{r}", col.header))
                unreadable = (unreadable or set()) | {key}  # reported once, not also missing
                continue
            if value is None:
                continue
            if number and percent and f"{letter}{r}" in percent and not note:
                value, note = as_points(value)
            if fix is not None and (raw.__class__ is str or col.type in _EXACT) and \
                    _formulas_cannot_read(col.type, raw, value):
                findings.append(F.FORMULA_CANNOT_READ(
                    sheet=self.name, cell=f"{letter}{r}", header=col.header, value=raw,
                    read=note if note and note[0] != "'" else f"'{value}'", fix=fix))
            elif note:
                findings.append(F.VALUE_NORMALISED(
                    sheet=self.name, cell=f"{letter}{r}", header=col.header, value=raw,
                    read=note))
            if bucket is None:
                data[key] = value
            else:
                data.setdefault(bucket, {})[col.period] = value
        for key, letter, header in self.required:
            if key not in data and not (unreadable and key in unreadable):
                what = (f"{_singular(self.sheet)} {data[self.key]}" if self.key in data
                        else f"{self.sheet.title} row {r}")
                findings.append(F.REQUIRED_MISSING(
                    sheet=self.name, cell=f"{letter}{r}", what=what, header=header))
        if self.key not in data:
            return None
        return self.model(**data)


def as_points(value: float) -> tuple[float, str]:
    """A number shown with a percent format, as the points it shows: 0.46 is 46, as the
    template's formulas read it (value x 100 where CELL("format") says P)."""
    points = float(f"{value * 100:.15g}")
    return points, f"{points:g} ({points:g}%, stored as {value:g})"


_EXACT = ("id", "reference", "choice")  # text is expected: a number there is unreadable


def _formulas_cannot_read(kind: str, raw: Any, value: Any) -> bool:
    """Whether the template's formulas cannot read ``raw`` as sheetsync read it (as
    ``value``): text in a number or date cell; an id other than as read, ignoring case
    ('g1' is G1 to a formula's "=", 'g1 ' and 'Goal 1' are not); a choice that is not on
    the list ignoring case and spacing ('done' is not 'Complete'). Blank words never get
    here: both read them as blank."""
    if raw.__class__ is not str:
        return kind in _EXACT  # a number where text is expected
    if kind in ("number", "date"):
        return True
    if kind == "choice":  # TRIM: no spaces around, single spaces inside
        return " ".join(filter(None, raw.split(" "))).lower() != str(value).lower()
    return raw.upper() != value


def _formula_fix(col: Column) -> str | None:
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


def _singular(sheet: SheetLayout) -> str:
    return {"strategic_goals": "Strategic goal", "cdip_goals": "CDIP goal", "needs": "Need",
            "goals": "Goal", "measures": "Measure", "actions": "Action",
            "monthly_updates": "The update for"}[sheet.entity]


def _month_column(sheet: SheetLayout, header: str) -> Column | None:
    """'Oct 2026', 'October-26 actual', 'Interim target Oct 2026' -> the period's column."""
    text = header.lower()
    m = _MONTH_HEADER.search(text)
    if not m:
        return None
    year = int(m.group(2)) if len(m.group(2)) == 4 else 2000 + int(m.group(2))
    period = f"{year:04d}-{_MONTHS[m.group(1)]:02d}"
    key = "interim_target" if ("interim" in text or "target" in text) else "actual"
    try:
        return sheet.column(key, period)
    except KeyError:  # a month of another school year: keep it, report it later
        return Column(key, f"{'Interim' if key != 'actual' else 'Actual'} "
                      f"{period_label(period)}", "number", period=period)


def unreadable_finding(exc: coerce.Unreadable, sheet: str, cell: str, header: str) -> Finding:
    """The finding for a value that could not be read as its column's type."""
    return F.RULES[exc.code](sheet=sheet, cell=cell, header=header, value=exc.value,
                             **exc.extra)
