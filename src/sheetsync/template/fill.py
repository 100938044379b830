"""One writer for a scorecard: a ``Scorecard`` filled into the current template.

The inverse of the reader: ``read_scorecard(write_scorecard(card, path))`` gives back the
values of ``card``. Percentages are written as points in plain number cells (45, never 0.45
with a percent format), dates as real dates, a need's priority as yes/no and a monthly
update's month as the first day of that month. The workbook is built by the template
builder, so it is the current template, formulas, dropdowns and all.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sheetsync.check.status import StatusSettings
from sheetsync.read.models import Scorecard
from sheetsync.schema.layout import Column, Layout, SheetLayout, entity_sheets
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic

PROFILE_KEYS = ("school_id", "school_name", "district_id", "district_name", "as_of",
                "contact_name", "contact_email", "school_level")


def write_scorecard(card: Scorecard, path: str | Path, school_year: str | None = None,
                    settings: StatusSettings | None = None) -> Path:
    """Write ``card`` onto the template of ``school_year`` (default: the card's) at ``path``.

    ``settings`` (default: the card's own, else the defaults) are stamped in the workbook
    for its formulas. Months of ``card`` outside that school year are not written: see
    ``unplaced``.
    """
    return save_atomic(scorecard_workbook(card, school_year, settings), path)


def scorecard_workbook(card: Scorecard, school_year: str | None = None,
                       settings: StatusSettings | None = None) -> Workbook:
    """The template workbook filled with ``card``, not yet saved (callers may add a sheet)."""
    layout = scorecard_layout(school_year or card.school_year, card.level)  # type: ignore[arg-type]
    chosen = settings or settings_of(card)
    profile = {k: getattr(card.profile, k) for k in PROFILE_KEYS}
    return build_template(layout, profile=profile, rows=scorecard_rows(card, layout),
                          settings=chosen)


def settings_of(card: Scorecard) -> StatusSettings:
    """The workbook settings the card was read with, else the defaults."""
    return StatusSettings.from_mapping(card.settings)


def scorecard_rows(card: Scorecard, layout: Layout) -> dict[str, list[dict[str, Any]]]:
    """Every table of ``card`` as the template builder takes rows: ``{slot: cell value}``."""
    return {sheet.entity: [_row(sheet, item) for item in getattr(card, sheet.entity)]
            for sheet in entity_sheets(layout)}


def unplaced(card: Scorecard, layout: Layout) -> list[tuple[str, str, str, float]]:
    """Monthly values the layout has no column for: (measure id, "actual"/"interim_target",
    period, value)."""
    periods = set(layout.periods)
    return [(m.id, key, p, v) for m in card.measures
            for key, bucket in (("actual", m.actuals), ("interim_target", m.interim_targets))
            for p, v in sorted(bucket.items()) if p not in periods]


def _row(sheet: SheetLayout, item: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in sheet.input_columns:
        value = _value(col, item)
        if value is not None:
            out[col.slot] = value
    return out


def _value(col: Column, item: Any) -> Any:
    if col.period:
        bucket = item.actuals if col.key == "actual" else item.interim_targets
        return bucket.get(col.period)
    value = getattr(item, col.key, None)
    if isinstance(value, bool):  # a need's priority
        return "yes" if value else "no"
    if col.key == "month" and isinstance(value, str):  # "2026-10" -> 1 Oct 2026
        return date(int(value[:4]), int(value[5:7]), 1)
    return value
