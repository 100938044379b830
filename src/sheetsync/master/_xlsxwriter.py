"""Everything sheetsync does with xlsxwriter's internals, in one place.

xlsxwriter is the right tool for a workbook's structure (tables, formats, conditional
formats, charts, hyperlink parts), but it spends ~30 µs per cell checking arguments and
buffering a row at a time. The cohort master has hundreds of thousands of cells, so its data
rows are encoded as the same ``<row>`` XML xlsxwriter would stream (inline strings,
numbers, booleans) at a few µs a cell (``master.fragments``, with ``escape``, ``serial`` and
``url_parts``) into XML put in after xlsxwriter wrote the workbook around its header rows
(``master.package``).

The hooks, each relying on how xlsxwriter holds a worksheet in memory:

- ``add_streamed_table`` puts an Excel Table over rows put in after (xlsxwriter has only
  the header row) by putting back the header cells ``add_table`` overwrote, clearing
  ``table_cells``, and setting the range of the table it registered over two rows
  (``tables[-1]``);
- ``url_parts`` reads a link's relationship target and anchor from a ``Url`` (building it
  with its ``_text``);
- ``xf_index`` reads a format's style index (``Format._get_xf_index``);
- ``plain_formulas`` lets a worksheet skip ``_prepare_formula``'s ~150 regular expressions
  (each naming a function, so each needing a "(") for a formula without a "(": the
  master's conditional formats compare cells with quoted statuses, 120 of them, ~10 ms.

They were written for and tested with the xlsxwriter versions in ``TESTED`` (pyproject.toml
pins the same range); an upgrade past them is a change to this one file and its tests
(tests/template/test_library_internals.py), which check each hook's output.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxFileError
from xlsxwriter.url import Url, UrlTypes
from xlsxwriter.utility import xl_range

TESTED = ((3, 3), (3, 4))  # xlsxwriter versions from 3.3 up to (not including) 3.4

_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EPOCH = datetime(1899, 12, 30)
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per worksheet


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
    """An Excel Table over rows put in the sheet's XML after xlsxwriter wrote it
    (``master.package``), below header cells already written with their formats.

    ``add_table`` writes its header cells over the ones there (without their formats):
    they are put back as they were. The table part itself is plain metadata: it is
    registered over two rows (add_table marks every cell of its range, 0.3 s for a
    million), then given its range.
    """
    header = dict(ws.table[0])
    try:
        ws.add_table(0, 0, 1, last_col, options)
    finally:
        ws.table[0].update(header)
        ws.table_cells.clear()  # only used to refuse overlapping tables; ours never overlap
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
