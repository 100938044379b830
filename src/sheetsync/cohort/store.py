"""The pull history: an SQLite file beside cohort.toml (``.sheetsync/store.sqlite``).

Per district it keeps the latest outcome (what was read, its fingerprint, findings and
statuses) so an unchanged file is not read again, and one snapshot per month so trends
survive: pulling twice in a month replaces that month's snapshot. A read that fails (or a
file older than the one read before) never replaces a good snapshot: the district keeps its
last good read, marked stale with the reason. A pull is written in one
transaction, so a pull killed at any moment leaves the store as it was before, whole.
Blobs are JSON compressed with zlib: the parsed scorecard, the read findings and the
``check --json`` result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.errors import NotWritable
from sheetsync.files import exclusive
from sheetsync.schema.vocabulary import GOOD, NO_DATA

SCHEMA_VERSION = 3  # 3: reminders
_GOOD_MARKS = ",".join("?" * len(GOOD))  # the statuses counted as on track or met
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pulls (
    id INTEGER PRIMARY KEY, pulled_at TEXT NOT NULL, as_of TEXT NOT NULL, period TEXT NOT NULL,
    districts INTEGER, read INTEGER, reused INTEGER, failed INTEGER, master_written INTEGER);
CREATE TABLE IF NOT EXISTS outcomes (
    district_id TEXT PRIMARY KEY, name TEXT NOT NULL, source TEXT NOT NULL,
    ok INTEGER NOT NULL, reason TEXT, token TEXT, sha256 TEXT, modified TEXT,
    pulled_at TEXT NOT NULL, read_at TEXT, as_of TEXT NOT NULL, settings TEXT NOT NULL,
    summary TEXT, data BLOB, findings TEXT);
CREATE TABLE IF NOT EXISTS snapshots (
    district_id TEXT NOT NULL, period TEXT NOT NULL, pulled_at TEXT NOT NULL,
    as_of TEXT NOT NULL, ok INTEGER NOT NULL, reason TEXT, data BLOB,
    PRIMARY KEY (district_id, period));
CREATE TABLE IF NOT EXISTS history (
    district_id TEXT NOT NULL, period TEXT NOT NULL, measure_id TEXT NOT NULL,
    goal_id TEXT, latest_period TEXT, latest_actual REAL, expected REAL, progress REAL,
    status TEXT NOT NULL, PRIMARY KEY (district_id, period, measure_id));
CREATE TABLE IF NOT EXISTS reminders (
    district_id TEXT NOT NULL, month TEXT NOT NULL, kind TEXT NOT NULL,
    recipients TEXT NOT NULL, sent_at TEXT NOT NULL, message_id TEXT,
    PRIMARY KEY (district_id, month, kind));
"""


OUTCOME_COLUMNS = ("district_id, name, source, ok, reason, token, sha256, modified, pulled_at, "
                   "read_at, as_of, settings, summary, data, findings")


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
    findings: list[dict[str, Any]] = field(default_factory=list)  # identity findings
    kept: bool = False  # ok, but the file was older: the newer stored read was kept

    @property
    def stale(self) -> str | None:
        """Why the district shows its last good read instead of this pull's, if it does."""
        if self.kept:
            older = [f for f in self.findings if f["code"] == "source-older"]
            return f"stale: kept the read of {_day(self.read_at)}; " + \
                (older[0]["message"] if older else "this file is older")
        if not self.ok and self.read_at and self.data is not None:
            return stale_note(self.read_at, self.reason)
        return None


@dataclass(frozen=True)
class Snapshot:
    """A district's month as the store kept it: its data when the read was good (``reason``
    then notes a later failed read of that month, if any), else the failure's reason."""

    as_of: str
    ok: bool
    reason: str | None
    data: dict[str, Any] | None

    @property
    def failed(self) -> str | None:
        return None if self.ok else self.reason

    @property
    def stale(self) -> str | None:
        return self.reason if self.ok else None


def store_lock(path: Path, what: str) -> AbstractContextManager[None]:
    """The lock every writer of the store at ``path`` holds (``pull``, ``remind --send``),
    beside it as ``store.lock``: one at a time, whichever process runs them (the CLI or
    ``sheetsync serve``); the next one gets ``files.Busy`` naming the holder."""
    return exclusive(path.with_name(path.stem + ".lock"), what)


def stale_note(read_at: str | None, reason: str | None) -> str:
    return f"stale: last good read {_day(read_at)}; this pull failed: {reason}"


def _day(when: str | None) -> str:
    return (when or "")[:10] or "(unknown)"


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level=None)
            self._open()
        except (OSError, sqlite3.OperationalError) as exc:
            raise NotWritable(path, "the pull history (the store)",
                              f"{path} cannot be opened for writing ({exc})") from None

    @classmethod
    def reader(cls, path: Path) -> Store:
        """The store opened read-only, from any thread: it writes nothing and never waits for
        a pull that is writing it (readers see the last committed pull)."""
        store = cls.__new__(cls)
        store.path = path
        store.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                   isolation_level=None, check_same_thread=False)
        return store

    def _open(self) -> None:
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        columns = {r[1] for r in self.db.execute("PRAGMA table_info(outcomes)")}
        if "findings" not in columns:  # a store written before identity findings
            self.db.execute("ALTER TABLE outcomes ADD COLUMN findings TEXT")
        # Every table is created if missing, so an older store gains the new ones here.
        self.db.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT(key) DO "
                        "UPDATE SET value = excluded.value WHERE CAST(value AS INTEGER) < "
                        "CAST(excluded.value AS INTEGER)", (str(SCHEMA_VERSION),))

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
            "source, summary, findings IS NOT NULL FROM outcomes")
        keys = ("district_id", "ok", "token", "sha256", "modified", "as_of", "settings",
                "read_at", "source", "summary", "flagged")
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
                "sha256, modified, read_at, data, summary, findings")
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
                          summary=json.loads(r[13]) if r[13] else None,
                          findings=json.loads(r[14]) if r[14] else [],
                          kept=bool(r[3]) and r[14] is not None and "source-older" in r[14])

    def history(self, district_ids: list[str], periods: list[str] | None = None,
                measure_id: str | None = None) -> Iterator[tuple[Any, ...]]:
        """One row per district, measure and month, in cohort order (only ``periods``, e.g.
        one school year's months, when given; only one measure when given)."""
        where, args = _within(periods, "h.period")
        if measure_id is not None:
            where, args = where + " AND h.measure_id = ?", [*args, measure_id]
        for district_id in district_ids:
            yield from self.db.execute(
                "SELECT h.district_id, h.measure_id, h.period, h.goal_id, h.latest_period, "
                "h.latest_actual, h.expected, h.progress, h.status, s.reason FROM history h "
                "LEFT JOIN snapshots s ON s.district_id = h.district_id AND s.period = h.period "
                f"WHERE h.district_id = ?{where} ORDER BY h.measure_id, h.period",
                (district_id, *args))

    def history_counts(self, district_ids: list[str],
                       periods: list[str] | None = None) -> dict[str, int]:
        """How many History rows each month has (only ``periods`` when given): what the
        master needs to know before it streams them, to keep within Excel's row limit."""
        marks = ",".join("?" * len(district_ids))
        where, args = _within(periods, "period")
        return dict(self.db.execute(
            f"SELECT period, COUNT(*) FROM history WHERE district_id IN ({marks}){where} "
            "GROUP BY period ORDER BY period", [*district_ids, *args]))

    def measure_ids(self, district_id: str) -> list[str]:
        """The measures a district has History rows for, in any year."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT measure_id FROM history WHERE district_id = ? ORDER BY measure_id",
            (district_id,))]

    def snapshot(self, district_id: str, period: str) -> Snapshot | None:
        """A district's snapshot of one month, if the store has one."""
        row = self.db.execute("SELECT as_of, ok, reason, data FROM snapshots "
                              "WHERE district_id = ? AND period = ?",
                              (district_id, period)).fetchone()
        if row is None:
            return None
        as_of, ok, reason, blob = row
        return Snapshot(as_of, bool(ok), reason, unpack(blob) if ok else None)

    def trend(self, district_ids: list[str],
              periods: list[str] | None = None) -> list[tuple[str, int, int]]:
        """Per month: measures On Track or Met, and measures with a status other than No Data
        (only ``periods`` when given)."""
        marks = ",".join("?" * len(district_ids))
        where, args = _within(periods, "period")
        return list(self.db.execute(
            f"SELECT period, SUM(status IN ({_GOOD_MARKS})), SUM(status != ?) "
            f"FROM history WHERE district_id IN ({marks}){where} GROUP BY period "
            "ORDER BY period", [*GOOD, NO_DATA, *district_ids, *args]))

    def last_pull(self) -> dict[str, Any] | None:
        row = self.db.execute("SELECT pulled_at, as_of, period, districts, read, reused, "
                              "failed FROM pulls ORDER BY id DESC LIMIT 1").fetchone()
        keys = ("pulled_at", "as_of", "period", "districts", "read", "reused", "failed")
        return dict(zip(keys, row, strict=True)) if row else None

    def pulls(self, periods: list[str] | None = None) -> list[dict[str, Any]]:
        """Every pull recorded, oldest first (only those of ``periods`` when given)."""
        where, args = _within(periods, "period")
        keys = ("pulled_at", "as_of", "period", "districts", "read", "reused", "failed",
                "master_written")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM pulls WHERE 1 = 1{where} "
                               "ORDER BY id", args)
        return [{**dict(zip(keys, r, strict=True)), "master_written": bool(r[-1])}
                for r in rows]

    def reminders(self, month: str | None = None) -> list[dict[str, Any]]:
        """The reminders sent (of one month, or all): who, which month and kind, to whom,
        when."""
        where, args = ("WHERE month = ?", [month]) if month else ("", [])
        keys = ("district_id", "month", "kind", "recipients", "sent_at", "message_id")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM reminders {where} "
                               "ORDER BY month, district_id, kind", args)
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for r in out:
            r["recipients"] = json.loads(r["recipients"])
        return out

    def reminded(self, district_id: str, month: str, kind: str) -> bool:
        return self.db.execute("SELECT 1 FROM reminders WHERE district_id = ? AND month = ? "
                               "AND kind = ?", (district_id, month, kind)).fetchone() is not None

    # -- writing (inside ``transaction``) ---------------------------------------------

    def save(self, db: sqlite3.Connection, o: Outcome, period: str) -> None:
        """Save one district's outcome; a failed read never replaces a good month."""
        blob = pack(o.data) if o.data is not None else None
        summary = json.dumps(o.summary) if o.summary is not None else None
        findings = json.dumps(o.findings) if o.findings else None
        row = db.execute("SELECT read_at, data IS NOT NULL FROM outcomes "
                         "WHERE district_id = ?", (o.district_id,)).fetchone()
        if o.ok or not row:
            db.execute(f"INSERT OR REPLACE INTO outcomes ({OUTCOME_COLUMNS}) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (o.district_id, o.name, o.source, int(o.ok), o.reason, o.token,
                        o.sha256, o.modified, o.pulled_at, o.read_at, o.as_of, o.settings,
                        summary, blob, findings))
        else:  # a failed read keeps the last good data and its summary, shown as stale
            db.execute(
                "UPDATE outcomes SET ok = 0, reason = ?, pulled_at = ?, token = NULL, "
                "findings = ?, summary = CASE WHEN data IS NULL THEN ? ELSE summary END, "
                "modified = CASE WHEN data IS NULL THEN ? ELSE modified END "
                "WHERE district_id = ?",
                (o.reason, o.pulled_at, findings, summary, o.modified, o.district_id))
        if not o.ok:
            self._mark_snapshot(db, o.district_id, period, o.pulled_at, o.as_of,
                                stale_note(row[0], o.reason) if row and row[1] else None,
                                o.reason)
            return  # History rows are never deleted by a failed read
        db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?,?,?,?)",
                   (o.district_id, period, o.pulled_at, o.as_of, 1, None, blob))
        db.execute("DELETE FROM history WHERE district_id = ? AND period = ?",
                   (o.district_id, period))
        if o.data:
            db.executemany(
                "INSERT INTO history VALUES (?,?,?,?,?,?,?,?,?)",
                [(o.district_id, period, m["id"], m.get("goal_id"), m.get("latest_period"),
                  m.get("latest_actual"), m.get("expected"), m.get("progress"), m["status"])
                 for m in _unique_measures(o.data["result"]["measures"])])

    def keep(self, db: sqlite3.Connection, o: Outcome, period: str, note: str) -> None:
        """The file is older than the stored read: keep the read, note why (source-older)."""
        db.execute("UPDATE outcomes SET pulled_at = ?, findings = ? WHERE district_id = ?",
                   (o.pulled_at, json.dumps(o.findings), o.district_id))
        self._mark_snapshot(db, o.district_id, period, o.pulled_at, o.as_of, note, note)

    def _mark_snapshot(self, db: sqlite3.Connection, district_id: str, period: str,
                       pulled_at: str, as_of: str, note: str | None,
                       reason: str | None) -> None:
        """A good snapshot of the month stays, with ``note``; otherwise the month is failed."""
        good = db.execute("SELECT 1 FROM snapshots WHERE district_id = ? AND period = ? "
                          "AND ok = 1", (district_id, period)).fetchone()
        if good:
            db.execute("UPDATE snapshots SET reason = ? WHERE district_id = ? AND period = ?",
                       (note, district_id, period))
        else:
            db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?,?,?,?)",
                       (district_id, period, pulled_at, as_of, 0, reason, None))

    def drop_month(self, db: sqlite3.Connection, period: str,
                   district_id: str | None = None) -> dict[str, int]:
        """Remove one month's History rows and snapshots (of one district, or all): per
        district, the History rows removed."""
        where, args = "period = ?", [period]
        if district_id is not None:
            where, args = where + " AND district_id = ?", [period, district_id]
        removed = dict(db.execute(f"SELECT district_id, COUNT(*) FROM history WHERE {where} "
                                  "GROUP BY district_id ORDER BY district_id", args))
        for (did,) in db.execute(f"SELECT district_id FROM snapshots WHERE {where}", args):
            removed.setdefault(did, 0)
        db.execute(f"DELETE FROM history WHERE {where}", args)
        db.execute(f"DELETE FROM snapshots WHERE {where}", args)
        return removed

    def months(self, district_id: str | None = None) -> list[str]:
        """The months the store holds (History rows or snapshots), oldest first."""
        where, args = ("WHERE district_id = ?", [district_id]) if district_id else ("", [])
        return [r[0] for r in self.db.execute(
            f"SELECT period FROM snapshots {where} UNION SELECT period FROM history {where} "
            "ORDER BY period", args * 2)]

    def take_earlier(self, path: Path) -> list[str]:
        """Copy every month of the store at ``path`` (an earlier year's) into this one: the
        snapshots, History rows and reminders sent. A district's month this store already
        holds is kept as it is; the latest reads (outcomes) are not copied, so the new year
        starts unpulled. ``path`` is only read (its files are copied, and the copy opened), so
        nothing is written beside it. Returns the months copied, oldest first."""
        before = set(self.months())
        with tempfile.TemporaryDirectory(dir=self.path.parent) as tmp:
            copy = Path(tmp) / "earlier.sqlite"
            shutil.copyfile(path, copy)
            wal = path.with_name(path.name + "-wal")
            if wal.exists():  # months not yet checkpointed into the main file
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            Store(copy).close()  # replays the WAL; an older store gains today's tables
            self.db.execute("ATTACH DATABASE ? AS earlier", (str(copy),))
            try:
                with self.transaction() as db:
                    _copy_months(db)
                    self.set_meta(db, "master_stale", "1")
            finally:
                self.db.execute("DETACH DATABASE earlier")
        return sorted(set(self.months()) - before)

    def record_reminder(self, db: sqlite3.Connection, district_id: str, month: str,
                        kind: str, recipients: list[str], sent_at: str,
                        message_id: str | None) -> None:
        """A reminder the server accepted: never sent again for this district, month, kind."""
        db.execute("INSERT OR IGNORE INTO reminders VALUES (?,?,?,?,?,?)",
                   (district_id, month, kind, json.dumps(recipients), sent_at, message_id))

    def record_pull(self, db: sqlite3.Connection, pulled_at: str, as_of: str, period: str,
                    counts: dict[str, int], master_written: bool) -> None:
        db.execute("INSERT INTO pulls (pulled_at, as_of, period, districts, read, reused, "
                   "failed, master_written) VALUES (?,?,?,?,?,?,?,?)",
                   (pulled_at, as_of, period, counts["districts"], counts["read"],
                    counts["reused"], counts["failed"], int(master_written)))


def _copy_months(db: sqlite3.Connection) -> None:
    """From the attached ``earlier`` store, every district's month this store lacks."""
    db.execute("DROP TABLE IF EXISTS temp.missing")
    db.execute(
        "CREATE TEMP TABLE missing AS SELECT district_id, period FROM (SELECT district_id, "
        "period FROM earlier.snapshots UNION SELECT district_id, period FROM earlier.history) e "
        "WHERE NOT EXISTS (SELECT 1 FROM history m WHERE m.district_id = e.district_id AND "
        "m.period = e.period) AND NOT EXISTS (SELECT 1 FROM snapshots m WHERE "
        "m.district_id = e.district_id AND m.period = e.period)")
    for table in ("history", "snapshots"):
        db.execute(f"INSERT INTO {table} SELECT e.* FROM earlier.{table} e "
                   "JOIN missing USING (district_id, period)")
    db.execute("DROP TABLE temp.missing")
    db.execute("INSERT OR IGNORE INTO reminders SELECT * FROM earlier.reminders")


def _within(periods: list[str] | None, column: str) -> tuple[str, list[str]]:
    """An SQL condition keeping ``column`` within ``periods`` (none when ``periods`` is None)."""
    if periods is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(periods))})", list(periods)


def _unique_measures(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for m in measures:
        seen.setdefault(m["id"], m)
    return list(seen.values())
