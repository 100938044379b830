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
import os
import struct
from pathlib import Path
from typing import Any

from sheetsync.master.fragments import Chunk, Piece

# Part of every key: a change to how rows are encoded (or to xlsxwriter, whose style
# indexes the rows name) must not reuse chunks encoded before it.
WRITER = "master-fragments-1"
_MAGIC = b"sheetsync master cache 1\n"


def key_of(*parts: object) -> str:
    h = hashlib.sha256(WRITER.encode())
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        h.update(struct.pack("<Q", len(data)))
        h.update(data)
    return h.hexdigest()[:32]


class Cache:
    """Chunks by key, from ``path`` (None: kept only in memory, for one master)."""

    def __init__(self, path: Path | None, writer: str = "") -> None:
        self.path = path
        self.writer = f"{WRITER}/{writer}"
        self.chunks: dict[str, Chunk] = _load(path, self.writer) if path else {}
        self.hits = self.misses = 0

    def get(self, key: str | None) -> Chunk | None:
        found = self.chunks.get(key) if key else None
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: str | None, chunk: Chunk) -> Chunk:
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
                f.write(_dump(used, self.writer))
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def _dump(chunks: dict[str, Chunk], writer: str) -> bytes:
    blobs: list[bytes] = []
    offset = 0

    def blob(data: bytes) -> list[int]:
        nonlocal offset
        blobs.append(data)
        offset += len(data)
        return [offset - len(data), len(data)]

    rows: list[Any] = []
    for key, c in chunks.items():
        placed = [[p.crc, p.size, *blob(p.data)] for p in c.placed] if c.placed else None
        rows.append([key, c.rows, c.links, c.kept, blob(c.packed), c.start, placed])
    head = json.dumps({"writer": writer, "chunks": rows}, separators=(",", ":")).encode()
    body = struct.pack("<Q", len(head)) + head + b"".join(blobs)
    return _MAGIC + hashlib.sha256(body).digest() + body


def _load(path: Path, writer: str) -> dict[str, Chunk]:
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    start = len(_MAGIC) + 32
    if not data.startswith(_MAGIC) or hashlib.sha256(
            memoryview(data)[start:]).digest() != data[len(_MAGIC):start]:
        return {}
    try:
        (size,) = struct.unpack_from("<Q", data, start)
        head = json.loads(data[start + 8:start + 8 + size])
        if head.get("writer") != writer:
            return {}
        blobs = start + 8 + size

        def blob(at: int, n: int) -> bytes:
            return data[blobs + at:blobs + at + n]

        out = {}
        for key, rows, links, kept, packed, first, placed in head["chunks"]:
            pieces = tuple(Piece(crc, n, blob(at, m)) for crc, n, at, m in placed) \
                if placed else None
            out[key] = Chunk(rows, links, kept, blob(*packed), first,
                             pieces)  # type: ignore[arg-type]
        return out
    except (ValueError, TypeError, KeyError, struct.error):
        return {}
