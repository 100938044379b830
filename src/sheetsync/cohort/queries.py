"""Reading the store: every query the layers above ask of it (``Store`` inherits them)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from sheetsync.cohort.compact import Sections, base_sections, restore
from sheetsync.cohort.migrations import STATE
from sheetsync.cohort.records import Outcome, Snapshot
from sheetsync.schema.vocabulary import GOOD, NO_DATA

_GOOD_MARKS = ",".join("?" * len(GOOD))  # the statuses counted as on track or met
CARRIED = "carried_months"  # store meta: the months take_earlier brought in


class StoreReading:
    """The store's reading methods, over ``db``."""

    db: sqlite3.Connection

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
        row = self.db.execute("SELECT data, base FROM outcomes WHERE district_id = ?",
                              (district_id,)).fetchone()
        return self._unpack(*row) if row else None

    def _unpack(self, blob: bytes | None, base_id: str | None) -> dict[str, Any] | None:
        """A blob's data, read with its base (the last few kept: a base never changes)."""
        if not blob:
            return None
        base: Sections | None = None
        if base_id is not None:
            cache: dict[str, Sections] = self.__dict__.setdefault("_bases", {})
            base = cache.get(base_id)
            if base is None:
                row = self.db.execute("SELECT data FROM bases WHERE id = ?",
                                      (base_id,)).fetchone()
                if row is None:
                    raise sqlite3.DatabaseError(f"the base {base_id} of a blob is missing")
                if len(cache) >= 64:
                    cache.clear()
                base = cache[base_id] = base_sections(row[0])
        return restore(blob, base)

    def district_ids(self) -> list[str]:
        """Every district the store has a latest read (or failure) of."""
        return [r[0] for r in self.db.execute(
            "SELECT district_id FROM outcomes ORDER BY district_id")]

    def outcomes(self, district_ids: list[str] | None = None,
                 data: bool = True) -> Iterator[Outcome]:
        """The latest outcome of each district (in ``district_ids`` order when given);
        without ``data``, its snapshot is not unpacked (``data`` is ``{}`` when there is
        one, for what needs only to know that)."""
        cols = ", ".join(_OUTCOME)
        for district_id in self.district_ids() if district_ids is None else district_ids:
            r = self.db.execute(f"SELECT {cols} FROM outcomes WHERE district_id = ?",
                                (district_id,)).fetchone()
            if r is not None:
                yield self.outcome_of(dict(zip(_OUTCOME, r, strict=True)), data)

    def outcome_of(self, row: dict[str, Any], data: bool = True) -> Outcome:
        """The ``Outcome`` of a district's outcome row (``stored_outcomes``; ``data`` as
        for ``outcomes``)."""
        snapshot = self._unpack(row["data"], row["base"]) if data or row["data"] is None \
            else {}
        return Outcome(**{**{k: row[k] for k in _OUTCOME if k != "base"},
                          "ok": bool(row["ok"]), "kept": bool(row["kept"]), "data": snapshot,
                          "summary": json.loads(row["summary"]) if row["summary"] else None,
                          "findings": json.loads(row["findings"]) if row["findings"] else []})

    def stored_outcomes(self, district_ids: list[str]) -> Iterator[dict[str, Any]]:
        """Each district's latest outcome row as stored, every column by name, nothing
        unpacked (``district_ids`` order; none for a district without one): what a cache
        of its rows keys on. Read a batch of districts at a time."""
        for batch in _batches(district_ids):
            cursor = self.db.execute("SELECT * FROM outcomes WHERE district_id IN "
                                     f"({','.join('?' * len(batch))})", batch)
            names = [d[0] for d in cursor.description]
            at = names.index("district_id")
            found = {row[at]: row for row in cursor}
            for district_id in batch:
                if district_id in found:
                    yield dict(zip(names, found[district_id], strict=True))

    def history(self, district_ids: list[str], periods: list[str] | None = None,
                measure_id: str | None = None) -> Iterator[tuple[Any, ...]]:
        """One row per district, measure and month, in cohort order (only ``periods``, e.g.
        one school year's months, when given; only one measure when given), ending with
        why that month's read failed (None: it did not, or no snapshot). Read a batch of
        districts at a time (the reasons apart: a join per row costs more than the rows)."""
        months, args = _within(periods, "period")
        where, measure = (months, args) if measure_id is None else \
            (months + " AND measure_id = ?", [*args, measure_id])
        for batch in _batches(district_ids):
            marks = ",".join("?" * len(batch))
            reasons = {(d, p): reason for d, p, reason in self.db.execute(
                f"SELECT district_id, period, reason FROM snapshots WHERE district_id IN "
                f"({marks}){months} AND reason IS NOT NULL", (*batch, *args))}
            rows: Iterable[tuple[Any, ...]] = self.db.execute(
                "SELECT district_id, measure_id, period, goal_id, latest_period, latest_actual, "
                f"expected, progress, status, NULL FROM history WHERE district_id IN ({marks})"
                f"{where} ORDER BY district_id, measure_id, period", (*batch, *measure))
            if reasons:
                rows = ((*row[:-1], reasons.get((row[0], row[2]))) for row in rows)
            by_district = {d: list(found) for d, found in groupby(rows, itemgetter(0))}
            for district_id in batch:
                yield from by_district.get(district_id, ())

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

    def history_counts(self, district_ids: list[str],
                       periods: list[str] | None = None) -> dict[str, int]:
        """How many History rows each month has (only ``periods`` when given): what the
        master needs to know before it streams them, to keep within Excel's row limit."""
        marks = ",".join("?" * len(district_ids))
        where, args = _within(periods, "period")
        return dict(self.db.execute(
            f"SELECT period, COUNT(*) FROM history WHERE district_id IN ({marks}){where} "
            "GROUP BY period ORDER BY period", [*district_ids, *args]))

    def pulls(self, periods: list[str] | None = None) -> list[dict[str, Any]]:
        """Every pull recorded, oldest first (only those of ``periods`` when given)."""
        where, args = _within(periods, "period")
        keys = ("pulled_at", "as_of", "period", "districts", "read", "reused", "failed",
                "master_written")
        rows = self.db.execute(f"SELECT {', '.join(keys)} FROM pulls WHERE 1 = 1{where} "
                               "ORDER BY id", args)
        return [{**dict(zip(keys, r, strict=True)), "master_written": bool(r[-1])}
                for r in rows]

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
        row = self.db.execute("SELECT as_of, ok, reason, data, base FROM snapshots "
                              "WHERE district_id = ? AND period = ?",
                              (district_id, period)).fetchone()
        if row is None:
            return None
        as_of, ok, reason, blob, base = row
        return Snapshot(as_of=as_of, ok=bool(ok), reason=reason,
                        data=self._unpack(blob, base) if ok else None)

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

    def months(self, district_id: str | None = None) -> list[str]:
        """The months the store holds (History rows or snapshots), oldest first."""
        where, args = ("WHERE district_id = ?", [district_id]) if district_id else ("", [])
        return [r[0] for r in self.db.execute(
            f"SELECT period FROM snapshots {where} UNION SELECT period FROM history {where} "
            "ORDER BY period", args * 2)]

    def carried(self) -> set[str]:
        """The months an earlier year's store was carried into this one with (rollover):
        a pull never replaces them."""
        return set(json.loads(self.meta(CARRIED) or "[]"))


_OUTCOME = ("district_id", "name", "source", "ok", "pulled_at", "as_of", "settings", "reason",
            "token", "sha256", "modified", "read_at", "data", "summary", "findings", "kept",
            "base")  # an Outcome's columns, and its snapshot's base
BATCH = 250  # districts a query reads at once (well within SQLite's 999 parameters)


def _batches(district_ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(district_ids), BATCH):
        yield district_ids[i:i + BATCH]


def _within(periods: list[str] | None, column: str) -> tuple[str, list[str]]:
    """An SQL condition keeping ``column`` within ``periods`` (none when ``periods`` is None)."""
    if periods is None:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(periods))})", list(periods)


def address_key(recipient: str) -> str:
    """``Jane Doe <jane@x.org>`` as ``jane@x.org`` (lower case), to compare recipients."""
    return recipient.rsplit("<", 1)[-1].rstrip(">").strip().lower()
