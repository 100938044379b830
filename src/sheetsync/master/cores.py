"""Encoding the master's districts on every core, when many are not in its cache (a first
pull, ``master rebuild`` without its cache): each district's chunks are a function of its
stored outcome, its source and the master's folder only (``rows.district_rows``,
``fragments.Encoder``), so a worker that reads the store gives what this process would,
byte for byte, and puts them in the cache before the master is put together.

Workers start as the pull's readers do (``sheetsync.processes``) and read the store opened
read-only: they see what the pull committed. Too few districts for a pool to pay
(``assemble.ELSEWHERE_MIN``), one job, or a process that may have no children: nothing is
done here, and each district is encoded where it is placed (``assemble.district_chunks``).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sheetsync.cohort.store import Store
from sheetsync.master.cache import sheet_key
from sheetsync.master.fragments import Chunk, Encoder
from sheetsync.master.rows import district_rows
from sheetsync.processes import as_child, context, may_have_children

BATCH = 8  # districts a worker encodes at a time
AHEAD = 3  # batches per worker given out before their chunks are taken


@dataclass(frozen=True)
class Work:
    """What every worker needs (sent once, when it starts)."""

    store: Path
    folder: Path
    sources: Mapping[str, str]  # each district's link target, as the master names it
    encoder: Encoder
    kinds: Mapping[str, tuple[str, ...]]  # each sheet's column kinds (but Summary's)
    keys: Mapping[str, bytes]  # each district's key in the cache


@dataclass(frozen=True)
class Cores:
    """Encode on ``jobs`` processes: ``encode`` is what ``assemble.district_chunks``
    calls with the districts its cache does not hold."""

    store: Path
    sources: Mapping[str, str]
    jobs: int

    def encode(self, keys: Mapping[str, bytes], encoder: Encoder,
               kinds: Mapping[str, tuple[str, ...]],
               folder: Path) -> Iterator[tuple[bytes, Chunk]]:
        """(key, chunk) for every sheet of every district in ``keys`` (district id: its
        key), encoded on the workers; nothing when there are too few to pay."""
        ids = list(keys)
        use = min(self.jobs, -(-len(ids) // BATCH))
        if use < 2 or not may_have_children():
            return
        work = Work(self.store, folder, self.sources, encoder, kinds, keys)
        batches = deque(ids[i:i + BATCH] for i in range(0, len(ids), BATCH))
        start, parent = context()
        pool = ProcessPoolExecutor(use, mp_context=start, initializer=_start,
                                   initargs=(work, parent))
        running: deque[Future[list[tuple[bytes, Chunk]]]] = deque()
        try:
            while batches or running:
                while batches and len(running) < AHEAD * use:  # the rest waits: memory
                    running.append(pool.submit(_encode, batches.popleft()))
                yield from running.popleft().result()
        finally:  # done, or the master failed: no worker is left behind
            pool.shutdown(wait=not running, cancel_futures=True)


_work: Work | None = None  # in a worker: what it encodes from
_store: Store | None = None


def _start(work: Work, parent: int | None) -> None:
    global _work, _store
    as_child(parent)
    _work, _store = work, Store.reader(work.store)


def _encode(ids: list[str]) -> list[tuple[bytes, Chunk]]:
    """In a worker: every sheet's chunk of each district of ``ids`` in order, packed (what
    the cache keeps) and with its templates (what placing it needs)."""
    assert _work is not None and _store is not None, "the worker was started without work"
    w, out = _work, []
    for o in _store.outcomes(ids):
        key = w.keys[o.district_id]
        for name, rows in district_rows(o, w.folder, w.sources.get(o.district_id, o.source)
                                        ).items():
            chunk = w.encoder.chunk(w.kinds[name], rows)
            chunk.pack()
            out.append((sheet_key(key, name), chunk))
    return out
