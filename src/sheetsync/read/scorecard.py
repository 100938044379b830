"""Reading a filled District Scorecard into a ``Scorecard``, tolerantly.

Sheets and headers are found by name ignoring case, spacing and punctuation (and a few
words people use instead); columns may be moved or added; blank rows are skipped. Every
leniency that changed what was read becomes an info finding, every value that could not be
read a finding at its cell. Formula cells are never read: statuses are computed from inputs.
This module finds the sheets, the profile form and each table's header row; how a table's
columns map and its rows become models is ``table_rows``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sheetsync.errors import WorkbookUnreadable
from sheetsync.read import coerce
from sheetsync.read.models import Profile, Scorecard
from sheetsync.read.rows import RowParser, columns_for, unreadable_finding
from sheetsync.read.source import MAX_ROWS, WorkbookRows, open_workbook
from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_index, column_letter, split_cell, value_at
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import FORM_SCAN_ROWS, TEMPLATE_VERSION, Layout, SheetLayout, norm
from sheetsync.schema.level import LevelKey
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import BY_NAME, WORKBOOK_SETTINGS
from sheetsync.schema.sheets import scorecard_layout

HEADER_SCAN_ROWS = 20
PROFILE_SCAN_ROWS = FORM_SCAN_ROWS


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


def _at_least(found: str | None, version: str) -> bool:
    """Whether the workbook's template version ``found`` is ``version`` or later (a version
    that is not numbers, or none, counts as the current one)."""
    try:
        have = tuple(int(p) for p in (found or "").strip().split("."))
    except ValueError:
        return True
    return have >= tuple(int(p) for p in version.split("."))


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
        level = self._level()
        default = scorecard_layout(level=level)
        profile_sheet = default.sheet("profile")
        profile, profile_name = self._profile(profile_sheet)
        year = self._school_year(school_year or profile.school_year, profile_sheet)
        layout = scorecard_layout(year.label, level)
        card = Scorecard(source=self.wb.path, template_version=profile.template_version,
                         school_year=year.label, profile=profile, level=level)
        if profile_name:
            card.sheet_names["profile"] = profile_name
        if profile_name and not same_version(profile.template_version, TEMPLATE_VERSION):
            self.findings.append(F.TEMPLATE_VERSION(
                sheet=profile_name, cell=profile_sheet.field("template_version").cell,
                found=profile.template_version or "(none)", expected=TEMPLATE_VERSION))
        for sheet in layout.sheets[1:]:
            name = self._find_sheet(sheet)
            if name is None:
                newer = sheet.since is not None and not _at_least(card.template_version,
                                                                 sheet.since)
                self.findings.append(F.MISSING_SHEET(  # a sheet added since: a warning
                    sheet=sheet.name, what=sheet.title.lower(),
                    severity=F.WARN if newer else None))
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

    def _level(self) -> LevelKey:
        """A workbook with a School Profile sheet is a school plan; any other, a district's."""
        school = scorecard_layout(level="school").sheet("profile")
        return "school" if self._find_sheet(school) else "district"

    def _workbook_settings(self, layout: Layout) -> dict[str, float]:
        """The at-risk band and update due day stamped in the Lists sheet, so that a check
        computes what the workbook's own formulas compute."""
        name = self.sheet_index.get(norm(layout.lists_sheet))
        if name is None:
            return {}
        labels = {norm(label): name for name, label in WORKBOOK_SETTINGS}  # as declared now
        keys = {name: s.key for name, s in BY_NAME.items()}
        out: dict[str, float] = {}
        for row in self.wb.rows(name)[:len(WORKBOOK_SETTINGS)]:  # one setting a row, at the top
            for i, value in enumerate(row[:-1]):
                key = labels.get(norm(value)) if isinstance(value, str) else None
                number = row[i + 1]
                if key in keys and isinstance(number, int | float) and \
                        not isinstance(number, bool):
                    out[keys[key]] = number
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
            self.findings.append(F.MISSING_SHEET(sheet=sheet.name,
                                                 what=f"the {sheet.title.lower()}"))
            return Profile(), None
        rows = self.wb.rows(name)
        labels = {norm(r[0]): i for i, r in enumerate(rows[:PROFILE_SCAN_ROWS]) if r and r[0]}
        values: dict[str, Any] = {}
        for fld in sheet.fields:
            if fld.formula:
                continue
            r = labels.get(norm(fld.label))
            cell = f"{sheet.value_column}{r + 1}" if r is not None else fld.cell
            raw = value_at(rows, cell)
            value: Any
            try:
                if fld.type == "date":
                    value, _ = coerce.read_date(raw, self.wb.date1904)
                    if isinstance(raw, str) and value is not None:
                        self._text_date(name, cell, fld.label, raw, value)
                elif fld.type == "id":
                    value, _ = coerce.read_id(raw, "")
                else:
                    value, _ = coerce.read_text(raw)
            except coerce.Unreadable as exc:
                self._unreadable(exc, name, cell, fld.label)
                continue
            if value is None and fld.required:
                self.findings.append(F.REQUIRED_MISSING(
                    sheet=name, cell=cell, what=f"The {sheet.title.lower()}",
                    header=fld.label))
            values[fld.key] = value
        return Profile(**values), name

    def _text_date(self, sheet: str, cell: str, label: str, raw: str, value: date) -> None:
        """The status date typed as text: sheetsync reads it, the workbook's formulas cannot
        (they use today's date, and the cell beside it says so)."""
        column, row = split_cell(cell)
        flag = f"{column_letter(column_index(column) + 1)}{row}"
        self.findings.append(F.FORMULA_CANNOT_READ(
            sheet=sheet, cell=cell, header=label, value=raw, read=value.isoformat(),
            flagged=f"they use today's date instead ({flag} says so)",
            fix="type it as a date such as 2027-01-31"))

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
        columns = columns_for(sheet, name, rows[header_at], header_at + 1, self.wb)
        self.findings += columns.findings
        letters = columns.letters
        data = rows[header_at + 1:]
        total = max(self.wb.heights.get(name, 0), len(rows)) - header_at - 1
        if total > self.max_rows:
            self.findings.append(F.TOO_MANY_ROWS(
                sheet=name, rows=total, limit=self.max_rows,
                last=header_at + 1 + self.max_rows))
            data = data[:self.max_rows]
        formulas = self.wb.formula_cells
        parse = RowParser(self.findings, sheet, name, columns,
                          self.wb.percent_cells.get(name, frozenset()),
                          None if formulas is None else formulas.get(name, {}))
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
        self.findings.append(unreadable_finding(exc, sheet, cell, header))

