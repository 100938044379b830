"""The copies of the store kept before each pull that writes it (``backups/`` beside it)."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sheetsync.errors import StoreNotWritten, StoreUnusable

SQLITE_HEADER = b"SQLite format 3\x00"
COPIES = "backups"  # beside the store: the copies kept before each pull that writes
KEEP_COPIES = 5  # the copies kept; older ones are removed


@dataclass(frozen=True)
class Copy:
    """A copy of the store kept before a pull wrote it (``number`` 1 is the newest)."""

    number: int
    path: Path
    made: str  # when, as YYYY-MM-DD HH:MM:SS
    state: str  # the store's state it holds (the tail of its name)


def copies(store_path: Path) -> list[Copy]:
    """The copies of the store kept before each pull, newest first."""
    folder = store_path.parent / COPIES
    found = sorted(folder.glob("store-*-*-*.sqlite"), reverse=True) if folder.is_dir() else []
    out = []
    for number, path in enumerate(found, 1):
        _, day, clock, state = path.stem.split("-", 3)
        made = f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}:{clock[4:6]}"
        out.append(Copy(number, path, made, state))
    return out


def write_copy(db: sqlite3.Connection, store_path: Path, state: str,
               keep: int = KEEP_COPIES) -> Path:
    """The store open on ``db`` copied (SQLite's backup API) into ``backups/`` beside it,
    named for its ``state``, unless the newest copy holds that state; the oldest beyond
    ``keep`` removed. ``StoreNotWritten`` when the copy cannot be written."""
    kept = copies(store_path)
    if kept and kept[0].state == state[:12]:
        return kept[0].path
    folder = store_path.parent / COPIES
    when = datetime.now().strftime("%Y%m%d-%H%M%S%f")  # microseconds: two in one second
    target = folder / f"store-{when}-{state[:12]}.sqlite"
    tmp = folder / f".{target.name}.partial"
    try:
        folder.mkdir(exist_ok=True)
        dest = sqlite3.connect(tmp)
        try:
            db.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            dest.close()
        os.replace(tmp, target)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise StoreNotWritten(
            f"{folder}: the copy of the store kept before each pull could not be written "
            f"({exc}; the disk may be full). Nothing was pulled, and the store is as it "
            "was. Free space on the disk (or make the folder writable) and run again.",
            path=target) from None
    for old in copies(store_path)[keep:]:
        old.path.unlink(missing_ok=True)
    return target


def restore_hint(path: Path) -> str:
    if copies(path):
        return ("Nothing was changed. `sheetsync store restore --list` lists the copies kept "
                "before each pull; `sheetsync store restore` brings back the newest (this file "
                "is moved aside, not deleted).")
    return ("Nothing was changed, and no copy of it was kept. Move it aside (rename it) and "
            "run `sheetsync pull` to start a new store: every district is read again, but "
            "the months it held are not in the new one.")


def check_file(path: Path) -> None:
    """Refuse, before SQLite opens it, a store that is empty or not an SQLite file."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreUnusable(path, f"cannot be read ({exc.strerror or exc})",
                            "Make it readable and run again; nothing was changed.") from None
    if not head:
        raise StoreUnusable(path, "is empty (0 bytes: a copy or a sync of it went wrong)",
                            restore_hint(path))
    if head != SQLITE_HEADER:
        raise StoreUnusable(path, "is not an SQLite database (damaged, or another program's "
                            "file)", restore_hint(path))
