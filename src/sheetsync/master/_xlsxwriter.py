"""Everything sheetsync does with xlsxwriter's internals, in one place.

xlsxwriter is the right tool for a workbook's structure (tables, formats, conditional
formats, charts, hyperlink parts), but it spends ~30 µs per cell checking arguments and
buffering a row at a time. The cohort master has hundreds of thousands of cells, so its data
rows are encoded as the same ``<row>`` XML xlsxwriter would stream (inline strings,
numbers, booleans) at a few µs a cell: by ``RowStream`` into a streaming workbook, or (the
master, ``master.fragments``) with ``escape``, ``serial`` and ``url_parts`` into XML put in
after xlsxwriter wrote the workbook around its header rows (``master.package``).

The hooks, each relying on how xlsxwriter streams rows in ``constant_memory`` mode (or
holds them in memory):

- ``RowStream`` writes to the worksheet's row file (``fh``), keeps its bookkeeping
  (``previous_row``, ``_check_dimensions``, ``hyperlinks``), flushes xlsxwriter's pending
  row with ``_write_single_row`` and builds ``Url`` objects with their ``_text``;
- ``add_streamed_table`` puts an Excel Table over rows already streamed or put in after
  (``add_table`` refuses in constant_memory mode) by switching ``constant_memory`` off
  around it, putting back the header cells it overwrote, clearing ``table_cells``, and
  setting the range of the table it registered over two rows (``tables[-1]``);
- ``url_parts`` reads a link's relationship target and anchor from a ``Url``;
- ``xf_index`` reads a format's style index (``Format._get_xf_index``);
- ``plain_formulas`` lets a worksheet skip ``_prepare_formula``'s ~150 regular expressions
  (each naming a function, so each needing a "(") for a formula without a "(": the
  master's conditional formats compare cells with quoted statuses, 120 of them, ~10 ms.

They were written for and tested with the xlsxwriter versions in ``TESTED`` (pyproject.toml
pins the same range); an upgrade past them is a change to this one file and its tests
(tests/template/test_library_internals.py), which check each hook's output.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxFileError
from xlsxwriter.url import Url, UrlTypes
from xlsxwriter.utility import xl_range

from sheetsync.schema.cells import column_letter

TESTED = ((3, 3), (3, 4))  # xlsxwriter versions from 3.3 up to (not including) 3.4

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EPOCH = datetime(1899, 12, 30)
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet
_LETTERS = [column_letter(i) for i in range(1, 703)]  # A to ZZ; past them, column_letter


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
        self.links = 0  # hyperlinks the sheet has, at most MAX_LINKS
        self.wanted = 0  # hyperlinks the rows asked for
        self.kept: dict[tuple[int, int], Url] = {}  # the links asked to be ``keep``

    def link(self, text: str, url: str) -> Url:
        return _url(text, url)

    def keep_only_kept(self) -> int:
        """The sheet's links replaced by the ``keep`` ones (at most ``MAX_LINKS``, in row
        order): what a sheet whose rows asked for more than Excel holds keeps. Returns how
        many it has now."""
        self.ws.hyperlinks.clear()
        for (row, col), link in list(self.kept.items())[:MAX_LINKS]:
            self.ws.hyperlinks[row][col] = link
        self.links = min(len(self.kept), MAX_LINKS)
        return self.links

    def cell_text(self, ref: str, text: str, xf: int | None) -> str:
        style = f' s="{xf}"' if xf else ""
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'

    def write(self, row: int, cells: list[tuple[int, Any, int | None]],
              keep: bool = False) -> None:
        """Row ``row`` (0-based): (column, value, xf index) for each non-empty cell, in order.

        Values: str, int, float, bool, date/datetime (give a date xf), or ``(text, url)``
        for a hyperlinked cell. Links past ``MAX_LINKS`` are counted (``wanted``) but not
        added, except that a ``keep`` row's are kept aside for ``keep_only_kept``.
        """
        ws = self.ws
        if not self.started:  # flush the header row xlsxwriter is holding
            ws._write_single_row(row)
            self.started = True
        n = row + 1
        parts = [f'<row r="{n}">']
        for col, value, xf in cells:
            ref = f"{_LETTERS[col] if col < len(_LETTERS) else column_letter(col + 1)}{n}"
            style = f' s="{xf}"' if xf else ""
            if isinstance(value, tuple):
                text, url = value
                if url:
                    self.wanted += 1
                    if self.links < MAX_LINKS or keep:
                        link = self.link(text, url)
                        if self.links < MAX_LINKS:
                            ws.hyperlinks[row][col] = link
                            self.links += 1
                        if keep:
                            self.kept[(row, col)] = link
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


def version() -> tuple[int, int]:
    """The installed xlsxwriter's (major, minor)."""
    major, minor = xlsxwriter.__version__.split(".")[:2]
    return int(major), int(minor)


# What closing a workbook raises when its file cannot be written (a full disk, say).
WRITE_ERRORS: tuple[type[Exception], ...] = (OSError, XlsxFileError)


def new_workbook(path: Any, options: dict[str, Any]) -> Any:
    """An xlsxwriter Workbook at ``path`` (a file name, or a binary file object)."""
    return xlsxwriter.Workbook(path if hasattr(path, "write") else str(path), options)


def xf_index(fmt: Any) -> int:
    """A Format's index among the workbook's cell styles (the ``s`` of a ``<c>``)."""
    return int(fmt._get_xf_index())


def plain_formulas(ws: Any) -> None:
    """``ws`` prepares a formula without a function call (no "(") as xlsxwriter does but
    without looking for the future functions it would rename (each ends with "(")."""
    prepare = ws._prepare_formula

    def prepared(formula: str, expand_future_functions: bool = False) -> str:
        if "(" in formula:
            return str(prepare(formula, expand_future_functions))
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        return formula[:-1] if formula.endswith("}") else formula

    ws._prepare_formula = prepared


def add_streamed_table(ws: Any, last_row: int, last_col: int, options: dict[str, Any]) -> None:
    """An Excel Table over rows already streamed to disk (constant_memory mode), or put in
    the sheet's XML after xlsxwriter wrote it (``master.package``), below header cells
    already written with their formats.

    xlsxwriter refuses add_table() in constant_memory mode because it would write the
    header cells into rows already flushed: the pending row is flushed, the table
    registered with streaming briefly off, and the in-memory header cells it adds dropped.
    Otherwise the header cells it writes (without formats) are put back as they were. The
    table part itself is plain metadata: it is registered over two rows (add_table marks
    every cell of its range, 0.3 s for a million), then given its range.
    """
    streamed = ws.constant_memory
    if streamed:
        ws._write_single_row(ws.previous_row + 1)
    header = {} if streamed else dict(ws.table[0])
    ws.constant_memory = False
    try:
        ws.add_table(0, 0, 1, last_col, options)
    finally:
        if streamed:
            ws.table.clear()
        else:
            ws.table[0].update(header)
        ws.table_cells.clear()  # only used to refuse overlapping tables; ours never overlap
        ws.constant_memory = streamed
    table = ws.tables[-1]
    table["range"] = table["a_range"] = xl_range(0, 0, max(last_row, 1), last_col)
    if table.get("autofilter"):
        table["autofilter"] = table["a_range"]


def _url(text: str, url: str) -> Url:
    link = Url(url)
    link._text = text
    if link._link_type == UrlTypes.EXTERNAL:  # xlsxwriter turned every / into \\
        link._link = link._link.replace("\\", "/")
        link._relationship_link = link._relationship_link.replace("\\", "/")
    return link


def url_parts(url: str) -> tuple[str, str]:
    """A link's relationship target and its anchor (the cell), as xlsxwriter writes them:
    what ``master.fragments`` puts in a sheet's relationships and ``<hyperlink>``."""
    link = _url("", url)
    return link._target(), link._anchor or ""
