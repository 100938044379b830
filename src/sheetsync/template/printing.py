"""How the workbooks sheetsync writes print: the shared measures of a page.

The template (openpyxl) and the cohort master (xlsxwriter) both print landscape on Letter,
one page wide, with their header rows repeated on every page and a footer naming the
sheet and the page. Neither Excel nor LibreOffice sizes a row to wrapped text it did not
lay out itself (merged cells never), so rows holding wrapped text get a height computed
here from the text and the column widths.
"""

from __future__ import annotations

import math
import textwrap

LINE_POINTS = 15.0  # one line of 11-point Calibri
# Sheets too wide to read one page wide print pages across at a readable scale, a page ending
# after the last column of each key (Measures: what is measured and where it stands, then the
# months).
PAGES_ACROSS = {"measures": ("status",)}
PAGES_ACROSS_SCALE = 70  # percent: 7-point text from the template's 10-point
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6, "header": 0.3, "footer": 0.3}
PAGE_FOOTER_RIGHT = "Page &P of &N"


def wrapped_lines(text: str, width: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` characters wide.

    A column's width counts the digit "0" of the default font; ordinary text is a little
    narrower and bold text a little wider, so the estimate leaves room rather than clip.
    """
    per_line = max(1, math.floor(width * (0.95 if bold else 1.05)) - 1)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += max(1, len(textwrap.wrap(paragraph, per_line, break_long_words=True)))
    return lines


def row_height(cells: list[tuple[str, float]], bold: bool = False,
               line: float = LINE_POINTS) -> float:
    """The height in points of a row whose wrapped cells are (text, column width), each
    line ``line`` points tall."""
    lines = max((wrapped_lines(text, width, bold) for text, width in cells if text), default=1)
    return line * lines + 3


def footer_text(text: str) -> str:
    """``text`` as a header/footer section shows it ("&" starts a code there)."""
    return text.replace("&", "&&")
