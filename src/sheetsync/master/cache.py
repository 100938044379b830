"""The master's cache: each district's encoded rows (``fragments.Chunk``), kept in a file
beside the store so the next master encodes only the districts that changed.

A chunk is found by a key that hashes everything its rows come from (the district's stored
outcome as stored, its source, the master's folder and month, or its History rows), so a
hit is the same rows the store gives now: the cache is never trusted over the store. The
file carries a SHA-256 of its contents and the writer's version; a file that does not
match, or cannot be read, is an empty cache (every district encoded again), and losing it
costs one slower master, nothing else.
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
WRITER = "master-fragments-2"
_MAGIC = b"sheetsync master cache 1\n"


def key_of(*parts: object) -> bytes:
    """A chunk's key: a hash of ``parts`` (text and bytes as they are, anything else
    marshalled, or as its repr), each with its length and type."""
    h = hashlib.sha256(WRITER.encode())
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
        self.chunks: dict[bytes, Chunk] = _load(path, self.writer) if path else {}
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
        """The chunks this master used, to ``path`` (written whole, then moved in place);
        a cache that cannot be written is left out, never an error."""
        if self.path is None:
            return
        used = {k: c for k, c in self.chunks.items() if c.used}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                _dump(f, used, self.writer)
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


# A chunk's record: key; rows, links, kept; its packed templates' offset and length; the
# row it was placed at; then crc, size, zeros' crc, offset and length of each placed piece.
_RECORD = struct.Struct("<16s3IQII" + "IIIQI" * 3)


def _dump(f: BinaryIO, chunks: dict[bytes, Chunk], writer: str) -> None:
    """The cache file, written part by part (its blobs are not joined in memory)."""
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
    f.write(_MAGIC + digest.digest())
    for part in parts:
        f.write(part)


def _load(path: Path, writer: str) -> dict[bytes, Chunk]:
    try:
        data = memoryview(path.read_bytes())  # pieces are views of it, not copies
    except OSError:
        return {}
    start = len(_MAGIC) + 32
    if data[:len(_MAGIC)] != _MAGIC or hashlib.sha256(data[start:]).digest() != \
            data[len(_MAGIC):start]:
        return {}
    try:
        (size,) = struct.unpack_from("<Q", data, start)
        head = json.loads(bytes(data[start + 8:start + 8 + size]))
        if head.get("writer") != writer:
            return {}
        at = start + 8 + size
        blobs = at + head["chunks"] * _RECORD.size
        out = {}
        for key, rows, links, kept, off, n, first, *placed in _RECORD.iter_unpack(
                data[at:blobs]):
            pieces = tuple(Piece(crc, size, data[blobs + at:blobs + at + n], zeros)
                           for crc, size, zeros, at, n in (placed[i:i + 5]
                                                           for i in range(0, 15, 5))) \
                if first else None
            out[key] = Chunk(rows, links, kept, data[blobs + off:blobs + off + n], first,
                             pieces)  # type: ignore[arg-type]
        return out
    except (ValueError, TypeError, KeyError, struct.error):
        return {}
