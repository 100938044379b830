"""Reading and checking district workbooks on every core.

A pull reads the districts whose files changed; with ``jobs`` above one and at least
``POOL_MIN`` files to read, the reading and checking (``pull.reading``) runs in a pool of
``jobs`` processes while this process stores each result, in the cohort's order, as it
comes. What a worker does is a function of the file, the as-of date and the cohort's
settings only, so the results are what one process gets. Fewer files are read in the
pull's process (without this module): starting the pool would cost more than it saves.

Workers are forked on Linux when this process has no other thread (nothing to copy but
memory: they start at once with the reader and the checks already imported), else started
with ``forkserver`` (Linux, from a process with threads) or the system's default. Each
worker ignores Ctrl+C (the pull decides) and, on Linux, is killed when the pull's process
dies, so a pull killed mid-way leaves no process behind. A daemonic process (one that
``multiprocessing`` forbids children, such as the service's pull worker) reads here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date

from sheetsync.cohort.model import Cohort
from sheetsync.processes import as_child, context, may_have_children
from sheetsync.pull.jobs import POOL_MIN
from sheetsync.pull.reading import Read, read_district
from sheetsync.read.sources import LocalSource, Source


class Reads:
    """The reads of one pull: ``start`` them (to a pool when there are enough), then take
    each one's ``result``. The pull takes them in the order it started them; at most
    ``AHEAD`` reads per process are given to the pool before their results are taken, so
    the results waiting to be stored stay few however many districts there are."""

    AHEAD = 8

    def __init__(self, cohort: Cohort, as_of: date, pool: ProcessPoolExecutor | None,
                 workers: int = 1) -> None:
        self.cohort, self.as_of, self.pool = cohort, as_of, pool
        self._futures: dict[str, Future[Read]] = {}
        self._waiting: deque[tuple[str, Source, str | None]] = deque()
        self._ahead = self.AHEAD * workers

    def start(self, key: str, source: Source, digest: str | None) -> None:
        if self.pool is not None and isinstance(source, LocalSource):  # Google: here
            self._waiting.append((key, source, digest))
            self._submit()

    def _submit(self) -> None:
        while self.pool is not None and self._waiting and len(self._futures) < self._ahead:
            key, source, digest = self._waiting.popleft()
            self._futures[key] = self.pool.submit(_in_worker, source, digest, self.as_of)

    def result(self, key: str, source: Source, digest: str | None) -> Read:
        future = self._futures.pop(key, None)
        self._submit()
        if future is None:  # not given to the pool (or taken out of order): read here
            self._waiting = deque(w for w in self._waiting if w[0] != key)
            return read_district(source, digest, self.as_of, self.cohort)
        return future.result()


@contextmanager
def reads(cohort: Cohort, as_of: date, jobs: int, to_read: int) -> Iterator[Reads]:
    """The reads of a pull that has ``to_read`` files to read, on ``jobs`` processes when
    that pays (see the module's note). The pool ends with the block: at once, its queued
    reads dropped, when the block raises."""
    use = min(jobs, to_read // (POOL_MIN // 2) or 1)
    if use < 2 or to_read < POOL_MIN or not may_have_children():
        yield Reads(cohort, as_of, None)
        return
    start, parent = context()
    pool = ProcessPoolExecutor(use, mp_context=start, initializer=_start_worker,
                               initargs=(cohort, parent))
    try:
        yield Reads(cohort, as_of, pool, use)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


_cohort: Cohort | None = None  # in a worker: the pull's cohort


def _start_worker(cohort: Cohort, parent: int | None) -> None:
    """``parent``: the pull's process id when it forked this worker."""
    global _cohort
    _cohort = cohort
    as_child(parent)


def _in_worker(source: Source, digest: str | None, as_of: date) -> Read:
    assert _cohort is not None, "the worker was started without its cohort"
    return read_district(source, digest, as_of, _cohort)
