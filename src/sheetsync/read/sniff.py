"""Sniffing a workbook file before any parser sees it.

A workbook must be an OOXML zip with a workbook part; .xls, encrypted workbooks, CSVs and
OpenDocument files get a message that says what they are. Zips that would inflate past
``MAX_INFLATED`` bytes and XML with a DTD (entity tricks; Excel never writes one) are
refused. The file is read once, into memory, and the sniff and the parsers (``source``) all
work on those bytes: a file that changes while it is read cannot pass the checks as one
file and be parsed as another. Reading never writes to the file.

python-calamine reads error cells (#DIV/0!) as blanks, so every worksheet is inflated once
here: a part that will not inflate is a damaged sheet, and the XML of any sheet with error
values is kept so the loader can put them back. Neither parser says which cells have a
percent number format (0.46 shown as 46%), so the sniff reads the cell formats of the
styles part and, in the worksheets it inflates anyway, notes the number cells that carry one.
In the same pass it notes which cells hold a formula (an ``<f>`` element, a shared formula's
followers included): a row typed into rows inserted by hand has none, and its sheet computes
nothing for it (``row-without-formulas``).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from xml.parsers import expat

from sheetsync.errors import WorkbookUnreadable
from sheetsync.read.cells_xml import (
    formula_cells,
    percent_cells,
    percent_styles,
)

MAX_INFLATED = 256 * 1024 * 1024
MAX_PARTS = 5000

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATE1904 = re.compile(rb"date1904\s*=\s*[\"'](1|true)[\"']", re.IGNORECASE)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')
_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\s+r="([A-Z]+)')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\s+r="(\d+)"')
# a part that opens with its root element (after an XML declaration) can have no DOCTYPE
_ROOT_FIRST = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:<\?xml[^>]*\?>)?\s*<[A-Za-z_]")

@dataclass
class Sniffed:
    blob: bytes = b""  # the whole file, read once: what was checked is what gets parsed
    parts: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    date1904: bool = False
    largest: int = 0  # cells in the largest used range of a worksheet
    with_errors: dict[str, bytes] = field(default_factory=dict)  # worksheet part -> its XML
    damaged: dict[str, Exception] = field(default_factory=dict)  # worksheet part -> why
    percent_styles: tuple[tuple[bytes, re.Pattern[bytes]], ...] = ()  # see percent_styles
    percent: dict[str, frozenset[str]] = field(default_factory=dict)  # part -> its refs
    # part -> column letters -> the rows whose cell in that column holds a formula
    formulas: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)

    def read(self, part: str) -> bytes | None:
        """A part of the zip, inflated (None if there is no such part)."""
        info = self.parts.get(part)
        return None if info is None else _inflate(self.blob, info)


def sniff(path: Path) -> Sniffed:
    name = str(path)
    if not path.exists():
        raise WorkbookUnreadable(name, "the file does not exist")
    if path.is_dir():
        raise WorkbookUnreadable(name, "this is a folder, not a workbook")
    try:
        size = path.stat().st_size
        blob = path.read_bytes() if size <= MAX_INFLATED else b""
    except OSError as exc:
        raise WorkbookUnreadable(
            name, f"the file cannot be opened ({exc.strerror or exc})") from None
    if size > MAX_INFLATED:
        raise WorkbookUnreadable(
            name, f"the file is {size / 2**20:,.0f} MB, more than a scorecard can hold; it was "
            "not opened")
    if blob.startswith(_OLE_MAGIC):
        raise WorkbookUnreadable(name, _ole_reason(blob))
    if not blob.startswith(b"PK"):
        if not blob:
            raise WorkbookUnreadable(name, "the file is empty (it may still be copying)")
        kind = "a CSV or text file" if _looks_like_text(blob) else "not an Excel workbook"
        raise WorkbookUnreadable(name, f"this is {kind}; save it as an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            return _check_zip(name, zf, blob)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise WorkbookUnreadable(
            name, "the file is damaged or incomplete (it may still be copying); "
            "save it again from Excel") from None
    except (NotImplementedError, RuntimeError) as exc:  # zip compression or encryption
        raise WorkbookUnreadable(
            name, f"the file cannot be unpacked ({exc}); save it again from Excel") from None


_ENCRYPTED_STREAMS = tuple(n.encode("utf-16-le") for n in ("EncryptionInfo", "EncryptedPackage"))


def _ole_reason(blob: bytes) -> str:
    """An encrypted .xlsx is an OLE file with these streams; their directory entries can sit
    anywhere in the file (after the package, in a large one), so all of it is searched."""
    if any(stream in blob for stream in _ENCRYPTED_STREAMS):
        return "the workbook is password-protected (encrypted); save a copy without a password"
    return "this is an old-style .xls workbook; open it in Excel and save it as .xlsx"


def _looks_like_text(blob: bytes) -> bool:
    sample = blob[:2048]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def _check_zip(name: str, zf: zipfile.ZipFile, blob: bytes) -> Sniffed:
    infos = zf.infolist()
    if len(infos) > MAX_PARTS:
        raise WorkbookUnreadable(name, f"the file has {len(infos):,} parts; a workbook has dozens")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "mimetype" in names and b"opendocument" in zf.read("mimetype")[:100]:
            raise WorkbookUnreadable(
                name, "this is an OpenDocument spreadsheet (.ods); save it as .xlsx")
        if "xl/workbook.bin" in names:
            raise WorkbookUnreadable(
                name, "this is an Excel binary workbook (.xlsb); save it as .xlsx")
        raise WorkbookUnreadable(name, "this is a zip file but not an Excel workbook")
    if any(i.flag_bits & 0x1 for i in infos):
        raise WorkbookUnreadable(
            name, "the zip is password-protected; save the workbook again from Excel without "
            "a password")
    total = sum(i.file_size for i in infos)
    if total > MAX_INFLATED:
        raise WorkbookUnreadable(
            name, f"the file would unpack to {total / 2**20:,.0f} MB, more than a scorecard "
            "can hold; it was not opened")
    found = Sniffed(blob, {i.filename: i for i in infos})
    found.percent_styles = percent_styles(found.read("xl/styles.xml"))
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        xml = _worksheet(found, info) if sheet else None
        head = xml[:1024] if xml is not None else _inflate(blob, info, 1024)
        if _declares_dtd(zf, info, head):
            raise WorkbookUnreadable(
                name, f"part {info.filename} declares XML entities, which Excel never "
                "writes; the file was not opened")
        if sheet:
            found.largest = max(found.largest, _used_cells(zf, info, head, xml))
    book = _inflate(blob, zf.getinfo("xl/workbook.xml"), 4096)
    found.date1904 = bool(_DATE1904.search(book))
    return found


def _worksheet(found: Sniffed, info: zipfile.ZipInfo) -> bytes | None:
    """A worksheet inflated whole, once, before any parser meets it. python-calamine reads
    error cells (#DIV/0!) as blanks, so a sheet that has them keeps its XML for their
    values; one that will not inflate (or inflates past its declared size) is noted as
    damaged, and None leaves it to its first bytes whether the file can be read at all."""
    try:
        xml = _inflate(found.blob, info)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as exc:
        found.damaged[info.filename] = exc
        return None
    if b't="e"' in xml:
        found.with_errors[info.filename] = xml
    if found.percent_styles:
        refs = percent_cells(xml, found.percent_styles)
        if refs:
            found.percent[info.filename] = refs
    found.formulas[info.filename] = formula_cells(xml)
    return xml


def _inflate(blob: bytes, info: zipfile.ZipInfo, size: int | None = None) -> bytes:
    """A part's bytes (its first ``size`` when given), inflated straight from the file's
    bytes: a zipfile stream per part costs more than the rest of the sniff together. A part
    that inflates past the size its entry declares is damaged (or a zip bomb)."""
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        with zipfile.ZipFile(io.BytesIO(blob)) as zf, zf.open(info) as part:
            return part.read(-1 if size is None else size)  # NotImplementedError: Deflate64
    at = info.header_offset
    if len(blob) < at + 30 or blob[at:at + 4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", blob[at + 26:at + 30])
    start = at + 30 + name_len + extra_len
    wanted = info.compress_size if size is None else min(info.compress_size, 2 * size + 64)
    raw = blob[start:start + wanted]
    limit = info.file_size if size is None else size
    if info.compress_type == zipfile.ZIP_STORED:
        return raw[:limit]
    out = zlib.decompressobj(-15).decompress(raw, limit + 1) if limit else b""
    if len(out) > limit and size is None:
        raise zipfile.BadZipFile(f"{info.filename} is larger than its entry says")
    return out[:limit]


class _Decided(Exception):
    def __init__(self, doctype: bool) -> None:
        self.doctype = doctype


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, head: bytes) -> bool:
    """Whether an XML part has a DOCTYPE before its root element, however long the prolog
    (comments, whitespace) and whatever its encoding (UTF-16 hides it from a byte search)."""
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        return True
    if _ROOT_FIRST.match(head):
        return False
    decided = _prolog_doctype([head], final=len(head) >= info.file_size)
    if decided is None:  # the prolog runs past the head: read on through the part
        with zf.open(info) as part:
            decided = _prolog_doctype(iter(lambda: part.read(1 << 16), b""), final=True)
    return bool(decided)


def _prolog_doctype(chunks: Iterable[bytes], final: bool) -> bool | None:
    """True at a DOCTYPE, False at the root element (or for text that is not XML, which the
    parser reading it will report), None when ``chunks`` ran out before either."""

    def decide(doctype: bool) -> Any:
        def handler(*_: Any) -> None:
            raise _Decided(doctype)
        return handler

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = decide(True)
    parser.StartElementHandler = decide(False)
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        if final:
            parser.Parse(b"", True)
    except _Decided as decided:
        return decided.doctype
    except expat.ExpatError:
        return False
    return False if final else None


def _used_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo, head: bytes,
                xml: bytes | None) -> int:
    """Rows x columns of a worksheet's used range: its <dimension>, which Excel, LibreOffice
    and Google Sheets write, or, where there is none, a scan of the cell references."""
    m = _DIMENSION.search(head)
    if m:
        return column_number(m.group(1)) * int(m.group(2))
    data = xml if xml is not None else zf.read(info)
    width = max((column_number(c) for c in set(_CELL_COLUMN.findall(data))), default=0)
    last_row = max((int(r) for r in _ROW_NUMBER.findall(data[-(1 << 16):])), default=0)
    return width * max(last_row, data.count(b"<row"))


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


_ELEMENT = {"sheet": re.compile(rb"<(?:\w+:)?sheet\b[^>]*>"),
            "rel": re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")}
_ATTR = re.compile(rb'\s([\w:]+)="([^"]*)"')


@dataclass
class Scan:
    errors: dict[str, bytes] = field(default_factory=dict)  # sheet -> XML with error cells
    damaged: dict[str, Exception] = field(default_factory=dict)  # sheet -> why it can't be read


def percent_by_sheet(found: Sniffed) -> dict[str, frozenset[str]]:
    """The percent-formatted number cells, by sheet name (most workbooks have none)."""
    if not found.percent:
        return {}
    return {s: found.percent[p] for s, p in _sheet_parts(found).items() if p in found.percent}


def formulas_by_sheet(found: Sniffed) -> dict[str, dict[str, frozenset[int]]]:
    """The cells that hold a formula, by sheet name, then column letters (rows)."""
    if not any(found.formulas.values()):
        return {}
    return {s: found.formulas[p] for s, p in _sheet_parts(found).items()
            if found.formulas.get(p)}


def by_sheet(found: Sniffed) -> Scan:
    """The sniff's findings in the worksheets, by sheet name. Most workbooks have none, and
    then which part holds which sheet need not be worked out at all."""
    if not found.with_errors and not found.damaged:
        return Scan()
    parts = _sheet_parts(found)
    return Scan({s: found.with_errors[p] for s, p in parts.items() if p in found.with_errors},
                 {s: found.damaged[p] for s, p in parts.items() if p in found.damaged})


def _sheet_parts(found: Sniffed) -> dict[str, str]:
    """Sheet name -> its part in the zip, from the workbook and its relationships."""
    book = found.read("xl/workbook.xml") or b""
    rels = found.read("xl/_rels/workbook.xml.rels") or b""

    def attributes(element: bytes) -> dict[str, str]:  # in whatever order a writer put them
        return {k.decode().split(":")[-1]: unescape(v.decode())
                for k, v in _ATTR.findall(element)}

    targets = {a.get("Id"): a.get("Target", "")
               for a in map(attributes, _ELEMENT["rel"].findall(rels))}
    out = {}
    for a in map(attributes, _ELEMENT["sheet"].findall(book)):
        target = targets.get(a.get("id"), "") or ""
        if target:
            out[a.get("name", "")] = target.lstrip("/") if target.lstrip("/").startswith("xl/") \
                else f"xl/{target}"
    return out


