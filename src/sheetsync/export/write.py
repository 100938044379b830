"""One table written as a one-sheet workbook people paste from and print.

The header row is frozen and repeated on every printed page; every cell wraps inside its
column, and each row is as tall as its longest cell (no application sizes a row to text it
did not lay out itself); the page is landscape Letter, one page wide. Every value is written
as text, whatever it begins with: district text such as ``=HYPERLINK(...)`` never becomes a
formula, and it keeps a quote prefix so that editing the cell in Excel keeps it text too.
The file is replaced in one step, so a reader sees the old workbook or the new one, whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sheetsync.files import replacing
from sheetsync.schema.vocabulary import BORDER_GREY, NAVY, WHITE, css
from sheetsync.template.printing import MARGINS, PAGE_FOOTER_RIGHT, footer_text, row_height

MAX_ROW_POINTS = 409.0  # Excel's tallest row
FORMULA_STARTS = ("=", "+", "-", "@")  # what a spreadsheet would take as the start of a formula


def write_table(path: Path, sheet: str, columns: Sequence[tuple[str, float]],
                rows: Sequence[Sequence[str]], footer: str) -> Path:
    """Write ``rows`` of text under the ``columns`` (header, width) to ``path``, atomically.

    Raises ``FolderNotWritable`` or ``FileLocked`` (from ``files.replacing``)."""
    with replacing(path, suffix=".xlsx") as tmp:
        _write(tmp, sheet, columns, rows, footer)
    return path


def _write(tmp: Path, sheet: str, columns: Sequence[tuple[str, float]],
           rows: Sequence[Sequence[str]], footer: str) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    header = wb.add_format({"bold": True, "bg_color": css(NAVY), "font_color": css(WHITE),
                            "text_wrap": True, "valign": "top", "border": 1})
    text = wb.add_format({"text_wrap": True, "valign": "top", "border": 1,
                          "border_color": css(BORDER_GREY)})
    quoted = wb.add_format({"text_wrap": True, "valign": "top", "border": 1,
                            "border_color": css(BORDER_GREY), "quote_prefix": True})
    ws = wb.add_worksheet(sheet)
    for c, (name, width) in enumerate(columns):
        ws.set_column(c, c, width)
        ws.write_string(0, c, name, header)
    ws.set_row(0, row_height(list(columns), bold=True))
    widths = [w for _, w in columns]
    for r, values in enumerate(rows, 1):
        for c, value in enumerate(values):
            if value:
                ws.write_string(r, c, value, quoted if value.startswith(FORMULA_STARTS)
                                else text)
        ws.set_row(r, min(MAX_ROW_POINTS, row_height(list(zip(values, widths, strict=True)))))
    ws.freeze_panes(1, 0)
    _page_setup(ws, footer)
    wb.close()


def _page_setup(ws: Any, footer: str) -> None:
    """Landscape Letter, one page wide, the header row on every page, and a footer naming
    the plan, the sheet and the page (the template's and the master's measures)."""
    ws.set_landscape()
    ws.set_paper(1)  # Letter
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(**{k: MARGINS[k] for k in ("left", "right", "top", "bottom")})
    ws.set_footer(f"&L{footer_text(footer)}&C&A&R{PAGE_FOOTER_RIGHT}",
                  {"margin": MARGINS["footer"]})
