"""The pull history: an SQLite file beside cohort.toml (``.sheetsync/store.sqlite``).

Per district it keeps the latest outcome (what was read, its fingerprint, findings and
statuses) so an unchanged file is not read again, and one snapshot per month so trends
survive: pulling twice in a month replaces that month's snapshot. A pull is written in one
transaction, so a pull killed at any moment leaves the store as it was before, whole.
Blobs are JSON compressed with zlib: the parsed scorecard, the read findings and the
``check --json`` result.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pulls (
    id INTEGER PRIMARY KEY, pulled_at TEXT NOT NULL, as_of TEXT NOT NULL, period TEXT NOT NULL,
    districts INTEGER, read INTEGER, reused INTEGER, failed INTEGER, master_written INTEGER);
CREATE TABLE IF NOT EXISTS outcomes (
    district_id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL,
    ok INTEGER NOT NULL, reason TEXT, token TEXT, sha256 TEXT, modified TEXT,
    pulled_at TEXT NOT NULL, read_at TEXT, as_of TEXT NOT NULL, settings TEXT NOT NULL,
    summary TEXT, data BLOB);
CREATE TABLE IF NOT EXISTS snapshots (
    district_id TEXT NOT NULL, period TEXT NOT NULL, pulled_at TEXT NOT NULL,
    as_of TEXT NOT NULL, ok INTEGER NOT NULL, reason TEXT, data BLOB,
    PRIMARY KEY (district_id, period));
CREATE TABLE IF NOT EXISTS history (
    district_id TEXT NOT NULL, period TEXT NOT NULL, measure_id TEXT NOT NULL,
    goal_id TEXT, latest_period TEXT, latest_actual REAL, expected REAL, progress REAL,
    status TEXT NOT NULL, PRIMARY KEY (district_id, period, measure_id));
"""


def pack(data: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(data, separators=(",", ":"), default=str).encode(), 1)


def unpack(blob: bytes | None) -> dict[str, Any] | None:
    return json.loads(zlib.decompress(blob)) if blob else None


@dataclass
class Outcome:
    """One district in one pull: read (or reused), or failed with a reason."""

    district_id: str
    name: str
    source: str
    ok: bool
    pulled_at: str
    as_of: str
    settings: str
    reason: str | None = None
    token: str | None = None
    sha256: str | None = None
    modified: str | None = None
    read_at: str | None = None  # when the file was last actually read
    data: dict[str, Any] | None = None  # {"card", "read_findings", "result"}
    reused: bool = False
    summary: dict[str, Any] | None = None  # the master's Summary numbers


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- reading ----------------------------------------------------------------------

    def states(self) -> dict[str, dict[str, Any]]:
        """The incremental state per district, without the blobs."""
        rows = self.db.execute(
            "SELECT district_id, ok, token, sha256, modified, as_of, settings, read_at, "
            "source, summary FROM outcomes")
        keys = ("district_id", "ok", "token", "sha256", "modified", "as_of", "settings",
                "read_at", "source", "summary")
        states = {r[0]: dict(zip(keys, r, strict=True)) for r in rows}
        for state in states.values():
            state["summary"] = json.loads(state["summary"]) if state["summary"] else None
        return states

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def data(self, district_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM outcomes WHERE district_id = ?",
                              (district_id,)).fetchone()
        return unpack(row[0]) if row else None

    def outcomes(self, district_ids: list[str] | None = None) -> Iterator[Outcome]:
        """The latest outcome of each district (in ``district_ids`` order when given)."""
        cols = ("district_id, name, source, ok, pulled_at, as_of, settings, reason, token, "
                "sha256, modified, read_at, data, summary")
        if district_ids is None:
            district_ids = [r[0] for r in self.db.execute(
                "SELECT district_id FROM outcomes ORDER BY district_id")]
        for district_id in district_ids:
            r = self.db.execute(f"SELECT {cols} FROM outcomes WHERE district_id = ?",
                                (district_id,)).fetchone()
            if r is None:
                continue
            yield Outcome(r[0], r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8], r[9],
                          r[10], r[11], unpack(r[12]),
                          summary=json.loads(r[13]) if r[13] else None)

    def history(self, district_ids: list[str]) -> Iterator[tuple[Any, ...]]:
        """One row per district, measure and month, in cohort order."""
        for district_id in district_ids:
            yield from self.db.execute(
                "SELECT district_id, measure_id, period, goal_id, latest_period, "
                "latest_actual, expected, progress, status FROM history "
                "WHERE district_id = ? ORDER BY measure_id, period", (district_id,))

    def trend(self, district_ids: list[str]) -> list[tuple[str, int, int]]:
        """Per month: measures On Track or Met, and measures with a status other than No Data."""
        marks = ",".join("?" * len(district_ids))
        return list(self.db.execute(
            "SELECT period, SUM(status IN ('On Track', 'Met')), SUM(status != 'No Data') "
            f"FROM history WHERE district_id IN ({marks}) GROUP BY period ORDER BY period",
            district_ids))

    def last_pull(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT pulled_at, as_of, period, districts, read, reused, "
                              "failed FROM pulls ORDER BY id DESC LIMIT 1").fetchone()
        keys = ("pulled_at", "as_of", "period", "districts", "read", "reused", "failed")
        return dict(zip(keys, row, strict=True)) if row else None

    # -- writing (inside ``transaction``) ---------------------------------------------

    def save(self, db: sqlite3.Connection, o: Outcome, period: str) -> None:
        blob = pack(o.data) if o.data is not None else None
        summary = json.dumps(o.summary) if o.summary is not None else None
        exists = db.execute("SELECT 1 FROM outcomes WHERE district_id = ?",
                            (o.district_id,)).fetchone()
        if o.ok or not exists:
            db.execute(
                "INSERT OR REPLACE INTO outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (o.district_id, o.name, o.source, int(o.ok), o.reason, o.token, o.sha256,
                 o.modified, o.pulled_at, o.read_at, o.as_of, o.settings, summary, blob))
        else:  # a failed read keeps the last good data, to reuse once the file is fixed
            db.execute(
                "UPDATE outcomes SET ok = 0, reason = ?, pulled_at = ?, token = NULL, "
                "modified = ?, summary = ? WHERE district_id = ?",
                (o.reason, o.pulled_at, o.modified, summary, o.district_id))
        db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?,?,?,?)",
                   (o.district_id, period, o.pulled_at, o.as_of, int(o.ok), o.reason,
                    blob if o.ok else None))
        db.execute("DELETE FROM history WHERE district_id = ? AND period = ?",
                   (o.district_id, period))
        if o.ok and o.data:
            db.executemany(
                "INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?)",
                [(o.district_id, period, m["id"], m.get("goal_id"), m.get("latest_period"),
                  m.get("latest_actual"), m.get("expected"), m.get("progress"), m["status"])
                 for m in _unique_measures(o.data["result"]["measures"])])

    def record_pull(self, db: sqlite3.Connection, pulled_at: str, as_of: str, period: str,
                    counts: dict[str, int], master_written: bool) -> None:
        db.execute("INSERT INTO pulls (pulled_at, as_of, period, districts, read, reused, "
                   "failed, master_written) VALUES (?,?,?,?,?,?,?,?)",
                   (pulled_at, as_of, period, counts["districts"], counts["read"],
                    counts["reused"], counts["failed"], int(master_written)))


def _unique_measures(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for m in measures:
        seen.setdefault(m["id"], m)
    return list(seen.values())
