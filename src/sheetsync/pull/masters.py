"""A pull's last step: each master written from the store when it is not of this store
and cohort file. The store is saved before this runs, so nothing here can lose the pull:
a master that cannot be written (or recorded) is said, and the next pull tries again."""

from __future__ import annotations

from dataclasses import dataclass

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import (
    MasterShrinks,
    NotWritable,
    OutputLocked,
    SheetsyncError,
    StoreNotWritten,
)
from sheetsync.google.constants import NO_CREDENTIALS
from sheetsync.master.build import build_master, google_is_current, is_current


@dataclass(frozen=True)
class Masters:
    """What became of the masters: the .xlsx and the Google master written, and why not."""

    written: bool = False
    google_written: bool = False
    error: str | None = None


def write_masters(cohort: Cohort, store: Store, google: object | None, period: str,
                  pull_id: int, jobs: int = 1) -> Masters:
    """Each master written when it is not of this store and cohort file (the .xlsx's row
    in the pull then says it was, and only then; the Google master's record is the
    store's, ``master.build.google_is_current``), on ``jobs`` processes."""
    written, error = False, None
    if not (store.meta("master_stale") == "0" and is_current(cohort, store)):
        try:
            build_master(cohort, store, period, pull_id, jobs=jobs)
            written = True
        except MasterShrinks as exc:  # neither master is written with less than it shows
            return Masters(error=str(exc))
        except OutputLocked as exc:
            error = str(exc)
        except NotWritable as exc:
            error = f"{exc} The pull was saved: run `sheetsync master rebuild` once the " \
                "master can be written."
        except StoreNotWritten:  # the master is written; the store could not record it
            written = True
            error = f"{cohort.master_path} was written, but {cohort.store_path} could not " \
                "record it (the disk may be full); the next pull writes it again. The pull " \
                "was saved."
    if google_is_current(cohort, store):
        return Masters(written, False, error)
    problem = google_master(cohort, store, google, period)
    return Masters(written, problem is None, problem or error)


def google_master(cohort: Cohort, store: Store, google: object | None,
                  period: str | None = None, force: bool = False) -> str | None:
    """Also write the Google master when the cohort names one; the reason if it failed."""
    if not cohort.master.google_sheet:
        return None
    if google is None:
        return f"[master] google_sheet is set, but there are {NO_CREDENTIALS}"
    from sheetsync.master.google import build_google_master

    try:
        build_google_master(cohort, store, google, period, force)
    except SheetsyncError as exc:
        return f"The Google master was not written: {exc}"
    return None
