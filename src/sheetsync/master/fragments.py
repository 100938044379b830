"""The master's rows as fragments: each district's rows of a sheet encoded once, as sheet
XML with the row numbers left out, and kept (``master.cache``) until the district changes.

A ``Chunk`` is one district's rows of one sheet: row templates (the ``<row>`` XML xlsxwriter
would stream, with ``ROW`` where the row number goes) and its source-cell links (the
``<hyperlink>`` element and the relationship each needs). Placing a chunk at a row renders
it and compresses it into ``Piece``s: raw deflate ending on a byte boundary, so pieces
concatenate into one deflate stream (``master.package``). A chunk placed at the same row as
last time reuses its pieces: a pull where one district changed compresses only that
district's rows (and, when its row count changed, re-renders the districts after it).

A link's relationship id is its cell (``rIdJ5``): unique in the sheet, and the same
whatever other districts hold, so a chunk's links need only its row numbers.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sheetsync.master._xlsxwriter import escape, serial, url_parts
from sheetsync.master.rows import Link
from sheetsync.schema.cells import column_letter

LEVEL = 1  # zlib level of the master's sheets: 3-4x faster than 6, files ~25% larger
ROW = "\x00"  # a row template's row number (encoded text never holds a control character)
SEP, PART = "\x01", "\x02"  # between templates, and between the rows and links of a chunk
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_REFS = [f"{column_letter(i)}{ROW}" for i in range(1, 703)]  # a cell's, by column (A-ZZ)


class Piece(NamedTuple):
    """Some of a zip member: its text's CRC-32 and length, and that text as raw deflate
    ending on a byte boundary (not the stream's final block). A tuple: the cache makes
    thousands of them at each master."""

    crc: int
    size: int
    data: bytes | memoryview
    zeros: int  # the CRC-32 of as many zero bytes (``package.crc_of``)


class _Zeros:
    """Zero bytes to combine CRC-32s with (``crc_of``)."""

    def __init__(self) -> None:
        self.buf = memoryview(bytes(1 << 16))

    def __call__(self, n: int) -> memoryview:
        if n > len(self.buf):
            self.buf = memoryview(bytes(max(n, 2 * len(self.buf))))
        return self.buf[:n]


zeros = _Zeros()


def deflate(text: str | bytes) -> Piece:
    raw = text.encode() if isinstance(text, str) else text
    z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Piece(zlib.crc32(raw), len(raw), z.compress(raw) + z.flush(zlib.Z_SYNC_FLUSH),
                 zlib.crc32(zeros(len(raw))))


@dataclass
class Chunk:
    """One district's rows of one sheet, packed (templates, compressed), and its pieces as
    last placed (``start``: the row number of its first row; 0 when never placed)."""

    rows: int  # how many
    links: int  # source-cell links its rows ask for
    kept: int  # of them, on its first row (kept when a sheet has more than Excel holds)
    packed: bytes | memoryview | None  # None: not packed yet (``raw``)
    start: int = 0
    placed: tuple[Piece, Piece, Piece] | None = None  # rows, hyperlinks, relationships
    used: bool = field(default=False, compare=False)  # by the master written now
    saved: bool = field(default=False, compare=False)  # in the cache file as it is now
    raw: tuple[list[str], list[tuple[int, str, str]]] | None = field(
        default=None, compare=False, repr=False)  # the templates, until packed

    @classmethod
    def of(cls, rows: list[str], links: list[tuple[int, str, str]]) -> Chunk:
        return cls(len(rows), len(links), sum(r == 0 for r, _, _ in links), None,
                   raw=(rows, links))

    def pack(self) -> bytes | memoryview:
        """The templates, compressed (what the cache keeps)."""
        if self.packed is None:
            rows, links = self.raw or ([], [])
            text = SEP.join(rows) + PART + SEP.join(f"{r}{PART}{h}{PART}{x}"
                                                    for r, h, x in links)
            self.packed = zlib.compress(text.encode(), LEVEL)
        return self.packed

    def settle(self) -> None:
        """Keep the templates packed only (once placed, they are seldom needed again)."""
        self.pack()
        self.raw = None

    def templates(self) -> tuple[list[str], list[tuple[int, str, str]]]:
        if self.raw is not None:
            return self.raw
        rows, _, links = zlib.decompress(self.pack()).decode().partition(PART)
        out = []
        for link in links.split(SEP) if links else []:
            r, h, x = link.split(PART)
            out.append((int(r), h, x))
        return rows.split(SEP) if self.rows else [], out

    def render(self, start: int, every_link: bool = True, limit: int | None = None,
               most: int | None = None) -> tuple[str, str, str]:
        """The rows' XML from row ``start`` (only the first ``limit`` rows when given),
        their hyperlinks and relationships (only the first row's, at most ``most``,
        unless ``every_link``)."""
        rows, links = self.templates()
        n = len(rows) if limit is None else min(limit, len(rows))
        text = "".join(t.replace(ROW, str(start + i)) for i, t in enumerate(rows[:n]))
        chosen = [(r, h, x) for r, h, x in links if r < n and (every_link or r == 0)]
        if not every_link and most is not None:
            chosen = chosen[:max(most, 0)]
        return (text, "".join(h.replace(ROW, str(start + r)) for r, h, _ in chosen),
                "".join(x.replace(ROW, str(start + r)) for r, _, x in chosen))

    def place(self, start: int) -> tuple[Piece, Piece, Piece]:
        """The chunk's pieces at row ``start`` with all its links: kept for the next time."""
        self.used = True
        if self.placed is None or self.start != start:
            rows, links, rels = self.render(start)
            self.placed = (deflate(rows), deflate(links), deflate(rels))
            self.start = start
            self.saved = False
        return self.placed


# -- encoding ----------------------------------------------------------------------------


class Encoder:
    """A sheet's cells as ``<c>`` XML, as xlsxwriter streams them (inline strings)."""

    def __init__(self, xf: dict[str, int]) -> None:
        self.xf = xf
        self.style = {kind: f' s="{n}"' if n else "" for kind, n in xf.items()}
        self.texts: dict[str, str] = {}  # an inline string's XML, by its text
        self.pulled: dict[str, str] = {}  # a Summary's Pulled At cell, by its value

    def text(self, ref: str, text: str, style: str) -> str:
        body = self.texts.get(text)
        if body is None:
            space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() \
                else ""
            body = f' t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
            if len(self.texts) < 100_000:
                self.texts[text] = body
        return f'<c r="{ref}"{style}{body}'

    def cells(self, kinds: tuple[str, ...], values: Sequence[Any], offset: int = 0,
              links: list[tuple[int, str, str]] | None = None, row: int = 0) -> str:
        """The cells of ``values`` (one per column kind, from column ``offset``); each
        link's (row, hyperlink, relationship) templates are added to ``links``."""
        style, text = self.style, self.text
        plain = style["text"]
        parts = []
        for ref, kind, v in zip(_REFS[offset:offset + len(values)], kinds, values,
                                strict=True):
            t = type(v)
            if t is str:
                if not v:
                    continue
                if kind == "date":
                    parts.append(f'<c r="{ref}"{style["date"]}><v>{serial(_when(v))!r}</v></c>')
                else:
                    parts.append(text(ref, v, plain))
            elif v is None:
                continue
            elif t is int or t is float:
                if t is float and not math.isfinite(v):
                    parts.append(text(ref, str(v), ""))
                else:
                    parts.append(f'<c r="{ref}"{style.get(kind, "")}><v>{v!r}</v></c>')
            elif t is bool:
                parts.append(f'<c r="{ref}"{plain} t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, Link):
                if v.url and links is not None:
                    links.append((row, *_link_templates(ref, v.url)))
                parts.append(text(ref, v.label, style["link"] if v.url else ""))
            elif isinstance(v, date):
                parts.append(f'<c r="{ref}"{style["date"]}><v>{serial(v)!r}</v></c>')
            elif isinstance(v, int | float) and not isinstance(v, bool):
                parts.append(f'<c r="{ref}"{style.get(kind, "")}><v>{v!r}</v></c>')
            else:
                parts.append(text(ref, str(v), plain))
        return "".join(parts)

    def chunk(self, kinds: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> Chunk:
        templates: list[str] = []
        links: list[tuple[int, str, str]] = []
        for i, values in enumerate(rows):
            templates.append(f'<row r="{ROW}">{self.cells(kinds, values, 0, links, i)}</row>')
        return Chunk.of(templates, links)


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text) if "T" in text or " " in text else \
        datetime.combine(date.fromisoformat(text), datetime.min.time())


def _link_templates(ref: str, url: str) -> tuple[str, str]:
    target, anchor = _url(url)
    rid = f"rId{ref}"
    where = f' location="{attribute(anchor)}"' if anchor else ""
    return (f'<hyperlink ref="{ref}" r:id="{rid}"{where}/>',
            f'<Relationship Id="{rid}" Type="{HYPERLINK}" Target="{attribute(target)}" '
            'TargetMode="External"/>')


def _url(url: str) -> tuple[str, str]:
    """A link's relationship target and anchor, as xlsxwriter makes them: worked out once
    per file (every link into a district's file shares its target)."""
    path, sep, anchor = url.partition("#")
    if sep and "#" not in anchor:
        target, first = _file_target(path)
        if not first:
            return target, anchor
    return url_parts(url)


@lru_cache(maxsize=16_384)
def _file_target(path: str) -> tuple[str, str]:
    return url_parts(path)


def attribute(text: str) -> str:
    """An XML attribute's value, escaped as xlsxwriter escapes it."""
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;") \
        .replace(">", "&gt;").replace("\n", "&#xA;")
