"""How a sheet's headers are matched to the template's columns beyond their names: a month
column by the month it names ('Oct 2026', 'October-26 actual'), and the column a required
one most likely is when its header was renamed ('Baseline (2025-26)' for Baseline, 'Goal'
for Target), which ``missing-column`` and ``upgrade --map`` name."""

from __future__ import annotations

import difflib
import re

from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_letter
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import Column, SheetLayout, norm
from sheetsync.schema.schoolyear import period_label

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_MONTH_HEADER = re.compile(
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\W*(\d{4}|\d{2})\b")


# Headers people give a required column that no reader should take for it unasked.
_LIKELY_WORDS = {"target": ("goal", "end", "final"), "baseline": ("start", "base"),
                 "name": ("measure name", "what is measured"), "due_date": ("due", "deadline")}


def likely_column(col: Column, extra: list[tuple[int, str]]) -> tuple[int, str] | None:
    """The column not read (index, header) that most likely holds ``col``: its header
    contains the column's ('Baseline (2025-26)'), is a word people use for it ('Goal' for
    Target), or is close to it."""
    want = [norm(w) for w in (col.header, *col.aliases)]
    words = {norm(w) for w in _LIKELY_WORDS.get(col.key, ())}
    for i, text in extra:
        found = norm(text)
        if found and (any(w and w in found for w in want) or found in words):
            return i, text
    close = difflib.get_close_matches(want[0], [norm(t) for _, t in extra], n=1, cutoff=0.6)
    return next(((i, t) for i, t in extra if close and norm(t) == close[0]), None)


def missing_required(sheet: str, col: Column, extra: list[tuple[int, str]]) -> Finding:
    """``missing-column``, naming the column that looks like it (if one does)."""
    likely = likely_column(col, extra)
    if likely is None:
        return F.MISSING_COLUMN(sheet=sheet, header=col.header, key=col.key,
                                fix=f"Add a column headed '{col.header}' (it is required).",
                                candidate=None, candidate_header=None)
    letter, text = column_letter(likely[0] + 1), likely[1]
    extra.remove(likely)
    return F.MISSING_COLUMN(
        sheet=sheet, header=col.header, key=col.key, candidate=letter, candidate_header=text,
        fix=(f"'{text}' in {letter} looks like {col.header}: rename it '{col.header}' (it is "
             f"required), or to upgrade the workbook as it is pass --map {letter}={col.key}."))


def month_column(sheet: SheetLayout, header: str) -> Column | None:
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
