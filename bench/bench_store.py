"""How many bytes the store grows by, per district and month, as a school year is pulled.

    python bench/bench_store.py [--workdir DIR] [--districts 20] [--months 4]

Writes each district's workbook as of the 20th of September, October, ... (the example
generator: each month adds that month's actuals and updates, as a district's planner
does), pulls the cohort once a month in-process, and after each pull prints, per district:

- the snapshot blobs of the month as this sheetsync keeps them, and the bases it added;
- what the same snapshots took as stores before version 6 kept them (one zlib stream of the
  whole JSON, level 1), computed from the same data;
- how much the store's file grew (after a checkpoint): the blobs, History rows, pages.

Run it with an older sheetsync on PYTHONPATH to see the file of that version grow.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import zlib
from datetime import date
from pathlib import Path

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.pull.run import pull
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.template.examples import COUNTIES, QUALITIES, write_district

YEAR = SchoolYear.parse("2026-27")


def month_files(workdir: Path, n: int, as_of: date) -> Path:
    """Every district's workbook as of ``as_of`` (written once, then reused)."""
    folder = workdir / f"files-{as_of:%Y-%m}-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(1, n + 1):
        path = folder / f"d{i:04d}.xlsx"
        if not path.exists():
            write_district(path, f"KY-{i:04d}", COUNTIES[i % len(COUNTIES)], i, YEAR, as_of,
                           QUALITIES[i % len(QUALITIES)])
    return folder


def make_cohort(folder: Path, n: int) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "districts").mkdir(parents=True)
    lines = ["[cohort]", 'name = "Store benchmark"', f'school_year = "{YEAR.label}"', "",
             "[master]", 'path = "cohort_master.xlsx"', ""]
    for i in range(1, n + 1):
        lines += ["[[district]]", f'id = "KY-{i:04d}"', f'name = "District {i}"',
                  f'source = "districts/d{i:04d}.xlsx"', ""]
    (folder / "cohort.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder / "cohort.toml"


def measure(path: Path, period: str) -> dict[str, int]:
    """The month's bytes in the store at ``path``."""
    with Store(path) as store:
        db = store.db
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        blobs = db.execute("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM snapshots WHERE "
                           "period = ?", (period,)).fetchone()[0]
        bases = db.execute("SELECT COALESCE(SUM(LENGTH(data)), 0) FROM bases").fetchone()[0] \
            if "bases" in tables else 0
        old = 0
        for did, in db.execute("SELECT district_id FROM snapshots WHERE period = ? AND ok = 1",
                               (period,)).fetchall():
            data = store.snapshot(did, period).data  # type: ignore[union-attr]
            old += len(zlib.compress(json.dumps(data, separators=(",", ":"),
                                                default=str).encode(), 1))
    return {"blobs": blobs, "bases": bases, "old": old, "file": path.stat().st_size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where the workbooks are cached")
    parser.add_argument("--districts", type=int, default=20)
    parser.add_argument("--months", type=int, default=4, help="from September")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sheetsync-bench-"))
    n = args.districts
    toml = make_cohort(workdir / f"store-n{n}", n)
    store = toml.parent / ".sheetsync" / "store.sqlite"
    print(f"{n} districts, bytes per district per monthly pull")
    print(f"  {'month':<8} {'snapshots':>10} {'new bases':>10} {'together':>9} "
          f"{'as before v6':>13} {'file grew':>10}")
    last = {"bases": 0, "file": 0}
    together = old = 0.0
    for m in range(args.months):
        as_of = date(2026 + (8 + m) // 12, (8 + m) % 12 + 1, 20)
        files = month_files(workdir, n, as_of)
        for f in files.iterdir():
            shutil.copy2(f, toml.parent / "districts" / f.name)
        report = pull(load_cohort(toml), as_of)
        assert not report.failed, report.failed
        got = measure(store, f"{as_of:%Y-%m}")
        added = got["bases"] - last["bases"]
        print(f"  {as_of:%Y-%m}  {got['blobs'] / n:>10,.0f} {added / n:>10,.0f} "
              f"{(got['blobs'] + added) / n:>9,.0f} {got['old'] / n:>13,.0f} "
              f"{(got['file'] - last['file']) / n:>10,.0f}")
        together += got["blobs"] + added
        old += got["old"]
        last = got
    months = args.months
    print(f"  mean over {months} months: {together / n / months:,.0f} bytes now, "
          f"{old / n / months:,.0f} as before ({old / max(together, 1):.1f}x smaller)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
