"""A filled workbook moved onto the current template: ``sheetsync upgrade``.

The reader finds every value wherever it was (an older template version, moved or renamed
headers, extra columns); the writer puts each back in its place on the current template.
What the template has no place for is never dropped: extra columns, months of another
school year and sheets of the district's own are kept on sheets of their own. A required
column whose header the reader did not recognise stops the upgrade, naming the column that
looks like it, until ``--map`` says where it is (``year.columns``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sheetsync.read.district import DistrictPlan
from sheetsync.read.models import Scorecard
from sheetsync.read.scorecard import read_rows, same_version
from sheetsync.read.source import WorkbookRows, open_workbook
from sheetsync.schema import findings as F
from sheetsync.schema.cells import column_index
from sheetsync.schema.findings import Finding
from sheetsync.schema.layout import TEMPLATE_VERSION, norm
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import scorecard_workbook, settings_of, unplaced
from sheetsync.template.school import refreshed
from sheetsync.template.workbook import save_atomic
from sheetsync.year.changes import Changes
from sheetsync.year.columns import ColumnMap, apply_maps, refuse_missing
from sheetsync.year.errors import refuse_newer_template, refuse_output

EXTRA_SHEET = "Extra Columns"
NOTES_SHEET = "Upgrade Notes"
NOTES_INTRO = ("What sheetsync moved when it put this scorecard on template version "
               f"{TEMPLATE_VERSION}. Delete this sheet when you have read it.")
EXTRA_HEADERS = ("Sheet", "Column", "Header", "Row", "ID", "Value")


def upgrade_file(source: str | Path, output: str | Path, force: bool = False,
                 district: DistrictPlan | None = None,
                 maps: Sequence[str | ColumnMap] = ()) -> Changes:
    """Write the workbook at ``source`` onto the current template at ``output``; ``source``
    is only read. A school plan given its ``district``'s plan gets the district's current
    strategic goals (its own rows kept). ``maps`` ("F=baseline", "Measures!F=baseline")
    read a column whose header was not recognised as the column it names. Raises
    ``WorkbookUnreadable``, ``MissingColumns`` (a required column not found where its
    values may be: see ``year.columns``) or ``YearError``."""
    source, output = Path(source), Path(output)
    refuse_output(output, source, force)
    column_maps = [m if isinstance(m, ColumnMap) else ColumnMap.parse(m) for m in maps]
    raw = open_workbook(str(source))
    card, found = read_rows(raw)
    refuse_newer_template(card.template_version, str(source))
    changes = Changes("upgrade", str(source), str(output),
                      {"from_version": card.template_version, "to_version": TEMPLATE_VERSION})
    if apply_maps(card, found, raw, column_maps, changes):
        card, found = read_rows(raw)  # the mapped headers now name their columns
    refuse_missing(str(source), found, changes)
    if district is not None and card.level == "school":
        card = _refresh(card, district, changes)
    wb = scorecard_workbook(card, settings=settings_of(card))
    _moved(card, found, changes)
    extra = _extra_columns(card, found, raw, changes) + _other_months(card, changes)
    if extra:
        ws = wb.create_sheet(_free_name(wb, EXTRA_SHEET))
        for row in (EXTRA_HEADERS, *extra):
            ws.append(list(row))
    _own_sheets(wb, card, raw, changes)
    changes.to_sheet(wb, _free_name(wb, NOTES_SHEET), NOTES_INTRO)
    save_atomic(wb, output)
    return changes


def _refresh(card: Scorecard, district: DistrictPlan, changes: Changes) -> Scorecard:
    """The school plan with the district's current strategic goals; each goal added or
    removed is listed."""
    sheet = card.sheet_names.get("strategic_goals", "Strategic Goals")
    ours = {g.id for g in card.strategic_goals}
    for g in district.strategic_goals:
        if g.id not in ours:
            changes.add("moved", sheet, g.id, f"The district's strategic goal {g.id} "
                                              f"('{g.title or ''}') added.")
    for g in card.strategic_goals:
        if g.id not in district.goal_ids:
            changes.add("moved", sheet, g.id, f"Strategic goal {g.id} ('{g.title or ''}') "
                                              "removed: the district no longer has it.")
    return refreshed(card, district)


def _moved(card: Scorecard, found: list[Finding], changes: Changes) -> None:
    if not same_version(card.template_version, TEMPLATE_VERSION):
        profile = card.sheet_names.get("profile", scorecard_layout().sheet("profile").name)
        changes.add("moved", profile, None,
                    f"Template version {card.template_version or '(none)'} becomes "
                    f"{TEMPLATE_VERSION}.")
    for f in found:
        if f.code in (F.RENAMED_HEADER.code, F.MOVED_COLUMN.code):
            changes.add("moved", f.sheet or "", None, f.message)


def _extra_columns(card: Scorecard, found: list[Finding], raw: WorkbookRows,
                   changes: Changes) -> list[tuple[Any, ...]]:
    """Every value of every column the template does not have, one row per value."""
    out: list[tuple[Any, ...]] = []
    for f in found:
        if f.code != F.EXTRA_COLUMN.code or not f.sheet or not f.column or not f.row:
            continue
        rows = raw.rows(f.sheet)
        c = _index(f.column)
        header = rows[f.row - 1][c]
        ids = _ids(card, f.sheet)
        values = [(r, row[c]) for r, row in enumerate(rows[f.row:], f.row + 1)
                  if c < len(row) and row[c] is not None]
        out += [(f.sheet, f.column, header, r, ids.get(r), v) for r, v in values]
        changes.add("kept", f.sheet, None,
                    f"Column {f.column} '{header}' is not on the template: its {len(values)} "
                    f"values are kept on the '{EXTRA_SHEET}' sheet.")
    return out


def _other_months(card: Scorecard, changes: Changes) -> list[tuple[Any, ...]]:
    """Actuals and interim targets of months outside the workbook's school year."""
    layout = scorecard_layout(card.school_year)
    sheet = card.sheet_names.get("measures", scorecard_layout().sheet("measures").name)
    out = []
    for mid, key, period, value in unplaced(card, layout):
        header = f"{'Actual' if key == 'actual' else 'Interim'} {period}"
        out.append((sheet, card.columns.get("measures", {}).get(f"{key}:{period}"), header,
                    None, mid, value))
    if out:
        changes.add("kept", sheet, None,
                    f"{len(out)} monthly values of months outside {card.school_year} are kept "
                    f"on the '{EXTRA_SHEET}' sheet.")
    return out


def _own_sheets(wb: Workbook, card: Scorecard, raw: WorkbookRows, changes: Changes) -> None:
    """Sheets that are not the template's (the district's own) are copied, values only."""
    layout = scorecard_layout(card.school_year)
    template = {norm(n) for n in (layout.instructions_sheet, layout.lists_sheet,
                                  *card.sheet_names.values())}
    for name in raw.sheet_names:
        if norm(name) in template or name == "xlwings.conf":
            continue
        ws = wb.create_sheet(_free_name(wb, name))
        for row in raw.rows(name):
            ws.append(row)
        changes.add("kept", name, None, f"The sheet '{name}' is not the template's: copied "
                    f"as '{ws.title}' (values only).")


def _ids(card: Scorecard, sheet: str) -> dict[int, str]:
    entity = next((e for e, n in card.sheet_names.items() if n == sheet), None)
    if entity is None or entity == "profile":
        return {}
    key = "month" if entity == "monthly_updates" else "id"
    return {item.row: getattr(item, key) for item in getattr(card, entity)}


def _index(letters: str) -> int:
    return column_index(letters) - 1  # from 0


def _free_name(wb: Workbook, name: str) -> str:
    taken = {norm(n) for n in wb.sheetnames}
    if norm(name) not in taken:
        return name
    return next(f"{name} {i}" for i in range(2, 100) if norm(f"{name} {i}") not in taken)
