"""The master's .xlsx file: xlsxwriter's workbook (styles, tables, charts, headers, page
set-up, properties) with each sheet's data rows, hyperlinks and their relationships put
into its XML as compressed ``fragments.Piece``s, written as a zip by hand.

The zip holds xlsxwriter's members in its order, every one deflated here (pieces
concatenated, then the final block), dated 1980-01-01 like xlsxwriter's: the same store
gives the same bytes, whichever of a pull or ``master rebuild`` wrote it, and whatever it
found in ``master.cache``.
"""

from __future__ import annotations

import ctypes
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Protocol

from sheetsync.master.fragments import Piece, deflate, zeros

_FINAL = b"\x03\x00"  # an empty final deflate block
_BATCH = 1 << 20  # bytes of pieces joined into one write
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, 00:00
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
         '"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')
_BEFORE_LINKS = re.compile(r"<(printOptions|pageMargins|pageSetup|headerFooter|drawing|"
                           r"legacyDrawing|tableParts)\b")


@dataclass
class SheetData:
    """What goes into one sheet after xlsxwriter wrote it: pieces of ``<row>`` XML (after
    the header row), of ``<hyperlink>`` elements, and of their relationships."""

    rows: list[Piece]
    links: list[Piece]
    rels: list[Piece]
    last_row: int = 1  # the number of the sheet's last row (its dimension's)


def crc_of(pieces: Sequence[Piece]) -> int:
    """The CRC-32 of the pieces' texts one after another, from each one's CRC-32: CRC-32 is
    affine, so crc(a + b) = crc32(zeros, crc(a)) ^ crc32(zeros, 0) ^ crc(b), with as many
    zeros as b has bytes (zlib's ``crc32_combine`` when it can be called: the same without
    the zeros, ~20 ms less at 500 districts)."""
    combine = _combine()
    crc = 0
    if combine is not None:
        for p in pieces:
            if p.size:
                crc = combine(crc, p.crc, p.size)
        return crc
    for p in pieces:
        if p.size:
            crc = zlib.crc32(zeros(p.size), crc) ^ p.zeros ^ p.crc
    return crc


_ZLIBS = ("libz.so.1", "libz.dylib", "libz.so")  # where the process's zlib is, by system


@lru_cache(maxsize=1)
def _combine() -> Callable[[int, int, int], int] | None:
    """zlib's ``crc32_combine64`` (a CRC-32 of two texts from theirs and the second's
    length), checked on a known case; None where no zlib library can be loaded (Windows:
    Python's own zlib exports none)."""
    for name in _ZLIBS:
        try:
            found = ctypes.CDLL(name).crc32_combine64
        except (OSError, AttributeError):
            continue
        found.restype = ctypes.c_ulong
        found.argtypes = (ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int64)
        a, b = b"sheetsync", b"master"
        if found(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b):
            return found  # type: ignore[no-any-return]
    return None


class Digest(Protocol):
    def update(self, data: bytes | memoryview, /) -> None: ...


def write_package(out: BinaryIO, skeleton: bytes, sheets: dict[str, SheetData],
                  digest: Digest | None = None) -> None:
    """The .xlsx: ``skeleton`` (xlsxwriter's file, its sheets holding their header rows)
    with ``sheets`` (by member name, "xl/worksheets/sheet1.xml") put in; ``digest`` (a
    hash) is given every byte written, in order."""
    members: list[tuple[str, list[Piece]]] = []
    with zipfile.ZipFile(BytesIO(skeleton)) as z:
        names = z.namelist()
        texts = {name: z.read(name) for name in names}
    for name in names:
        if name in sheets:
            members.append((name, _sheet(texts[name].decode(), sheets[name])))
        elif _rels_of(name) in sheets:
            members.append((name, _rels(texts[name].decode(), sheets[_rels_of(name)].rels)))
        else:
            members.append((name, [deflate(texts[name])]))
    for name, data in sheets.items():  # a sheet without relationships, given links
        rels = _rels_name(name)
        if data.rels and rels not in texts:
            members.append((rels, _rels(_RELS, data.rels)))
    _write_zip(_Seen(out, digest) if digest else out, members)


def _rels_name(sheet: str) -> str:
    folder, _, file = sheet.rpartition("/")
    return f"{folder}/_rels/{file}.rels"


def _rels_of(name: str) -> str:
    if "/_rels/" not in name or not name.endswith(".rels"):
        return ""
    folder, _, file = name.rpartition("/_rels/")
    return f"{folder}/{file[:-5]}"


def _sheet(xml: str, data: SheetData) -> list[Piece]:
    xml = _DIMENSION.sub(lambda m: f'<dimension ref="{m[1]}{m[2]}:{m[3] or m[1]}'
                         f'{max(data.last_row, int(m[4] or m[2]))}"/>', xml, count=1)
    end = xml.index("</sheetData>")
    if not data.links:
        return [deflate(xml[:end]), *data.rows, deflate(xml[end:])]
    found = _BEFORE_LINKS.search(xml, end)
    at = found.start() if found else xml.index("</worksheet>")
    return [deflate(xml[:end]), *data.rows, deflate(xml[end:at] + "<hyperlinks>"),
            *data.links, deflate("</hyperlinks>" + xml[at:])]


def _rels(xml: str, rels: list[Piece]) -> list[Piece]:
    if not rels:
        return [deflate(xml)]
    end = xml.index("</Relationships>")
    return [deflate(xml[:end]), *rels, deflate(xml[end:])]


class _Seen:
    """``out``, giving ``digest`` what is written to it."""

    def __init__(self, out: BinaryIO, digest: Digest) -> None:
        self.out, self.digest = out, digest

    def write(self, data: bytes | memoryview) -> int:
        self.digest.update(data)
        return self.out.write(data)


def _write_zip(out: BinaryIO | _Seen, members: Iterable[tuple[str, list[Piece]]]) -> None:
    central = []
    offset = 0
    for name, pieces in members:
        crc, size = crc_of(pieces), sum(p.size for p in pieces)
        packed = sum(len(p.data) for p in pieces) + len(_FINAL)
        raw_name = name.encode()
        head = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, _DOS_DATE, crc, packed,
                           size, len(raw_name), 0)
        out.write(head + raw_name)
        batch: list[bytes | memoryview] = []
        held = 0
        for p in pieces:  # a write per ~1 MB, not per piece (thousands)
            batch.append(p.data)
            held += len(p.data)
            if held >= _BATCH:
                out.write(b"".join(batch))
                batch, held = [], 0
        out.write(b"".join([*batch, _FINAL]))
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, _DOS_DATE,
                                   crc, packed, size, len(raw_name), 0, 0, 0, 0, 0, offset)
                       + raw_name)
        offset += len(head) + len(raw_name) + packed
        if offset >= 1 << 32 or size >= 1 << 32:
            raise OSError("the master is larger than a zip without ZIP64 holds (4 GB)")
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                          len(directory), offset, 0))


def write_file(path: Path, skeleton: bytes, sheets: dict[str, SheetData]) -> None:
    with open(path, "wb") as f:
        write_package(f, skeleton, sheets)
