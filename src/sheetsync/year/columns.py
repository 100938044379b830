"""Required columns an upgrade would lose, and ``--map`` to say where they are.

The reader matches headers leniently, but a required column renamed past recognition
('Baseline (2025-26)', 'Goal' for Target) is not read: an upgrade would carry its values to
the Extra Columns sheet and leave every row without them. So an upgrade refuses while a
required column is missing and the sheet has a column it did not read (naming the one that
looks like it), and ``--map F=baseline`` (or ``--map "Measures!F=baseline"``) reads column F
as Baseline. A sheet with no column left unread has nothing to lose: the upgrade goes on,
and its notes say which column is missing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sheetsync.errors import MissingColumns, YearError
from sheetsync.read.models import Scorecard
from sheetsync.read.source import WorkbookRows
from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_index
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import Column, SheetLayout, norm
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.year.changes import Changes

_MAP = re.compile(r"^\s*(?:(?P<sheet>[^!]+)!)?(?P<column>[A-Za-z]{1,3})\s*=\s*(?P<key>.+?)\s*$")


@dataclass(frozen=True)
class ColumnMap:
    """``--map [SHEET!]COLUMN=KEY``: read ``column`` of ``sheet`` as the column ``key``."""

    column: str
    key: str
    sheet: str | None = None

    @classmethod
    def parse(cls, text: str) -> ColumnMap:
        m = _MAP.match(text)
        if not m:
            raise YearError(f"--map {text!r}: write it as COLUMN=KEY, e.g. --map F=baseline "
                            "(or \"Measures!F=baseline\" to name the sheet).")
        return cls(m["column"].upper(), m["key"], m["sheet"])

    def __str__(self) -> str:
        return f"{self.sheet + '!' if self.sheet else ''}{self.column}={self.key}"


def apply_maps(card: Scorecard, found: list[Finding], raw: WorkbookRows,
               maps: Sequence[ColumnMap], changes: Changes) -> bool:
    """Give each mapped column its template header in ``raw``'s rows (to be read again),
    noting each in ``changes``. Whether anything was mapped."""
    layout = scorecard_layout(card.school_year, card.level)
    for m in maps:
        sheet = _sheet_of(m, card, found, layout.sheets)
        name = card.sheet_names[sheet.entity]
        col = _column_of(m, sheet)
        extra = next((f for f in found if f.code == F.EXTRA_COLUMN.code and f.sheet == name
                      and f.column == m.column), None)
        if extra is None or extra.row is None:
            raise YearError(f"--map {m}: column {m.column} of '{name}' is read already (or "
                            "is empty); --map is for a column sheetsync does not read.")
        rows = raw.rows(name)
        header = rows[extra.row - 1]
        i = column_index(m.column) - 1
        was = header[i]
        header[i] = col.header
        changes.add("moved", name, None, f"Column {m.column} '{was}' read as '{col.header}' "
                                         f"(--map {m}).")
    return bool(maps)


def refuse_missing(path: str, found: list[Finding], changes: Changes) -> None:
    """Raise ``MissingColumns`` for every required column missing from a sheet that has a
    column the reader did not read; note the others (nothing of theirs can be lost)."""
    problems = []
    for f in found:
        if f.code != F.MISSING_COLUMN.code:
            continue
        v = f.values
        unread = [(x.column, x.values.get("header")) for x in found
                  if x.code == F.EXTRA_COLUMN.code and x.sheet == f.sheet]
        if v.get("candidate"):
            problems.append(f"'{v['candidate_header']}' in {v['candidate']} of '{f.sheet}' "
                            f"looks like {v['header']}: pass --map {v['candidate']}={v['key']}")
        elif unread:
            named = ", ".join(f"{c} ('{h}')" for c, h in unread)
            problems.append(f"'{f.sheet}' has no '{v['header']}' column: if one of {named} "
                            f"holds it, pass --map COLUMN={v['key']}; otherwise add a column "
                            f"headed '{v['header']}'")
        else:
            changes.add("kept", f.sheet or "", None, f"'{f.sheet}' has no '{v['header']}' "
                        "column (it is required): fill it in on the upgraded workbook.")
    if problems:
        raise MissingColumns(path, problems)


def _sheet_of(m: ColumnMap, card: Scorecard, found: list[Finding],
              sheets: tuple[SheetLayout, ...]) -> SheetLayout:
    """The sheet a map is for: the one it names, else the one missing a required column
    with that key, else the one sheet that has a column with that key."""
    tables = [s for s in sheets if s.entity in card.sheet_names and not s.fields]
    if m.sheet:
        named = [s for s in tables if norm(m.sheet) in
                 (norm(card.sheet_names[s.entity]), norm(s.name))]
        if not named:
            raise YearError(f"--map {m}: the workbook has no sheet '{m.sheet}'.")
        return named[0]
    by_name = {card.sheet_names[s.entity]: s for s in tables}
    missing = {by_name[f.sheet] for f in found if f.code == F.MISSING_COLUMN.code
               and f.sheet in by_name and _matches(m.key, f.values.get("key"),
                                                   f.values.get("header"))}
    having = [s for s in tables if any(_matches(m.key, c.key, c.header)
                                       for c in s.input_columns if not c.period)]
    candidates = list(missing) or having
    if not candidates:
        raise YearError(f"--map {m}: no sheet of the template has a column '{m.key}'.")
    if len(candidates) != 1:
        names = ", ".join(card.sheet_names[s.entity] for s in candidates) or "none"
        raise YearError(f"--map {m}: say which sheet (sheets with that column: {names}), "
                        f"e.g. --map \"{names.split(', ')[0]}!{m.column}={m.key}\".")
    return candidates[0]


def _column_of(m: ColumnMap, sheet: SheetLayout) -> Column:
    for col in sheet.input_columns:
        if not col.period and _matches(m.key, col.key, col.header):
            return col
    keys = ", ".join(c.key for c in sheet.input_columns if not c.period)
    raise YearError(f"--map {m}: '{sheet.name}' has no column '{m.key}' (its columns: {keys}).")


def _matches(wanted: str, key: object, header: object) -> bool:
    return norm(wanted) in (norm(key), norm(header))


__all__ = ["ColumnMap", "MissingColumns", "apply_maps", "refuse_missing"]
