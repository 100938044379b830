"""How the template's sheets print, and how their rows hold long text.

Every sheet prints landscape on Letter, one page wide, its header row on every page, with a
footer naming the district (or school), the sheet and the page. Two things keep a filled
workbook printing whole, in Excel and LibreOffice alike:

- **No pages of empty rows.** Each table is prepared with formulas down to its capacity
  (``SheetLayout.last_data_row``), and a formula cell prints even when it shows nothing.
  A print area cannot follow the rows a district adds: LibreOffice prints the whole sheet
  when the print area is a formula (``INDEX``/``COUNTA``), and a fixed one would leave out
  rows typed below it. So the prepared rows below the rows written and a few open ones are
  hidden instead: hidden rows print in neither application, and a district that needs more
  rows shows them (Unhide, Show Rows). Inserted rows and rows typed into the open ones
  print as the others.
- **Long text wraps** (titles, statements, descriptions, monitoring methods, the Check). A
  row sheetsync writes gets the height of its lines (neither application sizes a row on
  opening a file); the other rows keep no height, so they grow as a district types;
  text starts one indent in, so a left-aligned word never runs into the number to its left.

The Instructions print at full size on as many pages as they take. The Measures sheet is too
wide to read one page wide: it prints pages across at a readable scale, what is measured and
where it stands (ids, name, baseline, target, latest, status) on the first page, the months
on the next (no columns repeated: LibreOffice 7.4 crashes saving a sheet with repeated print
columns once a row has been inserted into it, ``tests/template/test_edited_in_libreoffice.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.schema.layout import CHOICES, Column, Layout, SheetLayout, entity_sheets
from sheetsync.template.printing import (
    MARGINS,
    PAGE_FOOTER_RIGHT,
    PAGES_ACROSS,
    PAGES_ACROSS_SCALE,
    footer_text,
    row_height,
    wrapped_lines,
)

# Prepared rows left open below the rows written, and at least this many on an empty sheet.
OPEN_ROWS = 5
OPEN_ROWS_EMPTY = 10
INDENT_CHARACTERS = 1  # what a text cell's indent takes from its width
WORD_RESULTS = frozenset({"status", "schedule", "update_status", "row_check"})  # formulas
LINE = 12.75  # points: one line of the template's 10-point Arial (Excel's row)


def wraps(col: Column) -> bool:
    """Whether the column's cells wrap: free text, the Check column's sentence, and choices
    longer than the column (a KCWP's name)."""
    if col.choices:
        return _longest_choice(col) > col.width - 1
    return col.type == "text" or col.key == "row_check"


def indented(col: Column) -> bool:
    """Whether the column's text starts one indent in: text, computed words (statuses, the
    Check) and choices that fit with it."""
    if col.choices:
        return _longest_choice(col) <= col.width - INDENT_CHARACTERS or wraps(col)
    return col.type == "text" or col.key in WORD_RESULTS


def alignment(col: Column) -> Alignment:
    """A data cell's alignment: at the top of its row (a wrapped neighbour makes it tall);
    text one indent in from the left, so it never runs into the number left of it, and
    wrapped when the column holds long text."""
    if indented(col):
        return Alignment(horizontal="left", indent=1, vertical="top", wrap_text=wraps(col))
    return Alignment(vertical="top", wrap_text=wraps(col))


def _longest_choice(col: Column) -> int:
    return max(len(choice) for choice in CHOICES[col.choices or ""])


def last_open_row(sheet: SheetLayout, written: int) -> int:
    """The last prepared row left showing when ``written`` rows were written."""
    open_rows = OPEN_ROWS if written else OPEN_ROWS_EMPTY
    return min(sheet.last_data_row, sheet.first_data_row + written + open_rows - 1)


def hide_spare_rows(ws: Worksheet, sheet: SheetLayout, written: int) -> None:
    """Hide the prepared rows below the last open one: they print in neither Excel nor
    LibreOffice, and Unhide (Show Rows) on the rows around the gap shows them. Plain hidden
    rows, no outline group: one structure fewer for LibreOffice 7.4 to move when a row is
    inserted (``tests/template/test_edited_in_libreoffice.py`` crashed it more often with
    a collapsed group, in runs too few to be sure)."""
    for r in range(last_open_row(sheet, written) + 1, sheet.last_data_row + 1):
        ws.row_dimensions[r].hidden = True


def print_setup(wb: Workbook, layout: Layout, profile: Mapping[str, Any]) -> None:
    """Every sheet prints landscape on Letter, one page wide, its header row on every page;
    the footer names the district, sheet and page."""
    words = layout.words
    who = profile.get(f"{words.noun}_name") or profile.get(f"{words.noun}_id") or words.title
    what = "Scorecard" if layout.level == "district" else "Improvement Plan"
    footer = footer_text(f"{who} · {what} {layout.school_year.label}")
    for ws in wb.worksheets:
        page_setup(ws, footer)
    for sheet in entity_sheets(layout):
        ws = wb[sheet.name]
        ws.print_title_rows = f"{sheet.header_row}:{sheet.header_row}"
        if sheet.entity in PAGES_ACROSS:
            pages_across(ws, sheet, PAGES_ACROSS[sheet.entity])


def pages_across(ws: Worksheet, sheet: SheetLayout, page_ends: tuple[str, ...]) -> None:
    """Pages across at a readable scale instead of one page wide, a page break after the
    last column of each key in ``page_ends``. No columns are repeated on every page (see
    the module's note)."""
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = PAGES_ACROSS_SCALE
    ws.page_setup.pageOrder = "overThenDown"  # a band of rows' months follow its measures
    for key in page_ends:
        last = max(i for i, c in enumerate(sheet.columns, 1) if c.key == key)
        ws.col_breaks.append(Break(id=last))


def page_setup(ws: Worksheet, footer: str) -> None:
    """Landscape Letter, one page wide and as many pages tall as it takes."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_LETTER
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS)
    ws.oddFooter.left.text = footer
    ws.oddFooter.center.text = "&A"
    ws.oddFooter.right.text = PAGE_FOOTER_RIGHT


def fit_rows(ws: Worksheet, sheet: SheetLayout, rows: list[Mapping[str, Any]]) -> None:
    """Rows written with text longer than its column get the height of their lines (neither
    Excel nor LibreOffice sizes a row it did not lay out itself on opening the file); rows
    of one line keep no height, so they grow as a district types into them."""
    wrapped = [c for c in sheet.columns if c.is_input and wraps(c)]
    for r, row in enumerate(rows, sheet.first_data_row):
        spans = [(str(row[c.slot]), float(c.width - INDENT_CHARACTERS * indented(c)))
                 for c in wrapped if row.get(c.slot) not in (None, "")]
        if any(wrapped_lines(text, width) > 1 for text, width in spans):
            ws.row_dimensions[r].height = row_height(spans, line=LINE)
