"""The master's cache: each district's encoded rows (``fragments.Chunk``), kept in a file
beside the store so the next master encodes only the districts that changed.

A chunk is found by a key that hashes everything its rows come from (the district's stored
outcome as stored, its source, the master's folder and month, or its History rows), so a
hit is the same rows the store gives now: the cache is never trusted over the store.

The file is a run of segments, each carrying a SHA-256 of its contents and the writer's
version; a later segment's chunk replaces an earlier one's of the same key. A master
appends one segment holding only the chunks it encoded or placed anew (none: the file is
left alone), and writes the file whole again once most of it is chunks no master uses. A
file any of whose segments does not match, or that cannot be read, is an empty cache
(every district encoded again; a segment cut short by a crash is one); losing it costs
one slower master, nothing else.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import struct
from pathlib import Path
from typing import BinaryIO

from sheetsync.master.fragments import Chunk, Piece

# Part of every key: a change to how rows are encoded (or to xlsxwriter, whose style
# indexes the rows name) must not reuse chunks encoded before it.
WRITER = "master-fragments-3"
_MAGIC = b"sheetsync master cache 2\n"


def key_of(*parts: object) -> bytes:
    """A chunk's key: a hash of ``parts``, marshalled together (values from the store:
    numbers, text, bytes, None, and lists and tuples of them), else one by one (text and
    bytes as they are, anything else marshalled, or as its repr), each with its length and
    type."""
    h = hashlib.sha256(WRITER.encode())
    try:
        h.update(b"\x00" + marshal.dumps(parts, 2))  # type: ignore[arg-type]  # v2: no refs
        return h.digest()[:16]
    except ValueError:
        pass
    for part in parts:
        h.update(type(part).__name__[:1].encode())
        data = part if isinstance(part, bytes) else part.encode() if isinstance(part, str) \
            else _dumped(part)
        h.update(struct.pack("<Q", len(data)))
        h.update(data)
    return h.digest()[:16]


def _dumped(value: object) -> bytes:
    try:  # values from the store: numbers, text, None, and lists and tuples of them
        return marshal.dumps(value, 2)  # type: ignore[arg-type]  # v2: no references
    except ValueError:
        return repr(value).encode()


def sheet_key(base: bytes, sheet: str) -> bytes:
    """The key of a district's chunk of one sheet, from the district's key."""
    return hashlib.sha256(base + sheet.encode()).digest()[:16]


class Cache:
    """Chunks by key, from ``path`` (None: kept only in memory, for one master)."""

    def __init__(self, path: Path | None, writer: str = "") -> None:
        self.path = path
        self.writer = f"{WRITER}/{writer}"
        self.chunks: dict[bytes, Chunk] = {}
        self.size = self.segments = 0  # of the file read (0: none, or not one to append to)
        self.sizes: dict[bytes, int] = {}  # what each chunk read takes in the file
        if path is not None:
            self.chunks, self.sizes, self.size, self.segments = _load(path, self.writer)
        self.hits = self.misses = 0

    def get(self, key: bytes | None) -> Chunk | None:
        found = self.chunks.get(key) if key else None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: bytes | None, chunk: Chunk) -> Chunk:
        if key:
            self.chunks[key] = chunk
        return chunk

    def save(self) -> None:
        """The chunks this master used, to ``path``: appended as a segment when the file
        read holds the others (none new: left alone), else written whole, then moved in
        place. A cache that cannot be written is left out, never an error."""
        if self.path is None:
            return
        used = {k: c for k, c in self.chunks.items() if c.used}
        new = {k: c for k, c in used.items() if not c.saved}
        sizes = self.sizes
        live = sum(sizes[k] if c.saved and k in sizes else _size(c) for k, c in used.items())
        if self.size and self.segments < MAX_SEGMENTS and \
                self.size + sum(_size(c) for c in new.values()) <= 2 * live + (1 << 20):
            if new:
                _append(self.path, new, self.writer, self.size)
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(_MAGIC)
                _dump(f, used, self.writer)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


MAX_SEGMENTS = 64  # then the file is written whole again (fewer to read and check)


def _append(path: Path, chunks: dict[bytes, Chunk], writer: str, size: int) -> None:
    """A segment of ``chunks`` after the ``size`` bytes read (a file that changed since,
    another master's, is left as it is: the next master reads what it holds)."""
    try:
        with open(path, "r+b") as f:
            if f.seek(0, os.SEEK_END) != size:
                return
            _dump(f, chunks, writer)
    except OSError:  # what it holds now does not match: the next master writes it whole
        pass


def _size(c: Chunk) -> int:
    return _RECORD.size + len(c.pack()) + sum(len(p.data) for p in c.placed or ())


# A chunk's record: key; rows, links, kept; its packed templates' offset and length; the
# row it was placed at; then crc, size, zeros' crc, offset and length of each placed piece.
_RECORD = struct.Struct("<16s3IQII" + "IIIQI" * 3)
_SEGMENT = struct.Struct("<Q32s")  # a segment's length after this, and its SHA-256


def _dump(f: BinaryIO, chunks: dict[bytes, Chunk], writer: str) -> None:
    """A segment of ``chunks``, written part by part (its blobs are not joined in memory);
    they are then the file's as it is (``Chunk.saved``)."""
    records, blobs = [], []
    offset = 0
    for key, c in chunks.items():
        packed = c.pack()
        fields: list[int] = [c.rows, c.links, c.kept, offset, len(packed), c.start]
        blobs.append(packed)
        offset += len(packed)
        for p in c.placed or ():
            fields += [p.crc, p.size, p.zeros, offset, len(p.data)]
            blobs.append(p.data)
            offset += len(p.data)
        if not c.placed:
            fields += [0] * 15
        records.append(_RECORD.pack(key, *fields))
    head = json.dumps({"writer": writer, "chunks": len(records)}).encode()
    parts = [struct.pack("<Q", len(head)) + head, b"".join(records), *blobs]
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    f.write(_SEGMENT.pack(sum(len(part) for part in parts), digest.digest()))
    for part in parts:
        f.write(part)
    for c in chunks.values():
        c.saved = True


def _load(path: Path, writer: str) -> tuple[dict[bytes, Chunk], dict[bytes, int], int, int]:
    """The chunks of the file at ``path``, the bytes each takes there, the file's size and
    how many segments it has (none, 0, 0: no file, or one that does not match)."""
    try:
        data = memoryview(path.read_bytes())  # pieces are views of it, not copies
    except OSError:
        return {}, {}, 0, 0
    if data[:len(_MAGIC)] != _MAGIC:
        return {}, {}, 0, 0
    bodies = []
    at = len(_MAGIC)
    try:
        while at < len(data):
            size, digest = _SEGMENT.unpack_from(data, at)
            body = data[at + _SEGMENT.size:at + _SEGMENT.size + size]
            if len(body) != size or hashlib.sha256(body).digest() != digest:
                return {}, {}, 0, 0
            bodies.append(body)
            at += _SEGMENT.size + size
        out: dict[bytes, Chunk] = {}
        sizes: dict[bytes, int] = {}
        for body in reversed(bodies):  # the last chunk of a key is its chunk: none made twice
            if not _segment(body, writer, out, sizes):
                return {}, {}, 0, 0
    except (ValueError, TypeError, KeyError, struct.error):
        return {}, {}, 0, 0
    return out, sizes, len(data), len(bodies)


def _segment(data: memoryview, writer: str, out: dict[bytes, Chunk],
             sizes: dict[bytes, int]) -> bool:
    """The chunks of one segment into ``out`` and their sizes into ``sizes``, but for keys
    ``out`` has already, from a later segment (False: another writer's segment)."""
    (size,) = struct.unpack_from("<Q", data, 0)
    head = json.loads(bytes(data[8:8 + size]))
    if head.get("writer") != writer:
        return False
    at = 8 + size
    blobs = at + head["chunks"] * _RECORD.size
    for key, rows, links, kept, off, n, first, c1, s1, z1, o1, n1, c2, s2, z2, o2, n2, \
            c3, s3, z3, o3, n3 in _RECORD.iter_unpack(data[at:blobs]):
        if key in out:
            continue
        sizes[key] = _RECORD.size + n + (n1 + n2 + n3 if first else 0)
        o1, o2, o3 = o1 + blobs, o2 + blobs, o3 + blobs
        pieces = (Piece(c1, s1, data[o1:o1 + n1], z1), Piece(c2, s2, data[o2:o2 + n2], z2),
                  Piece(c3, s3, data[o3:o3 + n3], z3)) if first else None
        out[key] = Chunk(rows, links, kept, data[blobs + off:blobs + off + n], first, pieces,
                         saved=True)
    return True
