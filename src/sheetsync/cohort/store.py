"""The pull history: an SQLite file beside cohort.toml (``.sheetsync/store.sqlite``).

Per district it keeps the latest outcome (what was read, its fingerprint, findings and
statuses) so an unchanged file is not read again, and one snapshot per month so trends
survive: pulling twice in a month replaces that month's snapshot. A read that fails (or a
file older than the one read before) never replaces a good snapshot: the district keeps its
last good read, marked stale with the reason. A pull is written in one
transaction, so a pull killed at any moment leaves the store as it was before, whole.
Blobs hold the parsed scorecard, the read findings and the ``check --json`` result, as
their difference from a base of the district's (``cohort.compact``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sheetsync.cohort.compact import GC, compact
from sheetsync.cohort.copies import (
    KEEP_COPIES,
    Copy,
    check_file,
    copies,
    restore_hint,
    write_copy,
)
from sheetsync.cohort.migrations import MIGRATIONS, SCHEMA_VERSION, STATE
from sheetsync.cohort.queries import CARRIED, StoreReading, address_key
from sheetsync.cohort.records import Outcome, Snapshot, stale_note
from sheetsync.errors import NotWritable, SheetsyncError, StoreNotWritten, StoreUnusable
from sheetsync.files import exclusive

__all__ = ["KEEP_COPIES", "MIGRATIONS", "SCHEMA_VERSION", "Copy", "Outcome",
           "Snapshot", "Store", "copies", "stale_note", "store_lock"]

SNAPSHOT = "district_id, period, pulled_at, as_of, ok, reason, data, base"  # its columns


def store_lock(path: Path, what: str) -> AbstractContextManager[None]:
    """The lock every writer of the store at ``path`` holds (``pull``, ``remind --send``,
    ``store restore``), beside it as ``store.lock``: one at a time, whichever process runs
    them (the CLI or ``sheetsync serve``); the next one gets ``files.Busy`` naming the
    holder."""
    return exclusive(path.with_name(path.stem + ".lock"), what)


class Store(StoreReading):
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
            check_file(path)
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
                                        f"{'; '.join(found)})", restore_hint(self.path))
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
                                restore_hint(self.path)) from None
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
                self.db.execute(GC)  # bases no blob uses any more
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

    def with_month(self, period: str) -> set[str]:
        """The districts whose month ``period`` the store holds (``has_month`` of each, in
        one query)."""
        return {r[0] for r in self.db.execute(
            "SELECT district_id FROM snapshots WHERE period = ?", (period,))}

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
        blob, base = compact(db, o.district_id, o.data) if o.data is not None else (None, None)
        summary = json.dumps(o.summary) if o.summary is not None else None
        findings = json.dumps(o.findings) if o.findings else None
        row = db.execute("SELECT read_at, data IS NOT NULL FROM outcomes "
                         "WHERE district_id = ?", (o.district_id,)).fetchone()
        if o.ok or not row:
            db.execute("INSERT OR REPLACE INTO outcomes (district_id, name, source, ok, reason, "
                       "token, sha256, modified, pulled_at, read_at, as_of, settings, summary, "
                       "data, findings, kept, base) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?)",
                       (o.district_id, o.name, o.source, int(o.ok), o.reason, o.token,
                        o.sha256, o.modified, o.pulled_at, o.read_at, o.as_of, o.settings,
                        summary, blob, findings, base))
        else:  # a failed read keeps the last good data and its summary, shown as stale
            db.execute(
                "UPDATE outcomes SET ok = 0, kept = 0, reason = ?, pulled_at = ?, token = NULL, "
                "findings = ?, summary = CASE WHEN data IS NULL THEN ? ELSE summary END, "
                "modified = CASE WHEN data IS NULL THEN ? ELSE modified END "
                "WHERE district_id = ?",
                (o.reason, o.pulled_at, findings, summary, o.modified, o.district_id))
            if shown is not None:
                kept, kept_base = compact(db, o.district_id, shown[0])
                db.execute("UPDATE outcomes SET data = ?, base = ?, as_of = ?, summary = ? "
                           "WHERE district_id = ?", (kept, kept_base, shown[1],
                                                     json.dumps(shown[2]), o.district_id))
        if not o.ok:
            self._mark_snapshot(o.district_id, period, o.pulled_at, o.as_of,
                                stale_note(row[0], o.reason) if row and row[1] else None,
                                o.reason)
            return  # History rows are never deleted by a failed read
        db.execute(f"INSERT OR REPLACE INTO snapshots ({SNAPSHOT}) VALUES (?,?,?,?,?,?,?,?)",
                   (o.district_id, period, o.pulled_at, o.as_of, 1, None, blob, base))
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

    def touch(self, district_ids: list[str], pulled_at: str,
              tokens: dict[str, str] | None = None) -> None:
        """Districts this pull found unchanged: pulled at ``pulled_at``; ``tokens``, the new
        fingerprints of those found unchanged by hashing (a file saved again as it was), so
        the next pull need not hash them again (the master shows no fingerprint)."""
        db = self._writing()
        db.executemany("UPDATE outcomes SET pulled_at = ? WHERE district_id = ?",
                       [(pulled_at, d) for d in district_ids])
        db.executemany("UPDATE outcomes SET token = ? WHERE district_id = ?",
                       [(token, d) for d, token in (tokens or {}).items()])

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
            db.execute(f"INSERT OR REPLACE INTO snapshots ({SNAPSHOT}) "
                       "VALUES (?,?,?,?,?,?,?,?)",
                       (district_id, period, pulled_at, as_of, 0, reason, None, None))

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
        got = {address_key(r) for r in taken}
        still = {a: why for a, why in still.items() if address_key(a) not in got}
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
        return None if state is None else write_copy(self.db, self.path, state, keep)


def _copy_months(db: sqlite3.Connection) -> None:
    """From the attached ``earlier`` store, every district's month this store lacks."""
    db.execute("DROP TABLE IF EXISTS temp.missing")
    db.execute(
        "CREATE TEMP TABLE missing AS SELECT district_id, period FROM (SELECT district_id, "
        "period FROM earlier.snapshots UNION SELECT district_id, period FROM earlier.history) e "
        "WHERE NOT EXISTS (SELECT 1 FROM history m WHERE m.district_id = e.district_id AND "
        "m.period = e.period) AND NOT EXISTS (SELECT 1 FROM snapshots m WHERE "
        "m.district_id = e.district_id AND m.period = e.period)")
    db.execute("INSERT INTO history SELECT e.* FROM earlier.history e "
               "JOIN missing USING (district_id, period)")
    db.execute(f"INSERT INTO snapshots ({SNAPSHOT}) SELECT {SNAPSHOT} FROM earlier.snapshots "
               "JOIN missing USING (district_id, period)")
    db.execute("INSERT OR IGNORE INTO bases SELECT e.* FROM earlier.bases e WHERE e.id IN "
               "(SELECT base FROM snapshots)")  # the bases of the months copied
    db.execute("DROP TABLE temp.missing")
    db.execute("INSERT OR IGNORE INTO reminders SELECT district_id, month, kind, recipients, "
               "sent_at, message_id, refused FROM earlier.reminders")


def _unique_measures(measures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for m in measures:
        seen.setdefault(m["id"], m)
    return list(seen.values())
