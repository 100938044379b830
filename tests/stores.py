"""Stores as older sheetsync versions left them, for the tests of opening one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sheetsync.cohort.store import MIGRATIONS


def older_store(path: Path, version: int) -> Path:
    """A store at ``path`` with the tables of store version ``version`` (the first
    ``version`` numbered steps) and that version written, as that sheetsync left it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:version]:
        step(db)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version),))
    db.close()
    return path
