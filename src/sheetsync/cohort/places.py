"""Where the pull writes (the store and the master): checked before any work starts.

A folder the user cannot write to, or a read-only store or master, is said in those words,
before a district is read. A master that another program has open is said only when its
lock file is really there (``~$name.xlsx`` from Excel, ``.~lock.name.xlsx#`` from
LibreOffice), naming that file.
"""

from __future__ import annotations

from pathlib import Path

from sheetsync.errors import NotWritable
from sheetsync.files import cannot_create_in, lock_file


def folder_problem(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (or the folder created), if they cannot."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    reason = cannot_create_in(existing)
    return f"you cannot write in the folder {existing} ({reason})" if reason else None


def file_problem(path: Path) -> str | None:
    """Why an existing file cannot be written, if it cannot (it is not changed)."""
    if not path.exists():
        return None
    try:
        with path.open("r+b"):
            pass
    except OSError as exc:
        return f"{path} is read-only for you ({exc.strerror})"
    return None


def check_writable(store: Path, master: Path) -> None:
    """Raise ``NotWritable`` unless the store and the master can be written."""
    wal = [store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")]
    problem = folder_problem(store.parent) or next(filter(None, map(file_problem, wal)), None)
    if problem:
        raise NotWritable(store, "the pull history (the store)", problem)
    problem = folder_problem(master.parent) or \
        (None if lock_file(master) else file_problem(master))
    if problem:
        raise NotWritable(master, "the cohort master", problem)
