"""Pulls run in a worker process of their own: while one reads 200 districts, the
service's requests keep its interpreter to themselves, and a pull that crashes (or runs
out of memory) cannot take the service down. The worker is kept between pulls, so a pull
with nothing changed starts at once, and let go after a pull that read many districts, so
the memory that took goes back to the system. The worker is started with
``spawn`` (the service has threads; ``fork`` would copy their locks), so it works the
same on Windows."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.errors import Busy, PullFailed, PullRefused
from sheetsync.google.auth import client_for
from sheetsync.pull.run import pull


class PullWorker:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def pull(self, cohort: Cohort) -> tuple[Pulled, float]:
        """Pull ``cohort`` in the worker: what it did and the CPU seconds it took."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        try:
            kind, value, cpu = self._pool.submit(pull_in_worker, cohort).result()
        except BrokenProcessPool:
            self._pool = None  # a new worker next time
            raise PullFailed("the pull's process ended unexpectedly (out of memory, or "
                             "stopped from outside)") from None
        if kind == "busy":
            raise PullRefused(value)
        if kind == "error":
            raise PullFailed(value)
        return value, cpu

    def close(self, wait: bool = False) -> None:
        """Let the worker go (a new one starts with the next pull)."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None


@dataclass(frozen=True)
class Pulled:
    """What the service needs of a pull (the whole summary is in the store): small, so a
    pull of 1,000 districts sends back a few numbers, not their findings."""

    totals: dict[str, Any]
    master_written: bool
    master_error: str | None


def pull_in_worker(cohort: Cohort) -> tuple[str, Any, float]:
    """In the worker: ("ok", Pulled, cpu seconds), ("busy", why, 0) or ("error", why, 0).
    Errors come back as text: not every exception survives being sent between processes."""
    cpu = time.process_time()
    try:
        report = pull(cohort, google=client_for(cohort, None))
    except Busy as exc:
        return "busy", str(exc), 0.0
    except Exception as exc:
        return "error", str(exc) or type(exc).__name__, 0.0
    done = Pulled(report.totals(), report.master_written, report.master_error)
    return "ok", done, time.process_time() - cpu
