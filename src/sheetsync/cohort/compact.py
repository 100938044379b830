"""The store's blobs kept small: a district's months as their difference from a base.

A blob (a district's read: its scorecard, read findings and ``check --json`` result) is
cut into sections, one per part of the scorecard and of the result (``card.measures``,
``result.findings``, ...), each its JSON text. A *base* is one such read of the district,
kept once in the ``bases`` table under the hash of its sections. A blob then stores, per
section, nothing when the base has the same text, else the text compressed with zlib using
the base's section as the preset dictionary (what changed in a month costs a few hundred
bytes, not the whole section again). Month after month most of a scorecard stays as it
was, so a month costs a third to a quarter of the whole read (docs/store.md has figures).

A district gets a new base when its blob against the current one would be larger than half
the base (a plan rewritten, or months of changes); bases no blob uses are
deleted with the transaction that let go of them. Blobs written before store version 6
(one zlib stream of the whole JSON) are still read; version 6 rewrote them as above.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from typing import Any

DELTA = b"\x02"  # first byte of a blob against a base (a zlib stream starts with 0x?8)
LEVEL = 6  # zlib level of the sections that differ from the base
BASE_LEVEL = 1  # the base's: written once per district, on the pull's path
WINDOW = 32768  # zlib reaches back this far: the end of a longer dictionary is what counts
SAME, DIFF, NEW = 0, 1, 2  # a section: as in the base; against the base's; without one
REBASE = 2  # a new base when a blob would be larger than 1/REBASE of the district's base

Sections = dict[tuple[str, ...], bytes]

GC = ("DELETE FROM bases WHERE id NOT IN (SELECT base FROM snapshots WHERE base IS NOT "
      "NULL) AND id NOT IN (SELECT base FROM outcomes WHERE base IS NOT NULL)")


def sections(data: dict[str, Any]) -> Sections:
    """The JSON text of each part of ``data``: a non-empty dict's entries one by one."""
    out: Sections = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            for sub, part in value.items():
                out[(key, sub)] = _json(part)
        else:
            out[(key,)] = _json(value)
    return out


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), default=str).encode()


def _frame(parts: list[tuple[tuple[str, ...], int, bytes]]) -> bytes:
    head = _json([[list(path), mode, len(body)] for path, mode, body in parts])
    return len(head).to_bytes(4, "big") + head + b"".join(body for _, _, body in parts)


def _unframe(buf: bytes) -> list[tuple[tuple[str, ...], int, bytes]]:
    size = int.from_bytes(buf[:4], "big")
    pos, out = 4 + size, []
    for path, mode, length in json.loads(buf[4:pos]):
        out.append((tuple(path), mode, buf[pos:pos + length]))
        pos += length
    return out


def base_blob(secs: Sections) -> tuple[str, bytes]:
    """A base made of ``secs``: its id (the hash of its sections) and its blob."""
    frame = _frame([(path, SAME, text) for path, text in secs.items()])
    return hashlib.sha256(frame).hexdigest()[:32], zlib.compress(frame, BASE_LEVEL)


def base_sections(blob: bytes) -> Sections:
    return {path: text for path, _, text in _unframe(zlib.decompress(blob))}


def delta(secs: Sections, base: Sections) -> bytes:
    """``secs`` as their difference from ``base``."""
    parts = []
    for path, text in secs.items():
        known = base.get(path)
        if known == text:
            parts.append((path, SAME, b""))
        elif known:
            packer = zlib.compressobj(LEVEL, zdict=known[-WINDOW:])
            parts.append((path, DIFF, packer.compress(text) + packer.flush()))
        else:
            parts.append((path, NEW, zlib.compress(text, LEVEL)))
    return DELTA + _frame(parts)


def restore(blob: bytes, base: Sections | None) -> dict[str, Any]:
    """The data of a blob (``base``: the sections of the base it names)."""
    if not blob.startswith(DELTA):  # written before store version 6: the whole JSON
        return dict(json.loads(zlib.decompress(blob)))
    if base is None:
        raise ValueError("a blob written against a base, read without it")
    data: dict[str, Any] = {}
    for path, mode, body in _unframe(blob[1:]):
        if mode == SAME:
            text = base[path]
        elif mode == DIFF:
            unpacker = zlib.decompressobj(zdict=base[path][-WINDOW:])
            text = unpacker.decompress(body) + unpacker.flush()
        else:
            text = zlib.decompress(body)
        value = json.loads(text)
        if len(path) == 1:
            data[path[0]] = value
        else:
            data.setdefault(path[0], {})[path[1]] = value
    return data


def compact(db: sqlite3.Connection, district_id: str, data: dict[str, Any]) -> tuple[bytes, str]:
    """``data`` as a blob against the district's current base (a new base when that would
    not be small): the blob and its base's id. Writes the new base, inside the caller's
    transaction."""
    secs = sections(data)
    row = db.execute("SELECT id, data FROM bases WHERE district_id = ? ORDER BY rowid DESC "
                     "LIMIT 1", (district_id,)).fetchone()
    if row is not None:
        blob = delta(secs, base_sections(row[1]))
        if len(blob) * REBASE <= len(row[1]):
            return blob, row[0]
    base_id, base = base_blob(secs)
    db.execute("INSERT OR IGNORE INTO bases (id, district_id, data) VALUES (?,?,?)",
               (base_id, district_id, base))
    return delta(secs, secs), base_id
