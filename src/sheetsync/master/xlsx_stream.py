"""Rows written straight into an xlsxwriter worksheet's constant-memory stream.

xlsxwriter is the right tool for a workbook's structure (tables, formats, conditional
formats, charts, hyperlink parts), but it spends ~30 µs per cell checking arguments and
buffering a row at a time. The cohort master has hundreds of thousands of cells, so its data
rows are encoded here as the same ``<row>`` XML xlsxwriter would stream (inline strings,
numbers, booleans) at a few µs a cell, and xlsxwriter assembles the file around them.

Relies on how xlsxwriter 3.x streams rows in ``constant_memory`` mode (``fh`` is the row
file; ``previous_row``, ``dim_*`` and ``hyperlinks`` are its bookkeeping); pinned <4 and
covered by the master tests, which read every sheet back with openpyxl and LibreOffice.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from xlsxwriter.url import Url

from sheetsync.schema.cells import column_letter

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EPOCH = datetime(1899, 12, 30)
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet
_LETTERS = [column_letter(i) for i in range(1, 16_385)]


def escape(text: str) -> str:
    """XML text as Excel writes it: &, <, > escaped; control characters as _xHHHH_."""
    if not _SPECIAL.search(text):
        return text
    text = _ESCAPED.sub(r"_x005F\1", text)
    text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def serial(value: date | datetime) -> float:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    delta = value - _EPOCH
    return delta.days + delta.seconds / 86400


class RowStream:
    """Appends rows to ``ws`` (a constant_memory worksheet whose header row is written)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.started = False
        self.links = 0

    def cell_text(self, ref: str, text: str, xf: int | None) -> str:
        style = f' s="{xf}"' if xf else ""
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'

    def write(self, row: int, cells: list[tuple[int, Any, int | None]]) -> None:
        """Row ``row`` (0-based): (column, value, xf index) for each non-empty cell, in order.

        Values: str, int, float, bool, date/datetime (give a date xf), or ``(text, url)``
        for a hyperlinked cell.
        """
        ws = self.ws
        if not self.started:  # flush the header row xlsxwriter is holding
            ws._write_single_row(row)
            self.started = True
        n = row + 1
        parts = [f'<row r="{n}">']
        for col, value, xf in cells:
            ref = f"{_LETTERS[col]}{n}"
            style = f' s="{xf}"' if xf else ""
            if isinstance(value, tuple):
                text, url = value
                if url and self.links < MAX_LINKS:
                    link = Url(url)
                    link._text = text
                    ws.hyperlinks[row][col] = link
                    self.links += 1
                parts.append(self.cell_text(ref, text, xf))
            elif isinstance(value, bool):
                parts.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                if isinstance(value, float) and not math.isfinite(value):
                    parts.append(self.cell_text(ref, str(value), None))
                else:
                    parts.append(f'<c r="{ref}"{style}><v>{value!r}</v></c>')
            elif isinstance(value, date):
                parts.append(f'<c r="{ref}"{style}><v>{serial(value)!r}</v></c>')
            else:
                parts.append(self.cell_text(ref, str(value), xf))
        parts.append("</row>")
        ws.fh.write("".join(parts))
        if cells:
            ws._check_dimensions(row, cells[0][0])
            ws._check_dimensions(row, cells[-1][0])
        ws.previous_row = row + 1
