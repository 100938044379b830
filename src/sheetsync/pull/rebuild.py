"""``sheetsync master rebuild``: the .xlsx master, and the Google master when the cohort
names one, written again from the store alone, reading no district file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import SheetsyncError
from sheetsync.master.build import build_master
from sheetsync.pull.masters import google_master


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild wrote: the .xlsx master, and the Google master's address when the
    cohort names one (``google_problem``: why it was not written, else ``None``)."""

    path: Path
    store_path: Path
    google_sheet: str | None = None
    google_problem: str | None = None


def rebuild(cohort: Cohort, credentials: Path | None = None, force: bool = False,
            jobs: int = 1) -> Rebuilt:
    """Write the masters from ``cohort``'s store. ``credentials`` is the Google key or token
    file for the Google master (default: as ``google.auth.find_credentials``); Google is
    asked only when the cohort has a Google master. Raises ``SheetsyncError`` when there is
    no store yet or the .xlsx master cannot be written, ``MasterShrinks`` when it would show
    fewer districts or months than the master there, unless ``force``. The districts the
    master's cache does not hold are encoded on ``jobs`` processes (``master.cores``)."""
    if not cohort.store_path.exists():
        raise SheetsyncError(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    with Store(cohort.store_path) as store:
        path = build_master(cohort, store, force=force, jobs=jobs)
        sheet = cohort.master.google_sheet or None
        if sheet is None:
            return Rebuilt(path, cohort.store_path)
        return Rebuilt(path, cohort.store_path, sheet,
                       _google(cohort, store, credentials, force))


def _google(cohort: Cohort, store: Store, credentials: Path | None,
            force: bool = False) -> str | None:
    from sheetsync.google.auth import client_for  # requests and google-auth: only for Google

    try:
        client = client_for(cohort, credentials, write=True)
    except SheetsyncError as exc:
        return str(exc)
    return google_master(cohort, store, client, force=force)
