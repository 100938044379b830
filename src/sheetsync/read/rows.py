"""A table sheet's rows, read: which template column each column holds, and each row into
its model.

The same sheets come back with the same header rows in every workbook of a cohort, so how
a header row maps onto the layout (the columns found, the findings about the headers, and
a prepared reader for each input cell) is worked out once and kept. Formula columns are
never read: statuses are computed from the inputs.
"""

from __future__ import annotations

import difflib
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sheetsync.read import coerce, formats
from sheetsync.read.headers import missing_required, month_column
from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    MonthlyUpdate,
    Need,
    StrategicGoal,
    Strategy,
)
from sheetsync.read.source import WorkbookRows
from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_letter
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import ID_PREFIXES, Column, SheetLayout, norm
from sheetsync.schema.schoolyear import period_label
from sheetsync.schema.vocabulary import PERCENT

MODELS = {"strategic_goals": StrategicGoal, "cdip_goals": CdipGoal, "needs": Need,
          "goals": Goal, "strategies": Strategy, "measures": Measure, "actions": Action,
          "monthly_updates": MonthlyUpdate}
# Ids and choices repeat down a sheet and from one district to the next: each distinct
# value is read once (an Unreadable is raised afresh each time, never cached).
_read_id = lru_cache(maxsize=4096, typed=True)(coerce.read_id)
_read_choice = lru_cache(maxsize=4096, typed=True)(coerce.read_choice)


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
        # how to fix a value the workbook's formulas cannot read, or None, and where a
        # measure's number stands in the order the mixed-scale rule reads them, or None)
        self.specs = [
            (c, letter, self._parser(c), c.key,
             ("actuals" if c.key == "actual" else "interim_targets") if c.period else None,
             c.type == "number", formats.formula_fix(c),
             (formats.ORDER[c.key], c.period or "") if c.key in formats.ORDER else None)
            for _, c, letter in inputs]
        index = [i for i, *_ in inputs]
        self.width = max(index, default=-1) + 1
        self.pick: Any = itemgetter(*index) if len(index) > 1 else \
            (lambda values: tuple(values[i] for i in index))  # one column (or none)
        self.required = [(c, letter) for _, c, letter in inputs if c.required and not c.period]
        self.unit_at = next((n for n, (_, c, _) in enumerate(inputs) if c.key == "unit"), None)
        # the computed columns found, left to right: (letter, header)
        self.computed = [(column_letter(i + 1), c.header) for i, c in sorted(mapping.items())
                         if not c.is_input]

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
                col = month_column(sheet, str(value))
            if col is None or id(col) in taken:
                unmatched.append((i, str(value)))
                continue
            mapping[i] = col
            taken.add(id(col))
            if key != norm(col.header):
                self._renamed(name, i, header_row, str(value), col)
        missing = [c for c in sheet.columns if id(c) not in taken and not c.period]
        extra: list[tuple[int, str]] = []
        for i, text in unmatched:
            names = {norm(c.header): c for c in missing}
            close = difflib.get_close_matches(norm(text), list(names), n=1, cutoff=0.8)
            if close:
                col = names[close[0]]
                mapping[i] = col
                missing.remove(col)
                self._renamed(name, i, header_row, text, col)
            else:
                extra.append((i, text))
                self.findings.append(F.EXTRA_COLUMN(
                    sheet=name, cell=f"{column_letter(i + 1)}{header_row}",
                    column=column_letter(i + 1), header=text))
        for col in missing:
            if col.is_input and col.required:
                self.findings.append(missing_required(name, col, extra))
            elif col.is_input:
                self.findings.append(F.MISSING_OPTIONAL_COLUMN(sheet=name, header=col.header))
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
        if t == "text" and col.key in NAMING:
            return coerce.read_words
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
                 columns: Columns, percent: frozenset[str] = frozenset(),
                 formulas: dict[str, frozenset[int]] | None = None) -> None:
        self.findings = findings
        self.sheet = sheet
        self.name = name
        self.specs, self.width, self.pick = columns.specs, columns.width, columns.pick
        self.percent = percent  # refs of the number cells shown as a % (0.46 as 46%)
        self.required = [(c.key, letter, c.header) for c, letter in columns.required]
        self.model = MODELS[sheet.entity]
        self.key = "month" if sheet.entity == "monthly_updates" else "id"
        self.measures = sheet.entity == "measures"
        self.date1904, self.serial_dates = columns.date1904, columns.serial_dates
        self.unit_at = columns.unit_at if self.measures else None
        # the computed columns that hold formulas in some row, with those rows; None where
        # the source cannot say or no computed column holds any (a values-only workbook)
        self.computed = [(letter, header, formulas[letter]) for letter, header
                         in columns.computed if formulas and formulas.get(letter)] or None
        # input cells holding a formula (typed by a person): read by their saved result
        inputs = {spec[1] for spec in self.specs}
        self.input_formulas = {letter: rows for letter, rows in (formulas or {}).items()
                               if letter in inputs and rows}

    def __call__(self, r: int, values: list[Any]) -> Any:
        if len(values) < self.width:
            values = values + [None] * (self.width - len(values))
        picked = self.pick(values)
        if picked.count(None) == len(picked):
            return None  # a blank row, or one with formula cells only: most rows of a sheet
        data: dict[str, Any] = {"row": r}
        unreadable: set[str] | None = None  # most rows have nothing unreadable
        stored: list[tuple[Any, ...]] = []  # a measure's numbers: (order, letter, value)
        findings, percent = self.findings, self.percent
        # A percent format means points in a % measure only: elsewhere (a count, a score)
        # the stored number is read, as the sheet's formulas read it, and said.
        unit = picked[self.unit_at] if self.unit_at is not None else None
        points = self.unit_at is None or _not_another_unit(unit)
        for spec, raw in zip(self.specs, picked, strict=True):
            if raw is None:
                if self.input_formulas and r in self.input_formulas.get(spec[1], ()):
                    findings.append(F.FORMULA_WITHOUT_VALUE(
                        sheet=self.name, cell=f"{spec[1]}{r}", header=spec[0].header))
                continue
            col, letter, parse, key, bucket, number, fix, order = spec
            if raw.__class__ is not str:
                if order is not None and raw.__class__ in _SERIALS:
                    stored.append((order, letter, raw))
                elif self._odd(spec, raw, r, data, stored):
                    continue  # read, and said what was odd about it
            try:
                value, note = parse(raw)
            except coerce.Unreadable as exc:
                findings.append(unreadable_finding(exc, self.name, f"{letter}{r}", col.header))
                unreadable = (unreadable or set()) | {key}  # reported once, not also missing
                continue
            if value is None:
                continue
            if number and percent and f"{letter}{r}" in percent and not note:
                if points or order is None:
                    value, note = as_points(value)
                else:
                    findings.append(F.PERCENT_FORMAT_NOT_PERCENT_UNIT(
                        sheet=self.name, cell=f"{letter}{r}", header=col.header,
                        shown=f"{as_points(value)[0]:g}%", measure=picked[0] if picked
                        else "", unit=unit, value=f"{value:g}"))
            if fix is not None and (raw.__class__ is str or col.type in formats.EXACT) and \
                    formats.formulas_cannot_read(col.type, raw, value):
                findings.append(F.FORMULA_CANNOT_READ(
                    sheet=self.name, cell=f"{letter}{r}", header=col.header, value=raw,
                    read=note if note and note[0] != "'" else f"'{value}'", fix=fix,
                    flagged="the row's Check column flags it"))
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
        if len(stored) > 1 and (data.get("unit") == PERCENT or formats.is_percent_unit(unit)):
            self._scales(r, data["id"], stored, formats.is_percent_unit(unit))
        if self.computed is not None and not any(r in rows for _, _, rows in self.computed):
            findings.append(formats.without_formulas(
                self.name, self.sheet.entity, r, self._what(data),
                [(letter, header) for letter, header, _ in self.computed]))
        return self.model(**data)

    def _scales(self, r: int, measure: str, stored: list[tuple[Any, ...]],
                unit_is_percent: bool) -> None:
        """``mixed-percent-scale`` for a % row whose numbers (as stored) mix scales, or
        whose percent formats are mixed; the quick test first (most rows pass it)."""
        percent = self.percent
        values = [v for _, _, v in stored if v > 0]
        mixed_formats = bool(percent) and len(
            {f"{letter}{r}" in percent for _, letter, v in stored if v != 0}) == 2
        if not mixed_formats and not (unit_is_percent and values and
                                      min(values) * formats.SCALE_RATIO <= max(values)):
            return
        cells = [formats.Stored(order, f"{letter}{r}", v, f"{letter}{r}" in percent)
                 for order, letter, v in stored]
        found = formats.mixed_scale(cells, self.name, measure, unit_is_percent)
        if found is not None:
            self.findings.append(found)

    def _odd(self, spec: tuple[Any, ...], raw: Any, r: int, data: dict[str, Any],
             stored: list[tuple[Any, ...]]) -> bool:
        """A cell whose value's kind is odd for its column: a date (or a date-formatted
        number) in a number column is read as its serial, as the formulas read it; a number
        in a date column is read as a date, and both are said. A date before 2000 in a date
        column is said (the sheet's Check flags it) and read on as usual. True when the cell
        was read here."""
        col, letter, parse, key, bucket, number, _, order = spec
        cell = f"{letter}{r}"
        if number and isinstance(raw, formats.DATES):
            value, found = formats.date_in_number(raw, self.date1904, self.name, cell,
                                                  col.header)
        elif col.type != "date":
            return False
        elif raw.__class__ in _SERIALS and (raw < formats.FIRST_DATE or not self.serial_dates):
            said = formats.number_in_date(raw, self.date1904, self.serial_dates, self.name,
                                          cell, col.header)
            try:
                value, _ = parse(raw)
            except coerce.Unreadable:
                return False  # reported as not-a-date by the usual way
            if said is None or value is None:
                return False
            found = said
        else:
            if isinstance(raw, date) and raw.year < 2000:  # 45 shown as 1900-02-14
                said = formats.number_in_date(coerce.date_to_serial(raw, self.date1904),
                                              self.date1904, self.serial_dates, self.name,
                                              cell, col.header)
                if said is not None:
                    self.findings.append(said)
            return False
        self.findings.append(found)
        if order is not None:
            stored.append((order, letter, value))
        if bucket is None:
            data[key] = value
        else:
            data.setdefault(bucket, {})[col.period] = value
        return True

    def _what(self, data: dict[str, Any]) -> str:
        """What a row holds, in words: 'measure M3', 'the update for Oct 2026'."""
        if self.sheet.entity == "monthly_updates":
            return f"the update for {period_label(data['month'])}"
        return f"{_singular(self.sheet).lower()} {data['id']}"


_SERIALS = (int, float)  # a number cell's value, exactly these classes


def _not_another_unit(unit: Any) -> bool:
    """Whether a measure's Unit cell leaves its percent-formatted numbers as points: it is
    %, or blank or unreadable (reported on its own); not when it is count, score, rate…"""
    try:
        return _read_choice(unit, "units")[0] in (PERCENT, None)
    except coerce.Unreadable:
        return True


def as_points(value: float) -> tuple[float, str]:
    """A number shown with a percent format, as the points it shows: 0.46 is 46 (the
    template's formulas read the stored 0.46; a status is scale-free, docs/values.md)."""
    points = float(f"{value * 100:.15g}")
    return points, f"{points:g} ({points:g}%, stored as {value:g})"


# The text columns that name or describe a row: every word typed there is read ("NA" is a
# measure's name); in the others a placeholder ("N/A", "TBD") reads as blank.
NAMING = frozenset({"name", "title", "description", "statement"})


def _singular(sheet: SheetLayout) -> str:
    return {"strategic_goals": "Strategic goal", "cdip_goals": "CDIP goal", "needs": "Need",
            "goals": "Goal", "strategies": "Strategy", "measures": "Measure",
            "actions": "Action", "monthly_updates": "The update for"}[sheet.entity]


def unreadable_finding(exc: coerce.Unreadable, sheet: str, cell: str, header: str) -> Finding:
    """The finding for a value that could not be read as its column's type."""
    return F.RULES[exc.code](sheet=sheet, cell=cell, header=header, value=exc.value,
                             **exc.extra)
