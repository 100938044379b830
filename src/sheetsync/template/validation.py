"""The template's dropdowns, input prompts and coloured statuses: the data validations and
conditional formats ``workbook`` puts on a table sheet's columns and a form's cells."""

from __future__ import annotations

from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.schema.cells import column_letter
from sheetsync.schema.layout import CHOICES, Layout, SheetLayout
from sheetsync.schema.vocabulary import (
    CHECK_TONE,
    COMPLETE,
    LATE,
    LATE_START,
    MISSING,
    ON_TIME,
    OVERDUE,
    STATUSES,
    palette_of,
)

# The computed columns' words, coloured (conditional formats, in this order).
STATUS_COLOURS = palette_of((*STATUSES, OVERDUE, LATE_START, COMPLETE, MISSING, LATE, ON_TIME))
CHECK_COLOURS = CHECK_TONE  # a Check cell with something to say


def validations(ws: Worksheet, layout: Layout, sheet: SheetLayout, first: int,
                 last: int) -> None:
    lists = layout.lists_sheet
    choice_col = {name: column_letter(i) for i, name in enumerate(CHOICES, 1)}
    for col in sheet.input_columns if not sheet.locked else ():
        area = f"{col.letter}{first}:{col.letter}{last}"
        dv = None
        if col.choices:
            n = len(CHOICES[col.choices])
            letter = choice_col[col.choices]
            dv = DataValidation(type="list", formula1=f"{lists}!${letter}$2:${letter}${n + 1}",
                                allow_blank=True, errorStyle="stop",
                                error=f"Pick one of: {', '.join(CHOICES[col.choices])}"[:255],
                                errorTitle=col.header[:32])
        elif col.ref:
            target = layout.sheet(col.ref)
            ref = (f"'{target.name}'!$A${target.first_data_row}:"
                   f"$A${target.last_data_row}")
            dv = DataValidation(type="list", formula1=ref, allow_blank=True,
                                errorStyle="stop" if target.locked else "warning",
                                errorTitle=col.header[:32],
                                error=f"Pick an id from the '{target.name}' sheet.")
        elif col.type == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="36526",
                                allow_blank=True, errorStyle="warning",
                                errorTitle=col.header[:32],
                                error="Type a date such as 2027-05-31.")
        elif col.type == "number":
            dv = DataValidation(type="decimal", operator="between", formula1="-1000000000",
                                formula2="1000000000", allow_blank=True, errorStyle="warning",
                                errorTitle=col.header[:32],
                                error="Type a number such as 45 (or 45%).")
        if dv is not None:
            dv.showErrorMessage = True
            dv.add(area)
            ws.add_data_validation(dv)


def colours(ws: Worksheet, sheet: SheetLayout, first: int, last: int) -> None:
    for col in sheet.columns:
        if col.key == "row_check":
            bg, fg = CHECK_COLOURS
            ws.conditional_formatting.add(f"{col.letter}{first}:{col.letter}{last}", FormulaRule(
                formula=[f"LEN({col.letter}{first})>0"], font=Font(bold=True, color=fg),
                fill=PatternFill("solid", fgColor=bg, bgColor=bg)))
        if col.is_input or col.key not in ("status", "schedule", "update_status"):
            continue
        area = f"{col.letter}{first}:{col.letter}{last}"
        for status, (bg, fg) in STATUS_COLOURS.items():
            ws.conditional_formatting.add(area, CellIsRule(
                operator="equal", formula=[f'"{status}"'],
                fill=PatternFill("solid", fgColor=bg, bgColor=bg), font=Font(color=fg)))


def prompt(ws: Worksheet, cell: str, title: str, text: str) -> None:
    dv = DataValidation(showInputMessage=True, promptTitle=title[:32], prompt=text[:255])
    dv.add(cell)
    ws.add_data_validation(dv)
