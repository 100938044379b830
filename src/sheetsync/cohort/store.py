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
import os
import shutil
import sqlite3
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sheetsync.errors import NotWritable, SheetsyncError, StoreNotWritten, StoreUnusable
from sheetsync.files import exclusive
from sheetsync.schema.vocabulary import GOOD, NO_DATA

_GOOD_MARKS = ",".join("?" * len(GOOD))  # the statuses counted as on track or met
SQLITE_HEADER = b"SQLite format 3\x00"
STATE = "state"  # store meta: changes whenever a month or a latest read changes
CARRIED = "carried_months"  # store meta: the months take_earlier brought in
COPIES = "backups"  # beside the store: the copies kept before each pull that writes
KEEP_COPIES = 5  # the copies kept; older ones are removed


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


# Step n brings a store of version n - 1 to version n, in one transaction with the version.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _create, _findings, _reminders, _kept, _refused)
SCHEMA_VERSION = len(MIGRATIONS)
OWN_TABLES = frozenset({"meta", "pulls", "outcomes", "snapshots", "history", "reminders"})


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def pack(data: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(data, separators=(",", ":"), default=str).encode(), 1)


def unpack(blob: bytes | None) -> dict[str, Any] | None:
    return json.loads(zlib.decompress(blob)) if blob else None


@dataclass(frozen=True)
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
            return stale_note(self.read_at, self.reason, self.as_of)
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


@dataclass(frozen=True)
class Copy:
    """A copy of the store kept before a pull wrote it (``number`` 1 is the newest)."""

    number: int
    path: Path
    made: str  # when, as YYYY-MM-DD HH:MM:SS
    state: str  # the store's state it holds (the tail of its name)


def store_lock(path: Path, what: str) -> AbstractContextManager[None]:
    """The lock every writer of the store at ``path`` holds (``pull``, ``remind --send``,
    ``store restore``), beside it as ``store.lock``: one at a time, whichever process runs
    them (the CLI or ``sheetsync serve``); the next one gets ``files.Busy`` naming the
    holder."""
    return exclusive(path.with_name(path.stem + ".lock"), what)


def stale_note(read_at: str | None, reason: str | None, as_of: str | None = None) -> str:
    """Why a district shows its last good read; the date its numbers are for, when that is
    not the day it was read (a read assessed again for an earlier --as-of)."""
    numbers = f" (its numbers as of {as_of[:10]})" if as_of and as_of[:10] != _day(read_at) \
        else ""
    return f"stale: last good read {_day(read_at)}{numbers}; this pull failed: {reason}"


def _day(when: str | None) -> str:
    return (when or "")[:10] or "(unknown)"


def _restore_hint(path: Path) -> str:
    if copies(path):
        return ("Nothing was changed. `sheetsync store restore --list` lists the copies kept "
                "before each pull; `sheetsync store restore` brings back the newest (this file "
                "is moved aside, not deleted).")
    return ("Nothing was changed, and no copy of it was kept. Move it aside (rename it) and "
            "run `sheetsync pull` to start a new store: every district is read again, but "
            "the months it held are not in the new one.")


class Store:
    """The store at ``path``, checked when opened: an empty, damaged or foreign file, or
    one a newer sheetsync wrote, is refused (``StoreUnusable``), never written to; an
    older one is brought up to date, one numbered step (``MIGRATIONS``) at a time.
    ``readonly`` opens it for reading only, from any thread (see ``reader``)."""

    def __init__(self, path: Path, *, readonly: bool = False, check: bool = True) -> None:
        self.path = path
        self.readonly = readonly
        self._writes = 0  # nesting of ``transaction``
        self._changed = False  # a month or a latest read changed in this transaction
        new = not path.exists()
        if new and readonly:
            raise StoreUnusable(path, "there is no store yet", "Run `sheetsync pull` first.")
        if not new:
            _check_file(path)
        try:
            if readonly:
                self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                                          isolation_level=None, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, isolation_level=None, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise NotWritable(path, "the pull history (the store)",
                              f"{path} cannot be opened ({exc})") from None
        try:
            self._open(new, check)
        except BaseException:
            self.db.close()
            raise

    @classmethod
    def reader(cls, path: Path, check: bool = False) -> Store:
        """The store opened read-only, from any thread: it writes nothing and never waits for
        a pull that is writing it (readers see the last committed pull). ``check`` runs
        SQLite's quick check too (an open for each page skips it; the service checks the
        store when it starts)."""
        return cls(path, readonly=True, check=check)

    def _open(self, new: bool, check: bool) -> None:
        try:
            if check and not new:
                found = [r[0] for r in self.db.execute("PRAGMA quick_check(5)")]
                if found != ["ok"]:
                    raise StoreUnusable(self.path, "is damaged (SQLite's check: "
                                        f"{'; '.join(found)})", _restore_hint(self.path))
            tables = {r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and not {"outcomes", "snapshots"} <= tables:
                raise StoreUnusable(
                    self.path, "is not a sheetsync store (an SQLite database with the tables "
                    f"{', '.join(sorted(tables))})", "Point the cohort at its own folder, or "
                    "move this file away; nothing was changed.")
            version = self._version(tables)
        except sqlite3.DatabaseError as exc:
            raise StoreUnusable(self.path, f"is damaged ({exc})",
                                _restore_hint(self.path)) from None
        if version > SCHEMA_VERSION:
            raise StoreUnusable(
                self.path, f"was written by a newer sheetsync (store version {version}; this "
                f"one reads up to {SCHEMA_VERSION})", "Upgrade sheetsync "
                "(pip install -U sheetsync-scorecard); nothing was changed.")
        if self.readonly:
            if version < SCHEMA_VERSION:  # an older store: brought up to date once, by a writer
                Store(self.path).close()
            return
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                MIGRATIONS[step](self.db)
                self.set_meta("schema_version", str(step + 1))

    def _version(self, tables: set[str]) -> int:
        if "meta" not in tables:
            return 0
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write happens inside one: all of it is kept, or none. A write the disk
        refuses (full, say) rolls back and raises ``StoreNotWritten``."""
        if self._writes:  # nested: part of the one around it
            self._writes += 1
            try:
                yield
            finally:
                self._writes -= 1
            return
        self._changed = False
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self._writes = 1
            yield
            if self._changed:
                self.set_meta(STATE, uuid.uuid4().hex)
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise StoreNotWritten(
                    f"{self.path} could not be written ({exc}); nothing of this run was "
                    "saved, and the store is as it was before. Free space on the disk (or make "
                    "it writable) and run again.", path=self.path) from None
            raise
        finally:
            self._writes = 0

    def _writing(self) -> sqlite3.Connection:
        if not self._writes:
            raise SheetsyncError("the store is written inside `with store.transaction():`")
        return self.db

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

    @property
    def state(self) -> str | None:
        """Changes whenever a month or a latest read changes (None: nothing stored yet)."""
        return self.meta(STATE)

    def data(self, district_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT data FROM outcomes WHERE district_id = ?",
                              (district_id,)).fetchone()
        return unpack(row[0]) if row else None

    def district_ids(self) -> list[str]:
        """Every district the store has a latest read (or failure) of."""
        return [r[0] for r in self.db.execute(
            "SELECT district_id FROM outcomes ORDER BY district_id")]

    def outcomes(self, district_ids: list[str] | None = None) -> Iterator[Outcome]:
        """The latest outcome of each district (in ``district_ids`` order when given)."""
        cols = ("district_id", "name", "source", "ok", "pulled_at", "as_of", "settings",
                "reason", "token", "sha256", "modified", "read_at", "data", "summary",
                "findings", "kept")
        for district_id in self.district_ids() if district_ids is None else district_ids:
            r = self.db.execute(f"SELECT {', '.join(cols)} FROM outcomes WHERE district_id = ?",
                                (district_id,)).fetchone()
            if r is None:
                continue
            row = dict(zip(cols, r, strict=True))
            yield Outcome(**{**row, "ok": bool(row["ok"]), "kept": bool(row["kept"]),
                             "data": unpack(row["data"]),
                             "summary": json.loads(row["summary"]) if row["summary"] else None,
                             "findings": json.loads(row["findings"]) if row["findings"] else []})

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

    def held(self, district_ids: list[str], periods: list[str] | None = None) -> tuple[int, int]:
        """What a master of these districts (and months) shows: the districts with a latest
        read, and the (district, month) pairs with History rows."""
        marks = ",".join("?" * len(district_ids))
        where, args = _within(periods, "period")
        districts = self.db.execute(f"SELECT COUNT(*) FROM outcomes WHERE district_id IN "
                                    f"({marks})", district_ids).fetchone()[0]
        months = self.db.execute(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT district_id, period FROM history WHERE "
            f"district_id IN ({marks}){where})", [*district_ids, *args]).fetchone()[0]
        return districts, months

    def measure_ids(self, district_id: str) -> list[str]:
        """The measures a district has History rows for, in any year."""
        return [r[0] for r in self.db.execute(
            "SELECT DISTINCT measure_id FROM history WHERE district_id = ? ORDER BY measure_id",
            (district_id,))]

    def has_month(self, district_id: str, period: str) -> bool:
        """The store holds a snapshot of the district's month."""
        return self.db.execute("SELECT 1 FROM snapshots WHERE district_id = ? AND period = ?",
                               (district_id, period)).fetchone() is not None

    def snapshot(self, district_id: str, period: str) -> Snapshot | None:
        """A district's snapshot of one month, if the store has one."""
        row = self.db.execute("SELECT as_of, ok, reason, data FROM snapshots "
                              "WHERE district_id = ? AND period = ?",
                              (district_id, period)).fetchone()
        if row is None:
            return None
        as_of, ok, reason, blob = row
        return Snapshot(as_of=as_of, ok=bool(ok), reason=reason,
                        data=unpack(blob) if ok else None)

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
        row = self.db.execute("SELECT id, pulled_at, as_of, period, districts, read, reused, "
                              "failed, master_written FROM pulls ORDER BY id DESC LIMIT 1"
                              ).fetchone()
        keys = ("id", "pulled_at", "as_of", "period", "districts", "read", "reused", "failed",
                "master_written")
        return dict(zip(keys, row, strict=True)) if row else None

    def pull_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pulls").fetchone()[0])

    def reminders(self, month: str | None = None) -> list[dict[str, Any]]:
        """The reminders sent (of one month, or all): who, which month and kind, to whom,
        when."""
        where, args = ("WHERE month = ?", [month]) if month else ("", [])
        keys = ("district_id", "month", "kind", "recipients", "sent_at", "message_id",
                "refused")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM reminders {where} "
                               "ORDER BY month, district_id, kind", args)
        out = [dict(zip(keys, r, strict=True)) for r in rows]
        for r in out:
            r["recipients"] = json.loads(r["recipients"])
            r["refused"] = json.loads(r["refused"] or "{}")
        return out

    def reminded(self, district_id: str, month: str, kind: str) -> bool:
        return self.db.execute("SELECT 1 FROM reminders WHERE district_id = ? AND month = ? "
                               "AND kind = ?", (district_id, month, kind)).fetchone() is not None

    # -- writing (inside ``transaction``) ---------------------------------------------

    def set_meta(self, key: str, value: str, changes_data: bool = False) -> None:
        """``changes_data``: the value is part of what the master is made from."""
        self._writing().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        self._changed = self._changed or changes_data

    def save(self, o: Outcome, period: str,
             shown: tuple[dict[str, Any], str, dict[str, Any]] | None = None) -> None:
        """Save one district's outcome; a failed read never replaces a good month. For a
        failed read, ``shown`` (data, as-of, summary: the month's good snapshot) becomes
        the last good read the district shows."""
        db = self._writing()
        self._changed = True
        blob = pack(o.data) if o.data is not None else None
        summary = json.dumps(o.summary) if o.summary is not None else None
        findings = json.dumps(o.findings) if o.findings else None
        row = db.execute("SELECT read_at, data IS NOT NULL FROM outcomes "
                         "WHERE district_id = ?", (o.district_id,)).fetchone()
        if o.ok or not row:
            db.execute("INSERT OR REPLACE INTO outcomes (district_id, name, source, ok, reason, "
                       "token, sha256, modified, pulled_at, read_at, as_of, settings, summary, "
                       "data, findings, kept) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0)",
                       (o.district_id, o.name, o.source, int(o.ok), o.reason, o.token,
                        o.sha256, o.modified, o.pulled_at, o.read_at, o.as_of, o.settings,
                        summary, blob, findings))
        else:  # a failed read keeps the last good data and its summary, shown as stale
            db.execute(
                "UPDATE outcomes SET ok = 0, kept = 0, reason = ?, pulled_at = ?, token = NULL, "
                "findings = ?, summary = CASE WHEN data IS NULL THEN ? ELSE summary END, "
                "modified = CASE WHEN data IS NULL THEN ? ELSE modified END "
                "WHERE district_id = ?",
                (o.reason, o.pulled_at, findings, summary, o.modified, o.district_id))
            if shown is not None:
                db.execute("UPDATE outcomes SET data = ?, as_of = ?, summary = ? "
                           "WHERE district_id = ?", (pack(shown[0]), shown[1],
                                                     json.dumps(shown[2]), o.district_id))
        if not o.ok:
            self._mark_snapshot(o.district_id, period, o.pulled_at, o.as_of,
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

    def keep(self, o: Outcome, period: str, note: str) -> None:
        """The file is older than the stored read: keep the read, note why (source-older)."""
        self._writing().execute(
            "UPDATE outcomes SET pulled_at = ?, findings = ?, kept = 1 WHERE district_id = ?",
            (o.pulled_at, json.dumps(o.findings), o.district_id))
        self._changed = True
        self._mark_snapshot(o.district_id, period, o.pulled_at, o.as_of, note, note)

    def touch(self, district_ids: list[str], pulled_at: str) -> None:
        """Districts this pull found unchanged: pulled at ``pulled_at``, nothing else."""
        self._writing().executemany("UPDATE outcomes SET pulled_at = ? WHERE district_id = ?",
                                    [(pulled_at, d) for d in district_ids])

    def _mark_snapshot(self, district_id: str, period: str, pulled_at: str, as_of: str,
                       note: str | None, reason: str | None) -> None:
        """A good snapshot of the month stays, with ``note``; otherwise the month is failed."""
        db = self._writing()
        good = db.execute("SELECT 1 FROM snapshots WHERE district_id = ? AND period = ? "
                          "AND ok = 1", (district_id, period)).fetchone()
        if good:
            db.execute("UPDATE snapshots SET reason = ? WHERE district_id = ? AND period = ?",
                       (note, district_id, period))
        else:
            db.execute("INSERT OR REPLACE INTO snapshots VALUES (?,?,?,?,?,?,?)",
                       (district_id, period, pulled_at, as_of, 0, reason, None))

    def drop_month(self, period: str, district_id: str | None = None) -> dict[str, int]:
        """Remove one month's History rows and snapshots (of one district, or all): per
        district, the History rows removed."""
        db = self._writing()
        self._changed = True
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
            Store(copy).close()  # checked; replays the WAL; an older store is brought up to date
            self.db.execute("ATTACH DATABASE ? AS earlier", (str(copy),))
            try:
                with self.transaction():
                    _copy_months(self.db)
                    self._changed = True
                    self.set_meta("master_stale", "1")
                    earlier = {r[0] for r in self.db.execute(
                        "SELECT period FROM earlier.snapshots UNION "
                        "SELECT period FROM earlier.history")}
                    self.set_meta(CARRIED, json.dumps(sorted(self.carried() | earlier)))
            finally:
                self.db.execute("DETACH DATABASE earlier")
        return sorted(set(self.months()) - before)

    def carried(self) -> set[str]:
        """The months an earlier year's store was carried into this one with (rollover):
        a pull never replaces them."""
        return set(json.loads(self.meta(CARRIED) or "[]"))

    def record_reminder(self, district_id: str, month: str, kind: str, recipients: list[str],
                        sent_at: str, message_id: str | None,
                        refused: dict[str, str] | None = None) -> None:
        """A reminder the server accepted for ``recipients`` (never sent to them again for
        this district, month and kind) and refused for ``refused`` (address: the server's
        answer; sent to them again next run). Merged with what earlier runs recorded."""
        db = self._writing()
        row = db.execute("SELECT recipients, refused FROM reminders WHERE district_id = ? "
                         "AND month = ? AND kind = ?", (district_id, month, kind)).fetchone()
        taken = json.loads(row[0]) if row else []
        taken += [r for r in recipients if r not in taken]
        still = {**(json.loads(row[1] or "{}") if row else {}), **(refused or {})}
        got = {_addr(r) for r in taken}
        still = {a: why for a, why in still.items() if _addr(a) not in got}
        if row:
            db.execute("UPDATE reminders SET recipients = ?, refused = ? WHERE district_id = ? "
                       "AND month = ? AND kind = ?", (json.dumps(taken), json.dumps(still),
                                                      district_id, month, kind))
        else:
            db.execute("INSERT INTO reminders (district_id, month, kind, recipients, sent_at, "
                       "message_id, refused) VALUES (?,?,?,?,?,?,?)",
                       (district_id, month, kind, json.dumps(taken), sent_at, message_id,
                        json.dumps(still)))

    def record_pull(self, pulled_at: str, as_of: str, period: str,
                    counts: dict[str, int]) -> int:
        """The pull's row, its master not written yet (``master_written`` says when it is);
        its id."""
        cur = self._writing().execute(
            "INSERT INTO pulls (pulled_at, as_of, period, districts, read, reused, failed, "
            "master_written) VALUES (?,?,?,?,?,?,?,0)",
            (pulled_at, as_of, period, counts["districts"], counts["read"], counts["reused"],
             counts["failed"]))
        return int(cur.lastrowid or 0)

    def master_written(self, pull_id: int | None = None) -> None:
        """The master was written from the store as it is: of pull ``pull_id`` (or the
        last pull), and the master is no longer stale."""
        db = self._writing()
        if pull_id is None:
            db.execute("UPDATE pulls SET master_written = 1 WHERE id = (SELECT MAX(id) "
                       "FROM pulls)")
        else:
            db.execute("UPDATE pulls SET master_written = 1 WHERE id = ?", (pull_id,))
        self.set_meta("master_stale", "0")

    # -- copies -----------------------------------------------------------------------

    def keep_copy(self, keep: int = KEEP_COPIES) -> Path | None:
        """A copy of the store as it is (SQLite's backup API), in ``backups/`` beside it,
        unless the newest copy already holds this state; the oldest beyond ``keep`` removed.
        None when there is nothing to keep yet. ``StoreNotWritten`` when it cannot be made (a
        full disk, say): the pull that asked must not go on."""
        state = self.state
        if state is None:
            return None
        kept = copies(self.path)
        if kept and kept[0].state == state[:12]:
            return kept[0].path
        folder = self.path.parent / COPIES
        when = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"store-{when}-{state[:12]}.sqlite"
        tmp = folder / f".{target.name}.partial"
        try:
            folder.mkdir(exist_ok=True)
            dest = sqlite3.connect(tmp)
            try:
                self.db.backup(dest)
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
        for old in copies(self.path)[keep:]:
            old.path.unlink(missing_ok=True)
        return target


def _check_file(path: Path) -> None:
    """Refuse, before SQLite opens it, a store that is empty or not an SQLite file."""
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise StoreUnusable(path, f"cannot be read ({exc.strerror or exc})",
                            "Make it readable and run again; nothing was changed.") from None
    if not head:
        raise StoreUnusable(path, "is empty (0 bytes: a copy or a sync of it went wrong)",
                            _restore_hint(path))
    if head != SQLITE_HEADER:
        raise StoreUnusable(path, "is not an SQLite database (damaged, or another program's "
                            "file)", _restore_hint(path))


def copies(store_path: Path) -> list[Copy]:
    """The copies of the store kept before each pull, newest first."""
    folder = store_path.parent / COPIES
    found = sorted(folder.glob("store-*-*-*.sqlite"), reverse=True) if folder.is_dir() else []
    out = []
    for number, path in enumerate(found, 1):
        _, day, clock, state = path.stem.split("-", 3)
        made = f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}:{clock[4:]}"
        out.append(Copy(number, path, made, state))
    return out


@dataclass(frozen=True)
class Restored:
    """What ``restore`` did: the copy brought back, and where the store it replaced went."""

    copy: Copy
    replaced: Path | None
    pulls: int
    months: list[str]


def restore(store_path: Path, number: int = 1) -> Restored:
    """Bring back copy ``number`` (1: the newest) as the store, under the store's lock; the
    store it replaces (damaged or not) is moved into ``backups/`` as ``replaced-*.sqlite``,
    never deleted. The copy is checked first; the master is then stale."""
    kept = copies(store_path)
    if not kept:
        raise SheetsyncError(f"{store_path.parent / COPIES}: no copies of the store are kept "
                             "yet (one is made before each pull that writes the store).")
    if not 1 <= number <= len(kept):
        raise SheetsyncError(f"There is no copy {number}: {len(kept)} are kept, 1 the newest; "
                             "`sheetsync store restore --list` lists them.")
    chosen = kept[number - 1]
    with store_lock(store_path, "store restore"):
        with Store(chosen.path, readonly=True) as check:
            pulls = check.pull_count()
            months = check.months()
        replaced = None
        when = datetime.now().strftime("%Y%m%d-%H%M%S")
        try:
            tmp = store_path.with_name(f".{store_path.name}.restoring")
            shutil.copyfile(chosen.path, tmp)
            if store_path.exists():
                replaced = chosen.path.with_name(f"replaced-{when}.sqlite")
                os.replace(store_path, replaced)
            for tail in ("-wal", "-shm"):  # the replaced store's own; never the copy's
                side = store_path.with_name(store_path.name + tail)
                if side.exists() and replaced is not None:
                    os.replace(side, replaced.with_name(replaced.name + tail))
                elif side.exists():
                    side.unlink()
            os.replace(tmp, store_path)
        except OSError as exc:
            raise NotWritable(store_path, "the store", f"the copy could not be put back "
                              f"({exc.strerror or exc})") from None
        with Store(store_path) as store, store.transaction():
            store.set_meta("master_stale", "1")
    return Restored(chosen, replaced, pulls, months)


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
    db.execute("INSERT OR IGNORE INTO reminders SELECT district_id, month, kind, recipients, "
               "sent_at, message_id, refused FROM earlier.reminders")


def _addr(recipient: str) -> str:
    """``Jane Doe <jane@x.org>`` as ``jane@x.org`` (lower case), to compare recipients."""
    return recipient.rsplit("<", 1)[-1].rstrip(">").strip().lower()


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
