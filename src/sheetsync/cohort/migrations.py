"""The store's tables, as numbered steps: step n brings a store of version n - 1 to n.

``meta.schema_version`` says which steps a store has had; ``Store`` reads it when it opens
the store and runs the steps after it, each in one transaction with its version number.
To change the tables, add a step at the end; never edit one that shipped.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable

from sheetsync.cohort.compact import compact, restore

STATE = "state"  # store meta: changes whenever a month or a latest read changes


def _create(db: sqlite3.Connection) -> None:
    """Step 1: the tables of the first stores."""
    for statement in (
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS pulls (id INTEGER PRIMARY KEY, pulled_at TEXT NOT NULL, "
        "as_of TEXT NOT NULL, period TEXT NOT NULL, districts INTEGER, read INTEGER, "
        "reused INTEGER, failed INTEGER, master_written INTEGER)",
        "CREATE TABLE IF NOT EXISTS outcomes (district_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
        "source TEXT NOT NULL, ok INTEGER NOT NULL, reason TEXT, token TEXT, sha256 TEXT, "
        "modified TEXT, pulled_at TEXT NOT NULL, read_at TEXT, as_of TEXT NOT NULL, "
        "settings TEXT NOT NULL, summary TEXT, data BLOB)",
        "CREATE TABLE IF NOT EXISTS snapshots (district_id TEXT NOT NULL, period TEXT NOT NULL, "
        "pulled_at TEXT NOT NULL, as_of TEXT NOT NULL, ok INTEGER NOT NULL, reason TEXT, "
        "data BLOB, PRIMARY KEY (district_id, period))",
        "CREATE TABLE IF NOT EXISTS history (district_id TEXT NOT NULL, period TEXT NOT NULL, "
        "measure_id TEXT NOT NULL, goal_id TEXT, latest_period TEXT, latest_actual REAL, "
        "expected REAL, progress REAL, status TEXT NOT NULL, "
        "PRIMARY KEY (district_id, period, measure_id))"):
        db.execute(statement)


def _findings(db: sqlite3.Connection) -> None:
    """Step 2: identity findings (a file that names another district, an older copy)."""
    if "findings" not in _columns(db, "outcomes"):
        db.execute("ALTER TABLE outcomes ADD COLUMN findings TEXT")


def _reminders(db: sqlite3.Connection) -> None:
    """Step 3: the reminders sent."""
    db.execute("CREATE TABLE IF NOT EXISTS reminders (district_id TEXT NOT NULL, "
               "month TEXT NOT NULL, kind TEXT NOT NULL, recipients TEXT NOT NULL, "
               "sent_at TEXT NOT NULL, message_id TEXT, PRIMARY KEY (district_id, month, kind))")


def _kept(db: sqlite3.Connection) -> None:
    """Step 4: ``kept`` (an older copy was not taken) as a column of its own, and the
    store's state (what the copies kept before each pull and the master are compared by)."""
    if "kept" not in _columns(db, "outcomes"):
        db.execute("ALTER TABLE outcomes ADD COLUMN kept INTEGER NOT NULL DEFAULT 0")
    for district_id, ok, findings in db.execute(
            "SELECT district_id, ok, findings FROM outcomes").fetchall():
        codes = {f.get("code") for f in json.loads(findings or "[]")}
        if ok and "source-older" in codes:
            db.execute("UPDATE outcomes SET kept = 1 WHERE district_id = ?", (district_id,))
    if db.execute("SELECT 1 FROM outcomes UNION SELECT 1 FROM snapshots").fetchone():
        db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (STATE, uuid.uuid4().hex))


def _refused(db: sqlite3.Connection) -> None:
    """Step 5: each reminder's refused recipients and the server's answer (retried)."""
    if "refused" not in _columns(db, "reminders"):
        db.execute("ALTER TABLE reminders ADD COLUMN refused TEXT NOT NULL DEFAULT '{}'")


def _bases(db: sqlite3.Connection) -> None:
    """Step 6: the blobs as each district's difference from a base of its own
    (``cohort.compact``): the bases table, each blob's base, and every blob rewritten."""
    db.execute("CREATE TABLE IF NOT EXISTS bases (id TEXT PRIMARY KEY, "
               "district_id TEXT NOT NULL, data BLOB NOT NULL)")
    for table in ("snapshots", "outcomes"):
        if "base" not in _columns(db, table):
            db.execute(f"ALTER TABLE {table} ADD COLUMN base TEXT")
    districts = [r[0] for r in db.execute(
        "SELECT district_id FROM snapshots WHERE data IS NOT NULL AND base IS NULL UNION "
        "SELECT district_id FROM outcomes WHERE data IS NOT NULL AND base IS NULL")]
    for did in districts:  # one district at a time: its months, oldest first, then its latest
        for period, blob in db.execute(
                "SELECT period, data FROM snapshots WHERE district_id = ? AND data IS NOT NULL "
                "AND base IS NULL ORDER BY period", (did,)).fetchall():
            data, base = compact(db, did, restore(blob, None))
            db.execute("UPDATE snapshots SET data = ?, base = ? WHERE district_id = ? AND "
                       "period = ?", (data, base, did, period))
        row = db.execute("SELECT data FROM outcomes WHERE district_id = ? AND data IS NOT NULL "
                         "AND base IS NULL", (did,)).fetchone()
        if row is not None:
            data, base = compact(db, did, restore(row[0], None))
            db.execute("UPDATE outcomes SET data = ?, base = ? WHERE district_id = ?",
                       (data, base, did))


# Step n brings a store of version n - 1 to version n, in one transaction with the version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _create, _findings, _reminders, _kept, _refused, _bases)
SCHEMA_VERSION = len(MIGRATIONS)
OWN_TABLES = frozenset({"meta", "pulls", "outcomes", "snapshots", "history", "reminders",
                        "bases"})


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
