"""Pulls run in a worker process of their own: while one reads 200 districts, the
service's requests keep its interpreter to themselves, and a pull that crashes (or runs
out of memory) cannot take the service down. The worker is kept between pulls, so a pull
with nothing changed starts at once, and let go after a pull that read many districts, so
the memory that took goes back to the system.

The service owns the process (``Child``): it is started with ``spawn`` (the service has
threads; ``fork`` would copy their locks) and spoken to over one pipe (no queues, so no
semaphores for the resource tracker to find leaked). It ends with the service however the
service ends: stopped (SIGTERM, SIGINT: the service waits for a running pull, then ends
it), or killed (the child asks Linux for SIGKILL when its parent dies, and also watches
its parent's id, which changes when it dies, on every system). It ignores SIGINT itself:
Ctrl+C in a terminal reaches the whole process group, and the service decides. A worker
killed mid-pull leaves the store as the last pull left it (one transaction) and the store's
lock free (the system releases it); the next pull starts a new worker.

An error the pull raises on purpose (a ``SheetsyncError``) comes back as its message; any
other comes back with the worker's traceback, so the log shows where it happened.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.errors import Busy, PullFailed, PullRefused, SheetsyncError, StoreUnusable
from sheetsync.google.auth import client_for
from sheetsync.pull.publish import publish
from sheetsync.pull.run import pull

PARENT_WATCH = 0.5  # seconds: how often a worker looks whether its parent is still there
STOP_GRACE = 5.0  # seconds: a worker asked to stop is killed after this


class RemoteTraceback(Exception):
    """The traceback of an exception raised in the worker, as the worker printed it."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text}"""'


class WorkerCrashed(RuntimeError):
    """Something in the worker raised an exception nobody expected (a bug); its traceback
    is the ``__cause__``."""


class Child:
    """One process that runs the functions it is sent, one at a time, and ends with the
    service."""

    def __init__(self, name: str = "sheetsync-worker") -> None:
        self.name = name
        self._proc: Any = None
        self._conn: Any = None
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the process (started if need be): what it returned. Raises
        ``SheetsyncError`` subclasses as ``PullFailed`` with their message, anything else
        as ``WorkerCrashed`` from the worker's traceback; ``PullFailed`` if it died."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._start()
            conn = self._conn
        try:
            conn.send((fn, args))
            kind, value = conn.recv()
        except (EOFError, OSError):
            self.close()
            raise PullFailed("the pull's process ended unexpectedly (out of memory, or "
                             "stopped from outside)") from None
        if kind == "ok":
            return value
        if kind == "expected":
            raise PullFailed(value)
        raise WorkerCrashed(value.splitlines()[-1] if value else "the worker failed") \
            from RemoteTraceback(value)

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(theirs, os.getpid()), name=self.name,
                           daemon=True)
        proc.start()
        theirs.close()
        self._proc, self._conn = proc, ours

    def close(self, wait: bool = False) -> None:
        """End the process: asked to (the pipe closed: it ends when its work is done) and,
        unless ``wait``, stopped (SIGTERM, then SIGKILL after ``STOP_GRACE`` s)."""
        with self._lock:
            proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if proc is None:
            return
        conn.close()
        if not wait and proc.is_alive():
            proc.terminate()
        proc.join(None if wait else STOP_GRACE)
        if proc.is_alive():
            proc.kill()
            proc.join()
        proc.close()


def _serve(conn: Any, parent: int) -> None:
    """In the worker: run what comes down the pipe until it closes."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            fn, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer: tuple[str, Any] = ("ok", fn(*args))
        except SheetsyncError as exc:
            answer = ("expected", str(exc) or type(exc).__name__)
        except BaseException:  # sent to the service with its traceback
            answer = ("crash", traceback.format_exc())
        try:
            conn.send(answer)
        except (OSError, ValueError):
            return


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` dies: SIGKILL from Linux (prctl
    PR_SET_PDEATHSIG), and everywhere a thread that notices the parent id change."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_WATCH)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class PullWorker:
    """The pull's process, kept between pulls."""

    def __init__(self) -> None:
        self.child = Child("sheetsync-pull")

    def pull(self, cohort: Cohort) -> tuple[Pulled, float]:
        """Pull ``cohort`` in the worker: what it did and the CPU seconds it took."""
        kind, value, cpu = self.child.call(pull_in_worker, cohort)
        if kind == "busy":
            raise PullRefused(value)
        if kind == "unusable":
            raise StoreUnusable(*value)
        return value, cpu

    def publish(self, cohort: Cohort, out: Path) -> Published:
        """Publish the latest pull's month of ``cohort`` into ``out`` in the worker."""
        done: Published = self.child.call(publish_in_worker, cohort, out)
        return done

    def close(self, wait: bool = False) -> None:
        """Let the worker go (a new one starts with the next pull)."""
        self.child.close(wait)


@dataclass(frozen=True)
class Pulled:
    """What the service needs of a pull (the whole summary is in the store): small, so a
    pull of 1,000 districts sends back a few numbers, not their findings."""

    totals: dict[str, Any]
    master_written: bool
    master_error: str | None
    stale: int = 0  # districts shown from their last good read (this read failed)
    google_written: bool = False  # the Google master (the cohort names one) written

    def masters(self) -> str:
        """What the pull did to the masters, for the log: the .xlsx written, unchanged or
        not written (and why), then the Google master when written or refused after it."""
        error = self.master_error
        said = ["master written" if self.master_written else
                f"master NOT written: {error}" if error else "master unchanged"]
        if self.google_written:
            said.append("Google master written")
        elif self.master_written and error:  # the .xlsx written, the Google master refused
            said.append(f"NOT written: {error}")
        return "; ".join(said)


@dataclass(frozen=True)
class Published:
    """What the service logs of a publish: the month, its folder and how many files."""

    month: str
    folder: Path
    written: int
    unchanged: int
    removed: int


def publish_in_worker(cohort: Cohort, out: Path) -> Published:
    """In the worker: the month published into ``out`` on this one process (a daemon
    process has no children: the board PDFs are printed one after another)."""
    done = publish(cohort, out, jobs=1)
    return Published(done.month, done.folder, len(done.written), len(done.unchanged),
                     len(done.removed))


def pull_in_worker(cohort: Cohort) -> tuple[str, Any, float]:
    """In the worker: ("ok", Pulled, cpu seconds), ("busy", why, 0) or ("unusable", the
    store's path, problem and what to do, 0). Other errors the pull raises on purpose
    travel as their message; the rest with their traceback."""
    cpu = time.process_time()
    try:
        report = pull(cohort, google=client_for(cohort, None))
    except Busy as exc:
        return "busy", str(exc), 0.0
    except StoreUnusable as exc:
        return "unusable", (Path(str(exc.path)), exc.problem, exc.todo), 0.0
    stale = sum(bool(d.get("stale")) for d in report.districts)
    done = Pulled(report.totals(), report.master_written, report.master_error, stale,
                  report.google_written)
    return "ok", done, time.process_time() - cpu
