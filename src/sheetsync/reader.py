"""Reading a filled District Scorecard into a ``Scorecard``, tolerantly.

Sheets and headers are found by name ignoring case, spacing and punctuation (and a few
words people use instead); columns may be moved or added; blank rows are skipped. Every
leniency that changed what was read becomes an info finding, every value that could not be
read a finding at its cell. Formula cells are never read: statuses are computed from inputs.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from functools import lru_cache
from operator import itemgetter
from typing import Any

from . import coerce
from . import findings as F
from .errors import WorkbookUnreadable
from .findings import Finding
from .layout import (
    ID_PREFIXES,
    TEMPLATE_VERSION,
    WORKBOOK_SETTINGS,
    Column,
    Layout,
    SheetLayout,
    column_letter,
    norm,
    scorecard_layout,
)
from .models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    MonthlyUpdate,
    Need,
    Profile,
    Scorecard,
    StrategicGoal,
)
from .schoolyear import SchoolYear, period_label
from .source import MAX_ROWS, WorkbookRows, open_workbook

MODELS = {"strategic_goals": StrategicGoal, "cdip_goals": CdipGoal, "needs": Need,
          "goals": Goal, "measures": Measure, "actions": Action,
          "monthly_updates": MonthlyUpdate}
# Ids and choices repeat down a sheet and from one district to the next: each distinct
# value is read once (an Unreadable is raised afresh each time, never cached).
_read_id = lru_cache(maxsize=4096, typed=True)(coerce.read_id)
_read_choice = lru_cache(maxsize=4096, typed=True)(coerce.read_choice)
_SETTING_LABELS = {norm(label): name for name, label in WORKBOOK_SETTINGS}
_SETTING_KEYS = {"AtRiskBand": "at_risk_band", "UpdateDueDay": "update_due_day"}
HEADER_SCAN_ROWS = 20
PROFILE_SCAN_ROWS = 40

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_HEADER = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\W*(\d{4}|\d{2})\b")


def same_version(found: str | None, expected: str) -> bool:
    """'1', '1.0' and 1.0 typed as a number are the same version; '1.0-beta' is not."""
    def parts(v: str) -> tuple[int, ...] | str:
        try:
            numbers = [int(p) for p in v.strip().split(".")]
        except ValueError:
            return v.strip()
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        return tuple(numbers)
    return found is not None and parts(found) == parts(expected)


def read_scorecard(path: str, school_year: str | None = None,
                   max_rows: int = MAX_ROWS) -> tuple[Scorecard, list[Finding]]:
    """Read the workbook at ``path``. Raises ``WorkbookUnreadable`` if it is not a workbook."""
    return read_rows(open_workbook(path, max_rows), school_year, max_rows)


def read_rows(wb: WorkbookRows, school_year: str | None = None,
              max_rows: int = MAX_ROWS) -> tuple[Scorecard, list[Finding]]:
    return _Reader(wb, max_rows).read(school_year)


class _Reader:
    def __init__(self, wb: WorkbookRows, max_rows: int) -> None:
        self.wb = wb
        self.max_rows = max_rows
        self.findings: list[Finding] = []
        self.sheet_index = {norm(n): n for n in wb.sheet_names}

    # -- the workbook ------------------------------------------------------------------

    def read(self, school_year: str | None) -> tuple[Scorecard, list[Finding]]:
        default = scorecard_layout()
        profile_sheet = default.sheet("profile")
        profile, profile_name = self._profile(profile_sheet)
        year = self._school_year(school_year or profile.school_year, profile_sheet)
        layout = scorecard_layout(year.label)
        card = Scorecard(source=self.wb.path, template_version=profile.template_version,
                         school_year=year.label, profile=profile)
        if profile_name:
            card.sheet_names["profile"] = profile_name
        if profile_name and not same_version(profile.template_version, TEMPLATE_VERSION):
            self.findings.append(F.TEMPLATE_VERSION(
                sheet=profile_name, cell=profile_sheet.field("template_version").cell,
                found=profile.template_version or "(none)", expected=TEMPLATE_VERSION))
        for sheet in layout.sheets[1:]:
            name = self._find_sheet(sheet)
            if name is None:
                self.findings.append(F.MISSING_SHEET(sheet=sheet.name, what=sheet.title.lower()))
                continue
            card.sheet_names[sheet.entity] = name
            rows, letters = self._table(sheet, name, layout)
            setattr(card, sheet.entity, rows)
            card.columns[sheet.entity] = letters
        if not card.sheet_names:
            raise WorkbookUnreadable(self.wb.path, (
                "this is not a District Scorecard workbook: it has none of the template's "
                f"sheets ({', '.join(s.name for s in layout.sheets)}); its sheets are "
                f"{', '.join(self.wb.sheet_names[:6]) or 'none'}"))
        self._check_periods(card, layout, profile_sheet)
        card.settings = self._workbook_settings(layout)
        return card, self.findings

    def _workbook_settings(self, layout: Layout) -> dict[str, float]:
        """The at-risk band and update due day stamped in the Lists sheet, so that a check
        computes what the workbook's own formulas compute."""
        name = self.sheet_index.get(norm(layout.lists_sheet))
        if name is None:
            return {}
        out: dict[str, float] = {}
        for row in self.wb.rows(name)[:len(WORKBOOK_SETTINGS)]:  # one setting a row, at the top
            for i, value in enumerate(row[:-1]):
                key = _SETTING_LABELS.get(norm(value)) if isinstance(value, str) else None
                number = row[i + 1]
                if key in _SETTING_KEYS and isinstance(number, int | float) and \
                        not isinstance(number, bool):
                    out[_SETTING_KEYS[key]] = number
        return out

    def _find_sheet(self, sheet: SheetLayout) -> str | None:
        for candidate in (sheet.name, sheet.title, *sheet.aliases):
            found = self.sheet_index.get(norm(candidate))
            if found:
                return found
        return None

    def _school_year(self, text: str | None, profile_sheet: SheetLayout) -> SchoolYear:
        if text:
            try:
                return SchoolYear.parse(text)
            except ValueError:
                self.findings.append(F.NOT_A_YEAR(
                    sheet=profile_sheet.name, cell=profile_sheet.field("school_year").cell,
                    header="School year", value=text))
        return SchoolYear.containing(date.today())

    def _check_periods(self, card: Scorecard, layout: Layout, profile: SheetLayout) -> None:
        found = {p for m in card.measures for p in (*m.actuals, *m.interim_targets)}
        outside = sorted(found - set(layout.periods))
        if outside:
            years = {SchoolYear.containing(date(int(p[:4]), int(p[5:]), 1)).label for p in outside}
            self.findings.append(F.SCHOOL_YEAR_MISMATCH(
                sheet=profile.name, cell=profile.field("school_year").cell,
                profile=layout.school_year.label, template=", ".join(sorted(years))))

    # -- the profile form --------------------------------------------------------------

    def _profile(self, sheet: SheetLayout) -> tuple[Profile, str | None]:
        name = self._find_sheet(sheet)
        if name is None:
            self.findings.append(F.MISSING_SHEET(sheet=sheet.name, what="the district profile"))
            return Profile(), None
        rows = self.wb.rows(name)
        labels = {norm(r[0]): i for i, r in enumerate(rows[:PROFILE_SCAN_ROWS]) if r and r[0]}
        values: dict[str, Any] = {}
        for fld in sheet.fields:
            if fld.formula:
                continue
            r = labels.get(norm(fld.label))
            cell = f"B{r + 1}" if r is not None else fld.cell
            raw = _at(rows, cell)
            value: Any
            try:
                if fld.type == "date":
                    value, _ = coerce.read_date(raw, self.wb.date1904)
                elif fld.type == "id":
                    value, _ = coerce.read_id(raw, "")
                else:
                    value, _ = coerce.read_text(raw)
            except coerce.Unreadable as exc:
                self._unreadable(exc, name, cell, fld.label)
                continue
            if value is None and fld.required:
                self.findings.append(F.REQUIRED_MISSING(
                    sheet=name, cell=cell, what="The district profile", header=fld.label))
            values[fld.key] = value
        return Profile(**values), name

    # -- a table sheet -----------------------------------------------------------------

    def _table(self, sheet: SheetLayout, name: str,
               layout: Layout) -> tuple[list[Any], dict[str, str]]:
        rows = self.wb.rows(name)
        header_at = self._header_row(sheet, rows)
        if header_at is None:
            self.findings.append(F.NO_HEADER_ROW(
                sheet=name, headers="', '".join(c.header for c in sheet.input_columns[:3]),
                rows=HEADER_SCAN_ROWS))
            return [], {}
        columns = _columns_for(sheet, name, rows[header_at], header_at + 1, self.wb)
        self.findings += columns.findings
        letters = columns.letters
        data = rows[header_at + 1:]
        total = max(self.wb.heights.get(name, 0), len(rows)) - header_at - 1
        if total > self.max_rows:
            self.findings.append(F.TOO_MANY_ROWS(
                sheet=name, rows=total, limit=self.max_rows,
                last=header_at + 1 + self.max_rows))
            data = data[:self.max_rows]
        parse = _RowParser(self, sheet, name, columns)
        out = [m for r, values in enumerate(data, header_at + 2)
               if (m := parse(r, values)) is not None]
        self._duplicates(sheet, name, out, letters)
        return out, letters

    def _header_row(self, sheet: SheetLayout, rows: list[list[Any]]) -> int | None:
        """The row among the first few that names the most of the sheet's columns."""
        known = sheet.input_headers
        best, best_score = None, 1
        for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            score = sum(1 for v in row if isinstance(v, str) and norm(v) in known)
            if score > best_score:
                best, best_score = i, score
                if score * 2 > len(known):
                    break  # most of the headers: no other row can be the header row
        return best

    def _duplicates(self, sheet: SheetLayout, name: str, rows: list[Any],
                    letters: dict[str, str]) -> None:
        key = "month" if sheet.entity == "monthly_updates" else "id"
        header = sheet.column(key).header
        first: dict[str, int] = {}
        for item in rows:
            value = getattr(item, key)
            if value in first:
                self.findings.append(F.DUPLICATE_ID(
                    sheet=name, cell=f"{letters[key]}{item.row}", header=header,
                    value=value, first=first[value]))
            else:
                first[value] = item.row

    def _unreadable(self, exc: coerce.Unreadable, sheet: str, cell: str, header: str) -> None:
        rule = F.RULES[exc.code]
        self.findings.append(rule(sheet=sheet, cell=cell, header=header, value=exc.value,
                                  **exc.extra))


_PLANS: dict[tuple[Any, ...], tuple[SheetLayout, _Columns]] = {}


def _columns_for(sheet: SheetLayout, name: str, header: list[Any], header_row: int,
                 wb: WorkbookRows) -> _Columns:
    """The columns of a sheet with this header row: the same sheets come back with the same
    headers in every workbook of a cohort, so each distinct header row is worked out once."""
    key = (id(sheet), name, tuple(header), header_row, wb.date1904, wb.serial_dates)
    try:
        hit = _PLANS.get(key)
    except TypeError:  # a header cell that cannot be a key (from a foreign source)
        return _Columns(sheet, name, header, header_row, wb.date1904, wb.serial_dates)
    if hit is None or hit[0] is not sheet:
        if len(_PLANS) >= 512:
            _PLANS.clear()
        hit = _PLANS[key] = (sheet, _Columns(sheet, name, header, header_row, wb.date1904,
                                             wb.serial_dates))
    return hit[1]


class _Columns:
    """Which template column each column of a sheet holds, what the reader had to say about
    its headers, and per input column all that reading one of its cells needs."""

    def __init__(self, sheet: SheetLayout, name: str, header: list[Any], header_row: int,
                 date1904: bool, serial_dates: bool) -> None:
        self.sheet = sheet
        self.findings: list[Finding] = []
        self.date1904 = date1904
        self.serial_dates = serial_dates
        mapping = self._map_columns(sheet, name, header, header_row)
        self.letters = {_slot_key(col): column_letter(i + 1) for i, col in mapping.items()}
        inputs = [(i, c, column_letter(i + 1)) for i, c in sorted(mapping.items()) if c.is_input]
        # per input column, all a cell needs: (column, letter, parse, key, bucket, slot, %)
        self.specs = [
            (c, letter, self._parser(c), c.key,
             ("actuals" if c.key == "actual" else "interim_targets") if c.period else None,
             (c.period or "") + c.key, c.type == "number") for _, c, letter in inputs]
        index = [i for i, *_ in inputs]
        self.width = max(index, default=-1) + 1
        self.pick: Any = itemgetter(*index) if len(index) > 1 else \
            (lambda values: tuple(values[i] for i in index))  # one column (or none)
        self.required = [(c, letter) for _, c, letter in inputs if c.required and not c.period]
        self.where = {slot: (c.header, letter) for c, letter, _, _, _, slot, _ in self.specs}

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


class _RowParser:
    """Turns one row of a table sheet into its model, reporting what it had to do."""

    def __init__(self, reader: _Reader, sheet: SheetLayout, name: str,
                 columns: _Columns) -> None:
        self.reader = reader
        self.sheet = sheet
        self.name = name
        self.specs, self.width, self.pick = columns.specs, columns.width, columns.pick
        self.where = columns.where
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
        percent_text: set[str] = set()
        unreadable: set[str] | None = None  # most rows have nothing unreadable
        findings = self.reader.findings
        for spec, raw in zip(self.specs, picked, strict=True):
            if raw is None:
                continue
            col, letter, parse, key, bucket, slot, number = spec
            try:
                value, note = parse(raw)
            except coerce.Unreadable as exc:
                self.reader._unreadable(exc, self.name, f"{letter}{r}", col.header)
                unreadable = (unreadable or set()) | {key}  # reported once, not also missing
                continue
            if value is None:
                continue
            if note:
                findings.append(F.VALUE_NORMALISED(
                    sheet=self.name, cell=f"{letter}{r}", header=col.header, value=raw,
                    read=note))
            if bucket is None:
                data[key] = value
            else:
                data.setdefault(bucket, {})[col.period] = value
            if number and isinstance(raw, str) and raw.rstrip().endswith("%"):
                percent_text.add(slot)
        for key, letter, header in self.required:
            if key not in data and not (unreadable and key in unreadable):
                what = (f"{_singular(self.sheet)} {data[self.key]}" if self.key in data
                        else f"{self.sheet.title} row {r}")
                findings.append(F.REQUIRED_MISSING(
                    sheet=self.name, cell=f"{letter}{r}", what=what, header=header))
        if self.key not in data:
            return None
        if self.measures:
            self._percentages(data, percent_text, r)
        return self.model(**data)

    def _percentages(self, data: dict[str, Any], percent_text: set[str], r: int) -> None:
        """For a % measure, numbers typed as fractions (0.45 shown as 45%) become points.

        Readers that drop number formats cannot tell 0.45 from 45%: when every number of
        the row is within ±1 they are all fractions; otherwise a lone value under 1 is.
        """
        if data.get("unit") != "%":
            return
        slots: list[tuple[dict[str, Any], str, str]] = [
            (data, k, k) for k in ("baseline", "target") if k in data and k not in percent_text]
        for bucket, key in (("actuals", "actual"), ("interim_targets", "interim_target")):
            slots += [(data[bucket], p, p + key) for p in data.get(bucket, {})
                      if p + key not in percent_text]
        if not slots:
            return
        all_fractions = max(abs(d[k]) for d, k, _ in slots) <= 1
        where = self.where
        for d, k, slot in slots:
            v = d[k]
            if v != 0 and (abs(v) < 1 or (all_fractions and abs(v) <= 1)):
                d[k] = round(v * 100, 10)
                header, letter = where[slot]
                self.reader.findings.append(F.VALUE_NORMALISED(
                    sheet=self.name, cell=f"{letter}{r}", header=header, value=v,
                    read=f"{d[k]:g}%"))


def _slot_key(col: Column) -> str:
    return f"{col.key}:{col.period}" if col.period else col.key


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


def _at(rows: list[list[Any]], cell: str) -> Any:
    letters = "".join(ch for ch in cell if ch.isalpha())
    r = int(cell[len(letters):]) - 1
    c = 0
    for ch in letters:
        c = c * 26 + ord(ch) - 64
    if r < len(rows) and c - 1 < len(rows[r]):
        return rows[r][c - 1]
    return None
