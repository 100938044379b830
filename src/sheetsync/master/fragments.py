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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sheetsync.master._xlsxwriter import escape, serial, url_parts
from sheetsync.schema.cells import column_letter

LEVEL = 1  # zlib level of the master's sheets: 3-4x faster than 6, files ~25% larger
ROW = "\x00"  # a row template's row number (encoded text never holds a control character)
SEP, PART = "\x01", "\x02"  # between templates, and between the rows and links of a chunk
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_LETTERS = [column_letter(i) for i in range(1, 16_385)]


@dataclass(frozen=True)
class Piece:
    """Some of a zip member: its text's CRC-32 and length, and that text as raw deflate
    ending on a byte boundary (not the stream's final block)."""

    crc: int
    size: int
    data: bytes


def deflate(text: str | bytes) -> Piece:
    raw = text.encode() if isinstance(text, str) else text
    z = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Piece(zlib.crc32(raw), len(raw), z.compress(raw) + z.flush(zlib.Z_SYNC_FLUSH))


@dataclass
class Chunk:
    """One district's rows of one sheet, packed (templates, compressed), and its pieces as
    last placed (``start``: the row number of its first row; 0 when never placed)."""

    rows: int  # how many
    links: int  # source-cell links its rows ask for
    kept: int  # of them, on its first row (kept when a sheet has more than Excel holds)
    packed: bytes
    start: int = 0
    placed: tuple[Piece, Piece, Piece] | None = None  # rows, hyperlinks, relationships
    used: bool = field(default=False, compare=False)  # by the master written now

    @classmethod
    def of(cls, rows: list[str], links: list[tuple[int, str, str]]) -> Chunk:
        text = SEP.join(rows) + PART + SEP.join(f"{r}{PART}{h}{PART}{x}" for r, h, x in links)
        return cls(len(rows), len(links), sum(r == 0 for r, _, _ in links),
                   zlib.compress(text.encode(), LEVEL))

    def templates(self) -> tuple[list[str], list[tuple[int, str, str]]]:
        rows, _, links = zlib.decompress(self.packed).decode().partition(PART)
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
        return self.placed


# -- encoding ----------------------------------------------------------------------------


class Encoder:
    """A sheet's cells as ``<c>`` XML, as xlsxwriter streams them (inline strings)."""

    def __init__(self, xf: dict[str, int]) -> None:
        self.xf = xf

    def cells(self, kinds: tuple[str, ...], values: list[Any], offset: int = 0,
              links: list[tuple[int, str, str]] | None = None, row: int = 0) -> str:
        """The cells of ``values`` (one per column kind, from column ``offset``); each
        link's (row, hyperlink, relationship) templates are added to ``links``."""
        xf = self.xf
        parts = []
        for c, (kind, v) in enumerate(zip(kinds, values, strict=True), offset):
            if v is None or v == "":
                continue
            ref = f"{_LETTERS[c]}{ROW}"
            if hasattr(v, "url"):  # a rows.Link
                if v.url and links is not None:
                    links.append((row, *_link_templates(ref, v.url)))
                parts.append(_text(ref, v.label, xf["link"] if v.url else None))
            elif kind == "date" and isinstance(v, str):
                parts.append(f'<c r="{ref}" s="{xf["date"]}"><v>{serial(_when(v))!r}</v></c>')
            elif isinstance(v, bool):
                parts.append(f'<c r="{ref}"{_style(xf.get("text"))} t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, int | float):
                if isinstance(v, float) and not math.isfinite(v):
                    parts.append(_text(ref, str(v), None))
                else:
                    parts.append(f'<c r="{ref}"{_style(xf.get(kind))}><v>{v!r}</v></c>')
            elif isinstance(v, date):
                parts.append(f'<c r="{ref}"{_style(xf["date"])}><v>{serial(v)!r}</v></c>')
            else:
                parts.append(_text(ref, str(v), xf["text"]))
        return "".join(parts)

    def chunk(self, kinds: tuple[str, ...], rows: Iterable[list[Any]]) -> Chunk:
        templates: list[str] = []
        links: list[tuple[int, str, str]] = []
        for i, values in enumerate(rows):
            templates.append(f'<row r="{ROW}">{self.cells(kinds, values, 0, links, i)}</row>')
        return Chunk.of(templates, links)


def _style(xf: int | None) -> str:
    return f' s="{xf}"' if xf else ""


def _text(ref: str, text: str, xf: int | None) -> str:
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{_style(xf)} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


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
