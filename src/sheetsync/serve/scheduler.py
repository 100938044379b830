"""Pulls on a schedule, one at a time, in a thread of their own.

Every ``pull_every`` (and when the API asks) the scheduler reloads the cohort file if it
changed (keeping the last good one when the new one is invalid), pulls under the store's
lock (a pull the CLI is running makes this one wait for the next tick), logs one line, and,
with ``publish``, publishes the month (after a pull that read something, and once at
start), and with ``remind``, sends the reminders due. A pull that fails is logged and
tried again at the next tick; nothing it raises stops the service. What went wrong on purpose (a
``SheetsyncError``: a file that cannot be written, the store busy) is one line; anything else
is logged with its traceback (the worker's, when it happened there). A store that cannot
be used (found at start, by a pull, or by the watch and then judged again under its lock)
stops the pulls until the service is restarted (``problem``; ``serve.harmed``).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import store_lock
from sheetsync.errors import (
    NotPulled,
    PullRefused,
    ServeError,
    SheetsyncError,
    StoreUnusable,
)
from sheetsync.remind import due_month, remind
from sheetsync.serve.observe import Metrics, event
from sheetsync.serve.settings import Settings, store_problem
from sheetsync.serve.worker import PullWorker

log = logging.getLogger("sheetsync.serve")
WATCH = 5.0  # seconds: how often the store is looked at for pulls the CLI made
KEPT_JOBS = 50
RECYCLE_AFTER = 50  # districts read: a new pull worker after such a pull (its memory freed)


@dataclass
class Job:
    """One pull asked for (by the schedule or the API), and what became of it."""

    trigger: str  # "schedule" or "api"
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    state: str = "queued"  # queued, running, done, failed, skipped
    requested_at: str = field(default_factory=lambda: _now())
    started_at: str | None = None
    finished_at: str | None = None
    totals: dict[str, Any] | None = None
    error: str | None = None
    cpu_seconds: float | None = None
    done: threading.Event = field(default_factory=threading.Event, repr=False)
    _callbacks: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def when_done(self, callback: Callable[[], None]) -> None:
        """``callback()`` when the job ends (at once if it has), in the thread ending it."""
        with self._lock:
            if not self.done.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def finish(self) -> None:
        with self._lock:
            self.done.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "trigger": self.trigger, "state": self.state,
                "requested_at": self.requested_at, "started_at": self.started_at,
                "finished_at": self.finished_at, "totals": self.totals, "error": self.error,
                "cpu_seconds": self.cpu_seconds}


Landed = Callable[[], None]  # called after every pull, and when the CLI made one


class Scheduler:
    def __init__(self, settings: Settings, landed: Landed | None = None,
                 metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.landed = landed or (lambda: None)
        self.metrics = metrics or Metrics()
        self.worker = PullWorker()
        self.cohort, self._stamp = _load(settings)
        self.generation = 1
        self.last_good_at = _now()
        self.jobs: dict[str, Job] = {}
        self._queued: Job | None = None
        self._running: Job | None = None
        self._published = False  # a month published since the service started
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="sheetsync-pulls",
                                        daemon=True)
        self.version_seen: str | None = None
        self.version: Callable[[], str] = lambda: ""
        self.problem: StoreUnusable | None = None  # set: nothing is pulled (serve.harmed)

    # -- what the app asks -------------------------------------------------------------

    def current(self) -> tuple[Cohort, int]:
        return self.cohort, self.generation

    def request(self) -> Job:
        """A pull as soon as possible; the one already waiting if there is one."""
        with self._wake:
            if self._queued is None:
                self._queued = self._remember(Job("api"))
                self._wake.notify()
            return self._queued

    def job(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def confirm(self) -> StoreUnusable | None:
        """Whether the store really cannot be used, after a read of it was refused: checked
        again under its lock, since a pull making the store leaves it empty for a moment
        (that is not harm: None while a pull holds the lock). Marked unusable if so."""
        path = self.cohort.store_path
        if self.problem is not None or not path.exists():
            return self.problem
        try:
            with store_lock(path, "serve, checking the store"):
                problem = store_problem(path)
        except (SheetsyncError, OSError):  # a pull is writing it (Busy), or no lock to take
            return None
        if problem is not None:
            self.unusable(problem)
        return problem

    def unusable(self, problem: StoreUnusable) -> None:
        """The store cannot be used: no pull from now on (until the service is restarted),
        said once in the log and in the metrics."""
        if self.problem is not None:
            return
        self.problem = problem
        self.metrics.store_usable.set(0)
        event(log, "store.unusable", "the store cannot be used, so nothing is pulled; the "
              "pages say why and the last master is served until the store is put right and "
              "the service restarted: %s", problem, level=logging.ERROR,
              path=str(problem.path), error=problem.problem)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """No new pull; wait (up to ``timeout``) for the one running to finish. A pull cut
        short anyway leaves the store and master whole (both are written atomically)."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("a pull is still running; stopping without it (the store keeps "
                            "the previous pull whole)")
        self.worker.close()

    # -- the thread --------------------------------------------------------------------

    def _loop(self) -> None:
        due = time.monotonic()  # the first pull at once
        while True:
            with self._wake:
                if not self._stopping and self._queued is None and time.monotonic() < due:
                    self._wake.wait(min(WATCH, due - time.monotonic()))
                if self._stopping:
                    return
                job, self._queued = self._queued, None
            if self.problem is not None:  # a store that cannot be used: nothing is pulled
                if job is not None:
                    self._refuse(job)
                due = time.monotonic() + WATCH
                continue
            if job is None and time.monotonic() < due:
                self._watch()
                continue
            if job is None:
                job = self._remember(Job("schedule"))
                due = time.monotonic() + self.settings.pull_every
            self.tick(job)

    def tick(self, job: Job) -> None:
        """One pull, start to finish; never raises."""
        self._running = job
        job.started_at = _now()
        job.state = "running"  # after started_at: whoever reads the job sees both
        outcome = "failed"
        try:
            self.reload()
            outcome = self._pull(job)
            if outcome == "done" and self.settings.publish is not None:
                self._publish(self.settings.publish, job)
            if outcome == "done" and self.settings.remind:
                self._remind()
        except Exception as exc:  # a bug must not stop the schedule: say it, go on
            outcome, job.error = "failed", f"{type(exc).__name__}: {exc}"
            event(log, "pull.error", "pull failed unexpectedly; trying again at the next "
                  "tick", level=logging.ERROR, exc_info=True, job=job.id)
        finally:
            job.finished_at = _now()
            job.state = outcome  # after finished_at, for the same reason
            self._running = None
            self._landed()  # the pages show the pull before whoever waits for it hears
            job.finish()

    def _refuse(self, job: Job) -> None:
        """A pull asked for when the store cannot be used: failed, with the reason."""
        job.started_at = job.finished_at = _now()
        job.error = f"The store cannot be used: {self.problem}"
        job.state = "failed"
        job.finish()

    def _pull(self, job: Job) -> str:
        """The pull; what became of it: done, failed or skipped."""
        start = time.perf_counter()
        event(log, "pull.started", "pull (%s) started", job.trigger, job=job.id,
              trigger=job.trigger, districts=len(self.cohort.districts))
        try:
            report, cpu = self.worker.pull(self.cohort)
        except StoreUnusable as exc:
            job.error = f"The store cannot be used: {exc}"
            self.unusable(exc)
            self.metrics.pulled("failed", time.perf_counter() - start, None)
            return "failed"
        except PullRefused as exc:
            job.error = str(exc)
            event(log, "pull.skipped", "pull skipped: %s Next try at the next tick.", exc,
                  level=logging.WARNING, job=job.id, error=str(exc))
            self.metrics.pulled("skipped", time.perf_counter() - start, None)
            return "skipped"
        except SheetsyncError as exc:  # said on purpose: one line
            job.error = str(exc) or type(exc).__name__
            event(log, "pull.failed", "pull failed: %s; trying again at the next tick",
                  job.error, level=logging.ERROR, job=job.id, error=job.error)
            self.metrics.pulled("failed", time.perf_counter() - start, None)
            return "failed"
        except Exception as exc:  # a bug, here or in the worker: with its traceback
            job.error = f"{type(exc).__name__}: {exc}"
            event(log, "pull.error", "pull failed unexpectedly: %s; trying again at the "
                  "next tick", job.error, level=logging.ERROR, exc_info=True, job=job.id,
                  error=job.error)
            self.metrics.pulled("failed", time.perf_counter() - start, None)
            return "failed"
        seconds = time.perf_counter() - start
        job.cpu_seconds = round(cpu, 3)
        job.totals = report.totals
        t = job.totals
        self.metrics.pulled("done", seconds, t, report.stale)
        if t["read"] >= RECYCLE_AFTER:
            self.worker.close(wait=True)
        master = report.masters()
        event(log, "pull.finished", "pull (%s) in %.1f s, %.2f s CPU: %d districts, %d read, "
              "%d unchanged, %d failed, %d stale; %s", job.trigger, seconds, job.cpu_seconds,
              t["districts"], t["read"], t["reused"], t["failed"], report.stale, master,
              job=job.id, trigger=job.trigger, seconds=round(seconds, 3),
              cpu_seconds=job.cpu_seconds, districts=t["districts"], read=t["read"],
              reused=t["reused"], failed=t["failed"], stale=report.stale,
              master_written=report.master_written, master_error=report.master_error,
              google_written=report.google_written)
        return "done"

    def _publish(self, out: Path, job: Job) -> None:
        """The month published into ``out`` after a pull that read something (or the
        first since the service started); a failure is said and tried at the next pull."""
        read = bool(job.totals and job.totals.get("read"))
        if not read and self._published:
            return
        start = time.perf_counter()
        try:
            done = self.worker.publish(self.cohort, out)
        except SheetsyncError as exc:
            event(log, "publish.failed", "publishing failed: %s; tried again after the next "
                  "pull", exc, level=logging.ERROR, job=job.id, error=str(exc))
            self.metrics.published("failed")
            return
        self._published = True
        self.metrics.published("done")
        event(log, "publish.finished", "published %s in %s in %.1f s: %d written, "
              "%d unchanged, %d removed", done.month, done.folder,
              time.perf_counter() - start, done.written, done.unchanged, done.removed,
              job=job.id, month=done.month, folder=str(done.folder), written=done.written,
              unchanged=done.unchanged, removed=done.removed)

    def _remind(self) -> None:
        today = date.today()
        if due_month(self.cohort, today) is None:
            return
        try:
            report = remind(self.cohort, today, send=True)
        except SheetsyncError as exc:
            event(log, "reminders.error", "reminders not sent: %s", exc,
                  level=logging.ERROR, error=str(exc))
            return
        sent = sum(r.status == "sent" for r in report.reminders)
        refused = len(report.failed)
        self.metrics.reminded(sent, refused)
        if sent or refused:
            event(log, "reminders.sent", "reminders for %s: %d sent, %d not sent (tried again "
                  "at the next tick)", report.month, sent, refused, month=report.month,
                  sent=sent, refused=refused)

    def reload(self) -> None:
        """The cohort file again if it changed; the last good one kept if it is invalid."""
        path = self.settings.cohort_path
        try:
            stamp = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            event(log, "cohort.unreadable", "%s cannot be read (%s); still using the cohort "
                  "file as loaded at %s", path, exc.strerror, self.last_good_at,
                  level=logging.ERROR, path=str(path), error=exc.strerror)
            return
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            cohort = load_cohort(path)
        except SheetsyncError as exc:
            event(log, "cohort.invalid", "%s was changed and cannot be used: %s -- still using "
                  "it as loaded at %s; fix it and it is read again at the next tick", path,
                  exc, self.last_good_at, level=logging.ERROR, path=str(path), error=str(exc))
            return
        self.cohort, self.generation, self.last_good_at = cohort, self.generation + 1, _now()
        event(log, "cohort.reloaded", "%s was changed: reloaded (%d districts)", path,
              len(cohort.districts), path=str(path), districts=len(cohort.districts))

    def _watch(self) -> None:
        """Tell the pages when the store moved without us (a `sheetsync pull`)."""
        try:
            version = self.version()
        except StoreUnusable:  # emptied or damaged under the service, or being made
            self.confirm()
            return
        except (sqlite3.Error, OSError, NotPulled):  # the store mid-creation: look again later
            return
        except Exception:  # a bug: said with its traceback, and the schedule goes on
            log.exception("the store could not be looked at")
            return
        if self.version_seen is not None and version != self.version_seen:
            self._landed()

    def _landed(self) -> None:
        if self.problem is not None:  # the pages say why; there is nothing new to show
            return
        try:
            self.version_seen = self.version()
            self.landed()
        except StoreUnusable:
            self.confirm()
        except sqlite3.DatabaseError as exc:  # damaged under the pages, or only busy?
            if self.confirm() is None:
                event(log, "pages.error", "the pages could not be refreshed after the pull: "
                      "%s", exc, level=logging.ERROR, exc_info=True)
        except Exception:  # a bug: said with its traceback, and the schedule goes on
            event(log, "pages.error", "the pages could not be refreshed after the pull",
                  level=logging.ERROR, exc_info=True)

    def _remember(self, job: Job) -> Job:
        self.jobs[job.id] = job
        for old in list(self.jobs)[:-KEPT_JOBS]:
            del self.jobs[old]
        return job


def _load(settings: Settings) -> tuple[Cohort, str]:
    try:
        data = settings.cohort_path.read_bytes()
        return load_cohort(settings.cohort_path), hashlib.sha256(data).hexdigest()
    except OSError as exc:
        raise ServeError(f"{settings.cohort_path}: cannot be read ({exc.strerror})") from None


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
