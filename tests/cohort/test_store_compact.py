"""The compact store: each district's months kept as their difference from a base of its
own (``cohort.compact``), old stores rewritten by migration step 6, no base left unused."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zlib
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort import compact
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import SCHEMA_VERSION, Store
from sheetsync.pull.run import pull
from tests.stores import older_store

NEXT_MONTH = date(2027, 2, 18)


def store_of(folder: Path) -> Path:
    return folder / ".sheetsync" / "store.sqlite"


def every_blob(path: Path) -> dict[tuple[str, str], dict[str, Any] | None]:
    """Each snapshot's and latest read's data, as the store hands them out."""
    with Store(path) as store:
        months = store.db.execute("SELECT district_id, period FROM snapshots").fetchall()
        out = {(did, period): store.snapshot(did, period).data  # type: ignore[union-attr]
               for did, period in months}
        out.update({(o.district_id, "latest"): o.data for o in store.outcomes()})
    return out


def bases_in_use(path: Path) -> tuple[set[str], set[str]]:
    """The bases the store holds, and those its blobs name."""
    with sqlite3.connect(path) as db:
        held = {r[0] for r in db.execute("SELECT id FROM bases")}
        named = {r[0] for r in db.execute("SELECT base FROM snapshots WHERE base IS NOT NULL "
                                          "UNION SELECT base FROM outcomes WHERE base IS NOT "
                                          "NULL")}
    return held, named


def test_a_read_comes_back_as_it_went_in(pulled_dir: Path) -> None:
    with Store(store_of(pulled_dir)) as store:
        data = store.data("KY-003")
    assert data and set(data) == {"card", "read_findings", "result"}
    secs = compact.sections(data)
    _, base = compact.base_blob(secs)
    assert compact.restore(compact.delta(secs, secs), compact.base_sections(base)) == data
    assert len(compact.delta(secs, secs)) < 1000  # nothing changed: the paths only
    changed = json.loads(json.dumps(data))
    changed["card"]["measures"][0]["name"] = "Renamed"
    changed["result"]["new part"] = [1, 2]
    changed["card"].pop("needs")
    blob = compact.delta(compact.sections(changed), compact.base_sections(base))
    assert compact.restore(blob, compact.base_sections(base)) == changed
    assert len(blob) * 5 < len(base)  # one name changed: a small part of the base
    assert compact.restore(compact.delta(compact.sections({}), secs), secs) == {}
    legacy = zlib.compress(json.dumps(data).encode())  # as stores before version 6 kept it
    assert compact.restore(legacy, None) == data
    with pytest.raises(ValueError, match="without it"):
        compact.restore(blob, None)


def test_a_second_month_costs_a_fraction_of_the_first(pulled_dir: Path) -> None:
    path = store_of(pulled_dir)
    with sqlite3.connect(path) as db:
        first = db.execute("SELECT SUM(LENGTH(data)) FROM snapshots").fetchone()[0]
        bases = db.execute("SELECT SUM(LENGTH(data)) FROM bases").fetchone()[0]
    assert first * 5 < bases  # the first month: a base each, and blobs naming it
    before = every_blob(path)
    pull(load_cohort(pulled_dir / "cohort.toml"), NEXT_MONTH)  # statuses of another day
    with sqlite3.connect(path) as db:
        second = db.execute("SELECT SUM(LENGTH(data)) FROM snapshots WHERE period = '2027-02'"
                            ).fetchone()[0]
        assert db.execute("SELECT SUM(LENGTH(data)) FROM bases").fetchone()[0] == bases
    assert second * 3 < bases  # the same files, statuses of another day: no new base
    after = every_blob(path)
    assert {k: v for k, v in after.items() if k[1] == "2027-01"} == \
        {k: v for k, v in before.items() if k[1] == "2027-01"}
    assert all(after[(did, "latest")]["result"]["as_of"] == "2027-02-18"  # type: ignore[index]
               for did, _ in after)
    held, named = bases_in_use(path)
    assert held == named


def test_an_old_store_is_rewritten_compact_and_reads_the_same(pulled_dir: Path,
                                                              tmp_path: Path) -> None:
    """A store of version 5 (each blob one zlib stream of its JSON) opens, is migrated,
    and hands out what it held; a pull goes on from it."""
    held = every_blob(store_of(pulled_dir))
    folder = tmp_path / "old"
    old = older_store(store_of(folder), 5)
    new = sqlite3.connect(store_of(pulled_dir))
    db = sqlite3.connect(old)
    for table in ("outcomes", "snapshots", "history", "pulls", "meta"):
        names = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        rows = new.execute(f"SELECT {', '.join(names)} FROM {table}").fetchall()
        if table == "meta":
            rows = [r for r in rows if r[0] != "schema_version"]
        db.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                       f"({', '.join('?' * len(names))})", rows)
    for (did, period), data in held.items():  # the blobs as version 5 wrote them
        blob = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)
        if period == "latest":
            db.execute("UPDATE outcomes SET data = ? WHERE district_id = ?", (blob, did))
        else:
            db.execute("UPDATE snapshots SET data = ? WHERE district_id = ? AND period = ?",
                       (blob, did, period))
    db.commit()
    before = db.execute("SELECT SUM(LENGTH(data)) FROM snapshots").fetchone()[0]
    db.close()
    new.close()
    with Store(old) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION) == "6"
        blobs = store.db.execute("SELECT data FROM snapshots UNION ALL SELECT data FROM "
                                 "outcomes").fetchall()
        assert all(b[0].startswith(compact.DELTA) for b in blobs)
        after = store.db.execute("SELECT SUM(LENGTH(data)) FROM snapshots").fetchone()[0]
    assert after * 5 < before
    assert every_blob(old) == held
    for name in ("cohort.toml", "districts"):
        (shutil.copytree if name == "districts" else shutil.copy)(pulled_dir / name,
                                                                 folder / name)
    report = pull(load_cohort(folder / "cohort.toml"), NEXT_MONTH)
    assert not report.failed and report.totals()["reused"] == 6  # same files: not read again


def test_no_base_is_left_without_a_blob_or_a_blob_without_its_base(pulled_dir: Path) -> None:
    path = store_of(pulled_dir)
    cohort = pulled_dir / "cohort.toml"
    pull(load_cohort(cohort), NEXT_MONTH)
    with Store(path) as store, store.transaction():  # every district's read made new
        for o in list(store.outcomes()):
            data = {**o.data, "noise": os.urandom(40_000).hex()}  # type: ignore[dict-item]
            store.save(replace(o, data=data), "2027-02")
    held, named = bases_in_use(path)
    assert held == named and len(held) == 12  # January's bases, and February's
    result = CliRunner().invoke(main, ["history", "drop", "--month", "2027-01", "--cohort",
                                       str(cohort)])
    assert result.exit_code == 0, result.output
    held, named = bases_in_use(path)
    assert held == named and len(held) == 6  # January's went with its months
