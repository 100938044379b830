"""Writing the District Scorecard workbook from the layout.

``build_template`` gives the empty template (optionally pre-filled with a district's
profile and rows); the example generator uses the same function to write filled copies.
Dropdowns come from the hidden Lists sheet or from the id columns they refer to; header
cells carry input messages; computed columns hold native formulas and are locked (sheet
protection without a password) while input columns are unlocked and formatted as whole
columns; headers are frozen and filtered; statuses are coloured. Formulas filled down a
column are saved once, as shared formulas (``_openpyxl.formulas_shared``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync import __version__
from sheetsync.files import replacing
from sheetsync.schema.layout import FORM_LABEL_COLUMN, Column, Layout, SheetLayout, entity_sheets
from sheetsync.schema.schoolyear import period_date
from sheetsync.schema.settings import DEFAULT_SETTINGS, StatusSettings
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import (
    BORDER_GREY,
    CHECK_TONE,
    GREY,
    NAVY,
    PALE,
    WHITE,
)
from sheetsync.template._openpyxl import copy_style, default_font, formulas_shared
from sheetsync.template.formulas import BANNER_CELL, formula, missing_formulas, unreadable_date
from sheetsync.template.formulas import as_of as as_of_formula
from sheetsync.template.lists import define_names, write_lists
from sheetsync.template.pages import alignment, fit_rows, hide_spare_rows, print_setup
from sheetsync.template.printing import row_height
from sheetsync.template.validation import colours, prompt, validations
from sheetsync.udfs import xlwings_conf_rows

# entity -> rows of {column key, or "actual:YYYY-MM" for a month: value}
Rows = Mapping[str, Iterable[Mapping[str, Any]]]

# Arial 10, the font of Google Sheets, on every Windows and Mac, and in LibreOffice as the
# metric-compatible Liberation Sans: the sheets lay out and print alike in all of them
# (Calibri, where missing, falls back to wider fonts and clips the printed columns).
FONT, FONT_SIZE = "Arial", 10


def _font(size: int = FONT_SIZE, **style: Any) -> Font:
    return Font(name=FONT, size=size, **style)


HEADER_FONT = _font(bold=True, color=WHITE)
THIN = Side(style="thin", color=BORDER_GREY)
UNLOCKED = Protection(locked=False)


def build_template(layout: Layout | None = None, profile: Mapping[str, Any] | None = None,
                   rows: Rows | None = None, settings: StatusSettings = DEFAULT_SETTINGS,
                   xlwings: bool = False, **values: Any) -> Workbook:
    """The District Scorecard workbook; ``xlwings`` adds the hidden ``xlwings.conf`` sheet
    that lets the classic Excel add-in's "Import Functions" find sheetsync's functions.

    ``settings`` are stamped in the settings block for the formulas and stated in the
    sentences; ``values`` change some of them by key (``at_risk_band=0.25``)."""
    layout = layout or scorecard_layout()
    if values:
        settings = StatusSettings(**{**settings.to_dict(), **values})
    words = setting_words(settings)
    wb = Workbook()
    default_font(wb, _font(family=2))
    wb.remove(wb.active)
    _instructions(wb.create_sheet(layout.instructions_sheet), layout, words)
    profile_values = {"school_year": layout.school_year.label,
                      "template_version": layout.template_version, **(profile or {})}
    _profile(wb.create_sheet(layout.sheet("profile").name), layout, profile_values, words)
    for sheet in entity_sheets(layout):
        ws = wb.create_sheet(sheet.name)
        _table(ws, layout, sheet, list((rows or {}).get(sheet.entity, ())), words)
    write_lists(wb.create_sheet(layout.lists_sheet), layout, settings)
    define_names(wb, layout)
    print_setup(wb, layout, profile_values)
    if xlwings:
        _xlwings_conf(wb)
    wb.custom_doc_props.append(StringProperty(name="sheetsync_template_version",
                                              value=layout.template_version))
    wb.active = 1
    return wb


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    """Write ``wb`` to ``path`` so a reader sees the old file or the new one, whole."""
    path = Path(path)
    with replacing(path) as tmp, formulas_shared(wb):
        wb.save(tmp)
    return path


def setting_words(settings: StatusSettings) -> dict[str, str]:
    """How the template's sentences state the settings its formulas read (each declared
    setting's ``{word}``): ``{band}`` is the at-risk band as a percentage of the gap,
    ``{due_day}`` the update's due day."""
    return settings.words()


def _say(text: str, words: Mapping[str, str]) -> str:
    """``text`` with each ``{setting}`` it names in words."""
    for name, value in words.items():
        text = text.replace("{" + name + "}", value)
    return text


# -- sheets ------------------------------------------------------------------------------


def _title(ws: Worksheet, title: str, guidance: str) -> None:
    ws["A1"] = title
    ws["A1"].font = _font(14, bold=True, color=NAVY)
    ws["A2"] = guidance
    ws["A2"].font = _font(italic=True, color=GREY)


def _instructions(ws: Worksheet, layout: Layout, words: Mapping[str, str]) -> None:
    _title(ws, f"{layout.words.plan} {layout.school_year.label}",
           f"Template version {layout.template_version}. Made with sheetsync {__version__}.")
    lines = [
        "How to use this workbook",
        "1. Fill in the District Profile: your district id and name are usually filled in "
        "for you.",
        "2. List your strategic-plan goals, your CDIP goals (each with its indicator, "
        "baseline, target and target year) and your needs (mark two or three priority "
        "needs).",
        "3. Write one SMART goal per row on Goals, pointing to a strategic goal and a CDIP "
        "goal with the dropdowns.",
        "4. Add at least one measure and one strategy for every goal (Strategies: the Key "
        "Core Work Process it rests on and its research basis), and the actions that carry "
        "out each strategy (their Strategy ID).",
        "5. Each month, type that month's actual for every measure and fill in the Monthly "
        "Updates row by the {due_day}.",
        "Grey columns are computed by formulas and locked; they work in Excel, Google Sheets "
        "and LibreOffice with nothing to install.",
        "Check (the last column of a sheet): empty while the formulas can read the row. "
        "When it names a cell (text in a number or date column, a choice or id not as on "
        "the list), retype that cell: until then the row's computed columns leave it out.",
        "Percentages: type 45 or 45% — both give the same status. Type a measure's values "
        "one way: the Check column flags a row that mixes 45 and 45%.",
        "Adding a row between others: insert it, then copy the grey computed cells of the "
        "row above into it. Until then a line above the sheet's header names the row.",
        "More rows: the prepared rows below the last empty ones are hidden, so they do not "
        "print (the row numbers skip them). To show them, select the rows either side of "
        "the gap and choose Unhide (LibreOffice: Show Rows).",
        "Status rule: progress = (actual − baseline) ÷ (target − baseline). On Track when "
        "progress is at least the expected progress for the month; At Risk within "
        "{band} of the gap below it; Met once the target is reached; Not Met after the "
        "target date.",
        "",
        "What each sheet holds",
    ]
    if layout.level == "school":
        lines[1:3] = [
            "1. Fill in the School Profile: your school id and name, and your district, are "
            "filled in for you.",
            "2. The Strategic Goals sheet holds your district's strategic goals, filled in "
            "and locked. List your CDIP goals and your needs (mark two or three priority "
            "needs)."]
    for i, line in enumerate(lines, 4):
        ws.cell(i, 1, _say(line, words))
    ws["A4"].font = ws.cell(4 + lines.index("What each sheet holds"), 1).font = _font(bold=True)
    r = 4 + len(lines)
    for sheet in layout.sheets:
        ws.cell(r, 1, sheet.name).font = _font(bold=True)
        ws.cell(r, 2, _say(sheet.guidance, words))
        r += 1
        for col in sheet.columns:
            if col.period and col.period != layout.periods[0]:
                continue
            name = col.header if not col.period else f"{col.header.split()[0]} <month>"
            ws.cell(r, 2, f"{col.letter or ''}  {name}{' (required)' if col.required else ''}")
            ws.cell(r, 3, _say(col.help, words))
            r += 1
        for fld in sheet.fields:
            ws.cell(r, 2, f"{fld.cell}  {fld.label}{' (required)' if fld.required else ''}")
            ws.cell(r, 3, _say(fld.help, words))
            r += 1
    _wrap_instructions(ws, first=4)
    ws.sheet_view.showGridLines = False


INSTRUCTION_WIDTHS = {"A": 28, "B": 36, "C": 72}  # one Letter page wide, landscape


def _wrap_instructions(ws: Worksheet, first: int) -> None:
    """Every sentence wraps inside the printed width and its row is tall enough for it: a
    line of its own spans A:C; a sheet's guidance, a column and its help sit in A, B, C."""
    widths = INSTRUCTION_WIDTHS
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for r in range(first, ws.max_row + 1):
        cells = [ws[f"{letter}{r}"] for letter in widths]
        texts = [c.value for c in cells]
        if texts[0] and not any(texts[1:]):
            ws.merge_cells(f"A{r}:C{r}")
            spans = [(str(texts[0]), float(sum(widths.values())))]
        else:
            spans = [(str(t), float(w)) for t, w in zip(texts, widths.values(), strict=True)
                     if t]
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if spans:
            ws.row_dimensions[r].height = row_height(spans, bold=bool(cells[0].font.b))


def _profile(ws: Worksheet, layout: Layout, values: Mapping[str, Any],
             words: Mapping[str, str]) -> None:
    sheet = layout.sheet("profile")
    _title(ws, sheet.title, _say(sheet.guidance, words))
    for fld in sheet.fields:
        label = ws[fld.label_cell]
        label.value = fld.label
        label.font = _font(bold=True)
        cell = ws[fld.cell]
        if fld.formula:
            cell.value = as_of_formula(layout, sheet, sheet.field("as_of").cell)
            cell.number_format = "yyyy-mm-dd"
            cell.fill = PatternFill("solid", fgColor=PALE)
            continue
        _set_input(cell, values.get(fld.key))
        if fld.type == "date":
            cell.number_format = "yyyy-mm-dd"
        if fld.key == "as_of":  # the one the formulas read: say when they cannot
            flag = ws.cell(cell.row, cell.column + 1, unreadable_date(layout, fld.cell))
            flag.font = _font(bold=True, color=CHECK_TONE[1])
        if fld.locked:
            cell.fill = PatternFill("solid", fgColor=PALE)
        elif fld.key != "template_version":
            cell.protection = UNLOCKED
        if fld.help:
            prompt(ws, fld.cell, fld.label, _say(fld.help, words))
    ws.column_dimensions[FORM_LABEL_COLUMN].width = 24
    ws.column_dimensions[sheet.value_column].width = 40
    _allow_editing_around_formulas(ws)


def _table(ws: Worksheet, layout: Layout, sheet: SheetLayout,
           rows: list[Mapping[str, Any]], words: Mapping[str, str]) -> None:
    _title(ws, f"{sheet.title} — {layout.school_year.label}", _say(sheet.guidance, words))
    banner = missing_formulas(sheet)
    if banner:  # names a row inserted by hand, which has no formulas
        ws[BANNER_CELL] = banner
        ws[BANNER_CELL].font = _font(bold=True, color=CHECK_TONE[1])
    h, first, last = sheet.header_row, sheet.first_data_row, sheet.last_data_row
    last = max(last, first + len(rows) - 1)
    for col in sheet.columns:
        cell = ws[f"{col.letter}{h}"]
        cell.value = col.header
        cell.font = HEADER_FONT
        cell.fill = PatternFill("solid", fgColor=GREY if not col.is_input else NAVY)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[col.letter].width = col.width
        help_text = _say(col.help, words) + (" Required." if col.required else "")
        if help_text.strip():
            prompt(ws, cell.coordinate, col.header, help_text)
    ws.row_dimensions[h].height = row_height([(c.header, c.width) for c in sheet.columns],
                                             bold=True)
    if sheet.entity == "monthly_updates" and not rows:
        rows = [{"month": period_date(p).replace(day=1)} for p in layout.update_periods]
    for col in sheet.columns:
        _fill_column(ws, layout, sheet, col, rows, first, last)
    validations(ws, layout, sheet, first, last)
    colours(ws, sheet, first, last)
    ws.freeze_panes = f"B{first}"
    ws.auto_filter.ref = f"A{h}:{sheet.columns[-1].letter}{last}"
    grouped = [c for c in sheet.columns if c.key == "interim_target"
               or c.formula == "period_check"]  # interim targets and the Check's helpers
    if grouped:
        ws.column_dimensions.group(grouped[0].letter, grouped[-1].letter, outline_level=1,
                                   hidden=True)
    fit_rows(ws, sheet, rows)
    hide_spare_rows(ws, sheet, len(rows))
    ws.protection.sheet = True
    _allow_editing_around_formulas(ws)


def _allow_editing_around_formulas(ws: Worksheet) -> None:
    """Protection keeps formulas safe and nothing else: people (and the add-in's "Check
    workbook", which colours cells) may still format, filter, sort and insert rows."""
    ws.protection.sheet = True
    for option in ("formatCells", "formatColumns", "formatRows", "autoFilter", "sort",
                   "insertRows"):
        setattr(ws.protection, option, False)


def _fill_column(ws: Worksheet, layout: Layout, sheet: SheetLayout, col: Column,
                 rows: list[Mapping[str, Any]], first: int, last: int) -> None:
    if col.is_input:
        _fill_input_column(ws, col, rows, first, locked=sheet.locked)
        return
    proto = ws[f"{col.letter}{first}"]  # styled once; the other cells share its style
    proto.fill = PatternFill("solid", fgColor=PALE)
    if col.number_format:
        proto.number_format = col.number_format
    proto.border = Border(bottom=THIN)
    proto.alignment = alignment(col)
    for r in range(first, last + 1):
        cell = ws[f"{col.letter}{r}"]
        if r != first:
            copy_style(cell, proto)
        cell.value = formula(layout, sheet, col.key, r)


def _fill_input_column(ws: Worksheet, col: Column, rows: list[Mapping[str, Any]],
                       first: int, locked: bool = False) -> None:
    """An input column is styled as a column: unlocked, with its number format. Excel and
    LibreOffice give a column's style to every cell that has none of its own, so empty rows
    need no cell records (which every reader would wade through) and rows typed below the
    prepared ones are open too. The values given get cells of the same style. On a sheet
    sheetsync fills and locks (a school plan's strategic goals) the column stays locked."""
    dim = ws.column_dimensions[col.letter]
    dim.alignment = alignment(col)
    if locked:
        dim.fill = PatternFill("solid", fgColor=PALE)
    else:
        dim.protection = UNLOCKED
    if col.number_format:
        dim.number_format = col.number_format
    for r, row in enumerate(rows, first):
        value = row.get(col.slot)
        if value is not None:
            cell = ws[f"{col.letter}{r}"]
            copy_style(cell, dim)
            _set_input(cell, value)


def _set_input(cell: Any, value: Any) -> None:
    """A typed value; text stays text even when it begins with '=' (openpyxl would make it a
    formula), so a roster's or district's text can never run in a workbook we write."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def _xlwings_conf(wb: Workbook) -> None:
    ws = wb.create_sheet("xlwings.conf")  # the add-in reads key/value rows down from A1
    for r, (key, value) in enumerate(xlwings_conf_rows(), 1):
        ws.cell(r, 1, key)
        ws.cell(r, 2, value)
    ws.sheet_state = "hidden"
