"""The hidden Lists sheet and the workbook's defined names: the choices behind the dropdowns,
the settings the formulas read (``SchoolStart``, ``AtRiskBand`` …), the month ends and the
words read as blank."""

from __future__ import annotations

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.read.coerce import BLANK_WORDS
from sheetsync.schema.cells import column_letter
from sheetsync.schema.layout import CHOICES, Layout
from sheetsync.schema.schoolyear import period_date
from sheetsync.schema.settings import STATUS_SETTINGS, WORKBOOK_SETTINGS, StatusSettings
from sheetsync.schema.vocabulary import SCHEDULES, STATUSES, UPDATE_STATUSES

PERIOD_ROW = 15  # the row of the Lists sheet holding PeriodEnds
BLANK_ROW = PERIOD_ROW + 4  # ... and the row holding BlankWords
SETTINGS = WORKBOOK_SETTINGS


def write_lists(ws: Worksheet, layout: Layout, settings: StatusSettings) -> None:
    for i, (name, values) in enumerate(CHOICES.items(), 1):
        ws.cell(1, i, name).font = Font(bold=True)
        for r, value in enumerate(values, 2):
            ws.cell(r, i, value)
    base = len(CHOICES) + 2
    year = layout.school_year
    named = {"SchoolStart": year.start, "SchoolEnd": year.end,
             **{s.name: settings.value(s) for s in STATUS_SETTINGS}}
    for r, (name, label) in enumerate(SETTINGS, 1):
        ws.cell(r, base, label)
        cell = ws.cell(r, base + 1, named[name])
        if isinstance(named[name], date):
            cell.number_format = "yyyy-mm-dd"
    ws.cell(PERIOD_ROW, 1, "Month ends")
    for i, p in enumerate(layout.periods, 2):
        ws.cell(PERIOD_ROW, i, period_date(p)).number_format = "yyyy-mm-dd"
    ws.cell(PERIOD_ROW + 2, 1, "Statuses")
    for i, s in enumerate((*STATUSES, *SCHEDULES, *UPDATE_STATUSES), 2):
        ws.cell(PERIOD_ROW + 2, i, s)
    ws.cell(BLANK_ROW, 1, "Blank words")
    for i, word in enumerate(sorted(BLANK_WORDS), 2):
        ws.cell(BLANK_ROW, i, word)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def define_names(wb: Workbook, layout: Layout) -> None:
    lists = layout.lists_sheet
    base = column_letter(len(CHOICES) + 3)
    profile = layout.sheet("profile")
    refs = {"AsOf": f"'{profile.name}'!${profile.field('status_date').cell[0]}"
                    f"${profile.field('status_date').cell[1:]}"}
    for r, (name, _) in enumerate(SETTINGS, 1):
        refs[name] = f"{lists}!${base}${r}"
    end = column_letter(len(layout.periods) + 1)
    refs["PeriodEnds"] = f"{lists}!$B${PERIOD_ROW}:${end}${PERIOD_ROW}"
    end = column_letter(len(BLANK_WORDS) + 1)
    refs["BlankWords"] = f"{lists}!$B${BLANK_ROW}:${end}${BLANK_ROW}"
    for name, ref in refs.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
