"""Opening a workbook file safely, as rows of cell values.

Before any parser sees a file it is sniffed: a workbook must be an OOXML zip with a
workbook part; .xls, encrypted workbooks, CSVs and OpenDocument files get a message that
says what they are. Zips that would inflate past ``MAX_INFLATED`` bytes and XML with a
DTD (entity tricks; Excel never writes one) are refused. Reading never writes to the file.

Rows come from python-calamine (fast) or, where it is not installed (xlwings Lite's
Pyodide), from openpyxl in read-only mode. Both give ``None`` for empty cells.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import WorkbookUnreadable

MAX_INFLATED = 256 * 1024 * 1024
MAX_PARTS = 5000
MAX_ROWS = 10_000  # data rows read per sheet; more is a finding, not a hang

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE1904 = re.compile(rb"date1904\s*=\s*[\"'](1|true)[\"']", re.IGNORECASE)

try:  # pragma: no cover - exercised where calamine is missing (Pyodide)
    from python_calamine import CalamineWorkbook
except ImportError:  # pragma: no cover
    CalamineWorkbook = None


@dataclass
class WorkbookRows:
    """A workbook's sheets as rows (lists of values, ``None`` for empty), A1 at [0][0]."""

    path: str
    sheet_names: list[str]
    date1904: bool = False
    heights: dict[str, int] = field(default_factory=dict)  # rows in the sheet, all of them
    _loader: Any = None
    _cache: dict[str, list[list[Any]]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._cache:
            self._cache[sheet] = self._loader(sheet)
        return self._cache[sheet]


def sniff(path: Path) -> bool:
    """Check ``path`` is a sane .xlsx/.xlsm; return whether it uses the 1904 date system."""
    name = str(path)
    if not path.exists():
        raise WorkbookUnreadable(name, "the file does not exist")
    if path.is_dir():
        raise WorkbookUnreadable(name, "this is a folder, not a workbook")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        raise WorkbookUnreadable(name, _ole_reason(path))
    if not head.startswith(b"PK"):
        if not head:
            raise WorkbookUnreadable(name, "the file is empty (it may still be copying)")
        kind = "a CSV or text file" if _looks_like_text(path) else "not an Excel workbook"
        raise WorkbookUnreadable(name, f"this is {kind}; save it as an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as zf:
            return _check_zip(name, zf)
    except zipfile.BadZipFile:
        raise WorkbookUnreadable(
            name, "the file is damaged or incomplete (it may still be copying); "
            "save it again from Excel") from None


def _ole_reason(path: Path) -> str:
    data = path.read_bytes()[:1 << 16]
    if "EncryptionInfo".encode("utf-16-le") in data or b"EncryptedPackage" in data \
            or "EncryptedPackage".encode("utf-16-le") in data:
        return "the workbook is password-protected (encrypted); save a copy without a password"
    return "this is an old-style .xls workbook; open it in Excel and save it as .xlsx"


def _looks_like_text(path: Path) -> bool:
    sample = path.read_bytes()[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def _check_zip(name: str, zf: zipfile.ZipFile) -> bool:
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookUnreadable(name, f"the file has {len(infos):,} parts; a workbook has dozens")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and b"opendocument" in zf.read("mimetype"):
            raise WorkbookUnreadable(
                name, "this is an OpenDocument spreadsheet (.ods); save it as .xlsx")
        raise WorkbookUnreadable(name, "this is a zip file but not an Excel workbook")
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED:
        raise WorkbookUnreadable(
            name, f"the file would unpack to {total / 2**20:,.0f} MB, more than a scorecard "
            "can hold; it was not opened")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as part:
                head = part.read(1024)
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise WorkbookUnreadable(
                    name, f"part {info.filename} declares XML entities, which Excel never "
                    "writes; the file was not opened")
    return bool(_DATE1904.search(zf.read("xl/workbook.xml")[:4096]))


def open_workbook(path: str | Path, max_rows: int = MAX_ROWS) -> WorkbookRows:
    """Open ``path`` for reading; raise ``WorkbookUnreadable`` with the reason if it can't be."""
    path = Path(path)
    date1904 = sniff(path)
    try:
        if CalamineWorkbook is not None:
            return _calamine(path, date1904, max_rows)
        return _openpyxl(path, date1904, max_rows)
    except WorkbookUnreadable:
        raise
    except Exception as exc:  # a parser's own error: the file is damaged in some way
        raise WorkbookUnreadable(str(path), f"the workbook is damaged ({exc})") from None


def _calamine(path: Path, date1904: bool, max_rows: int) -> WorkbookRows:
    wb = CalamineWorkbook.from_path(str(path))
    names = [m.name for m in wb.sheets_metadata if str(m.typ).endswith("WorkSheet")] \
        or list(wb.sheet_names)
    heights: dict[str, int] = {}

    def load(sheet: str) -> list[list[Any]]:
        ws = wb.get_sheet_by_name(sheet)
        heights[sheet] = ws.total_height
        rows = ws.to_python(skip_empty_area=False, nrows=max_rows + 50)
        return [[None if v == "" else v for v in row] for row in rows]

    return WorkbookRows(str(path), names, date1904, heights, load)


def _openpyxl(path: Path, date1904: bool, max_rows: int) -> WorkbookRows:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    heights: dict[str, int] = {}

    def load(sheet: str) -> list[list[Any]]:
        ws = wb[sheet]
        heights[sheet] = ws.max_row or 0
        return [list(r) for r in ws.iter_rows(max_row=max_rows + 50, values_only=True)]

    return WorkbookRows(str(path), list(wb.sheetnames), date1904, heights, load)


def rows_from_grids(name: str, grids: dict[str, list[list[Any]]],
                    date1904: bool = False) -> WorkbookRows:
    """Rows that came from elsewhere (a Google Sheet's batchGet), in the same shape."""
    clean = {k: [[None if v == "" else v for v in row] for row in rows]
             for k, rows in grids.items()}
    return WorkbookRows(name, list(clean), date1904, {k: len(v) for k, v in clean.items()},
                        clean.__getitem__)
