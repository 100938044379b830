"""Putting the master's sheets together from chunks (``master.fragments``): each district's
rows found in the cache (``master.cache``) or encoded from its outcome, placed one after
another in each sheet, within Excel's limits (``layout.MAX_ROWS``,
``_xlsxwriter.MAX_LINKS``).

Districts come as ``Outcome``s (encoded every time) or as ``Stored`` ones: a key hashing
the district's row as stored, and a way to load it, used only when the cache does not hold
its rows. The master written is the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from sheetsync.cohort.store import Outcome
from sheetsync.master import _xlsxwriter, layout
from sheetsync.master.cache import Cache, key_of, sheet_key
from sheetsync.master.fragments import ROW, Chunk, Encoder, deflate
from sheetsync.master.layout import HISTORY, Col
from sheetsync.master.package import SheetData
from sheetsync.master.rows import district_rows, summary_row

ELSEWHERE_MIN = 24  # districts to encode before sending them elsewhere pays (a pool's start)
# Encodes the districts (id: key) the cache does not hold, elsewhere: (key, chunk) for every
# sheet of each, in their order (``master.cores.Cores.encode``); none it leaves out.
Encode = Callable[[Mapping[str, bytes], Encoder, Mapping[str, tuple[str, ...]], Path],
                  Iterable[tuple[bytes, Chunk]]]


@dataclass(frozen=True)
class Stored:
    """A district as the store holds it: ``key`` hashes what its rows but the Summary's
    Pulled At come from (its stored row but when it was pulled, its source, the master's
    folder); ``pulled_at`` is that cell's value; ``light`` gives its outcome without the
    snapshot unpacked (for its Summary row, when the cache does not hold it); ``load``
    reads the whole ``Outcome``, only when its rows must be encoded."""

    district_id: str
    key: bytes
    pulled_at: str
    light: Callable[[], Outcome]
    load: Callable[[], Outcome]


@dataclass
class Placed:
    """A sheet's data rows as they are put together, from row 2 (after the header)."""

    name: str
    kinds: tuple[str, ...]
    next: int = 2  # the row number of the next row
    chunks: list[tuple[Chunk, int, int | None]] = field(default_factory=list)
    links: int = 0  # links the rows ask for
    kept: int = 0  # of them, on each district's first row
    left_out: int = 0  # rows past Excel's last row
    settle: bool = True  # keep each chunk's templates packed once placed (``Chunk.settle``)

    @property
    def rows(self) -> int:
        return self.next - 2

    def add(self, chunk: Chunk) -> None:
        """``chunk`` placed after the rows there; what passes Excel's last row left out."""
        room = layout.MAX_ROWS - self.next + 1
        n = min(chunk.rows, max(room, 0))
        self.left_out += chunk.rows - n
        if n == 0:
            chunk.used = True
            return
        limit = None if n == chunk.rows else n
        if limit is None:
            self.links += chunk.links
            self.kept += chunk.kept
        else:
            _, links = chunk.templates()
            self.links += sum(r < n for r, _, _ in links)
            self.kept += sum(r == 0 for r, _, _ in links)
        self.chunks.append((chunk, self.next, limit))
        if limit is None and self.links <= _xlsxwriter.MAX_LINKS:
            chunk.place(self.next)  # now, while its templates are at hand (the usual case)
            if self.settle:
                chunk.settle()
        self.next += n

    @property
    def every_link(self) -> bool:
        return self.links <= _xlsxwriter.MAX_LINKS

    def data(self) -> SheetData:
        """The sheet's pieces: all its links, or (past ``MAX_LINKS``) each district's first
        row's, the first ``MAX_LINKS`` of them."""
        out = SheetData([], [], [], self.next - 1)
        budget = _xlsxwriter.MAX_LINKS
        for chunk, start, limit in self.chunks:
            if limit is None and self.every_link:
                rows, links, rels = chunk.place(start)
            else:
                chunk.used = True
                text, hyperlinks, relationships = chunk.render(start, self.every_link, limit,
                                                                budget)
                budget -= hyperlinks.count("<hyperlink ")
                rows, links, rels = deflate(text), deflate(hyperlinks), deflate(relationships)
            out.rows.append(rows)
            if links.size:
                out.links.append(links)
                out.rels.append(rels)
        return out


def district_chunks(items: Iterable[Outcome | Stored], cache: Cache, encoder: Encoder,
                    kinds: Mapping[str, tuple[str, ...]], period: str, folder: Path,
                    source_of: Callable[[Outcome], str],
                    elsewhere: Encode | None = None) -> Iterator[dict[str, Chunk]]:
    """Each district's chunk for every sheet (Summary and the sheets ``district_rows``
    gives), from the cache when it holds them, else encoded (and put in it): by
    ``elsewhere`` (on other cores, ``master.cores``) for the stored districts it takes,
    in their order, here for the rest."""
    names = [name for name in kinds if name != "Summary"]
    items = list(items)
    missing = {item.district_id: item.key for item in items if isinstance(item, Stored)
               and any(sheet_key(item.key, name) not in cache.chunks for name in names)}
    arriving = iter(elsewhere(missing, encoder, {n: kinds[n] for n in names}, folder)
                    if elsewhere and len(missing) >= ELSEWHERE_MIN else ())
    sent = set(missing.values())
    came: dict[bytes, Chunk] = {}  # chunks that arrived, until their district is placed
    for item in items:
        base = item.key if isinstance(item, Stored) else None
        keys = {name: sheet_key(base, name) if base else None for name in names}
        found = {name: cache.get(keys[name]) for name in names}
        o = item if isinstance(item, Outcome) else None
        if base in sent:  # in order: this district's chunks arrive before the next one's
            while not all(keys[name] in came for name in names):
                arrived = next(arriving, None)
                if arrived is None:  # not encoded there after all: here, below
                    break
                came[arrived[0]] = arrived[1]
            for name in names:
                chunk = came.pop(keys[name], None)  # type: ignore[arg-type]
                if found[name] is None and chunk is not None:
                    found[name] = cache.put(keys[name], chunk)
        if any(c is None for c in found.values()):
            o = item.load() if isinstance(item, Stored) else item
            for name, rows in district_rows(o, folder, source_of(o)).items():
                found[name] = cache.put(keys[name], encoder.chunk(kinds[name], rows))
        summary = _summary(item, o, cache, encoder, kinds["Summary"], period)
        yield {"Summary": summary, **found}  # type: ignore[dict-item]


# The Summary's Pulled At column (``rows.summary_row``): new at every pull.
_PULLED = [c.header for c in layout.SHEETS["Summary"]].index("Pulled At")


def _summary(item: Outcome | Stored, o: Outcome | None, cache: Cache, encoder: Encoder,
             kinds: tuple[str, ...], period: str) -> Chunk:
    """A district's Summary row (``o``: its outcome, when loaded). Its cells but Pulled At
    come from what its key hashes, and the month: kept in the cache, as two templates
    (the cells before that column, and after it), not counted as hits or misses."""
    key = sheet_key(item.key, f"Summary {period}") if isinstance(item, Stored) else None
    parts = cache.chunks.get(key) if key else None
    if parts is None:
        if isinstance(item, Outcome):
            o = item
        elif o is None:
            o = item.light()
            o = o if o.summary is not None else item.load()
        row = summary_row(o, period)
        links: list[tuple[int, str, str]] = []
        before = encoder.cells(kinds[:_PULLED], row[:_PULLED], 0, links)
        after = encoder.cells(kinds[_PULLED + 1:], row[_PULLED + 1:], _PULLED + 1, links)
        if links or not key:
            return encoder.chunk(kinds, [row])
        parts = cache.put(key, Chunk.of([before, after], []))
    parts.used = True
    before, after = parts.templates()[0]
    pulled = encoder.pulled.get(item.pulled_at)  # most districts share the pull's time
    if pulled is None:
        pulled = encoder.pulled[item.pulled_at] = encoder.cells(
            kinds[_PULLED:_PULLED + 1], [item.pulled_at], _PULLED)
    return Chunk.of([f'<row r="{ROW}">{before}{pulled}{after}</row>'], [])


def history_chunks(history: Iterable[tuple[Any, ...]], plan: Mapping[str, str],
                   cache: Cache, encoder: Encoder,
                   kinds: tuple[str, ...]) -> Iterator[tuple[str, Chunk]]:
    """Each district's History rows, by the sheet they go to (``plan``: by month), as
    chunks: from the cache when it holds the same rows."""
    default = next(iter(plan.values()), HISTORY)
    one = len(set(plan.values())) <= 1  # one History sheet (the usual case)
    for _, rows in groupby(history, key=itemgetter(0)):
        by_sheet: dict[str, list[tuple[Any, ...]]] = {}
        if one:
            by_sheet[default] = list(rows)
        else:
            for row in rows:
                by_sheet.setdefault(plan.get(row[2], default), []).append(row)
        for name, values in by_sheet.items():
            key = key_of("history", name, values)
            yield name, cache.get(key) or cache.put(key, encoder.chunk(kinds, values))


def summary_data(encoder: Encoder, chunks: list[Chunk], trend: list[list[Any]],
                 trend_kinds: tuple[str, ...], beside_at: int) -> SheetData:
    """The Summary's rows: one per district, the trend table beside the first ones."""
    parts = []
    for i, chunk in enumerate(chunks):
        chunk.used = True
        row = chunk.templates()[0][0]
        if i < len(trend):
            row = row[:-len("</row>")] + encoder.cells(trend_kinds, trend[i], beside_at) + \
                "</row>"
        parts.append(row.replace(ROW, str(i + 2)))
    for i in range(len(chunks), len(trend)):
        parts.append(f'<row r="{i + 2}">'
                     f'{encoder.cells(trend_kinds, trend[i], beside_at)}</row>'
                     .replace(ROW, str(i + 2)))
    return SheetData([deflate("".join(parts))], [], [], 1 + max(len(chunks), len(trend)))


def kinds_of(cols: tuple[Col, ...]) -> tuple[str, ...]:
    return tuple(c.kind for c in cols)
