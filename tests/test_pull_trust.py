"""The pull keeps what it knew: good months survive failed reads, wrong or older files are
named (identity findings), dates outside the year are refused, read-only places are said."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from sheetsync.cohort import load_cohort
from sheetsync.pull import pull

from .conftest import AS_OF
from .test_pull import sheet_values


@pytest.fixture
def cohort_dir(examples: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "cohort"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    return folder


def store_rows(folder: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(folder / ".sheetsync" / "store.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def trend(folder: Path) -> list[tuple]:
    return store_rows(folder, "SELECT period, SUM(status IN ('On Track', 'Met')), "
                              "SUM(status != 'No Data') FROM history GROUP BY period")


def summary_rows(folder: Path) -> dict[str, dict[str, object]]:
    rows = sheet_values(folder / "cohort_master.xlsx")["Summary"]
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:] if r[0]}


def history_notes(folder: Path, district_id: str) -> set[object]:
    rows = sheet_values(folder / "cohort_master.xlsx")["History"]
    note = rows[0].index("Note")
    return {r[note] for r in rows[1:] if r[0] == district_id}


# -- the store never loses a good month ----------------------------------------------------

def test_a_half_copied_file_keeps_its_good_month_and_the_trend(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    before_trend = trend(cohort_dir)
    before_rows = store_rows(cohort_dir, "SELECT COUNT(*) FROM history WHERE "
                                         "district_id = 'KY-001'")
    adair = cohort_dir / "districts" / "adair.xlsx"
    good = adair.read_bytes()
    adair.write_bytes(good[:3000])  # half-copied
    report = pull(cohort, AS_OF)
    row = next(d for d in report.districts if d["id"] == "KY-001")
    assert not row["ok"] and "damaged or incomplete" in row["reason"]
    assert row["stale"].startswith("stale: last good read ")
    assert "this pull failed: " in row["stale"]
    assert trend(cohort_dir) == before_trend
    assert store_rows(cohort_dir, "SELECT COUNT(*) FROM history WHERE "
                                  "district_id = 'KY-001'") == before_rows
    summary = summary_rows(cohort_dir)["KY-001"]
    assert summary["Read Status"] == "Stale"
    assert str(summary["Reason"]).startswith("stale: last good read ")
    assert summary["Measures"] == 24 and summary["On Track"] is not None
    assert {str(n)[:22] for n in history_notes(cohort_dir, "KY-001")} == \
        {"stale: last good read "}
    adair.write_bytes(good + b"")  # fixed: read again, no longer stale
    adair.touch()
    report = pull(cohort, AS_OF)
    assert next(d for d in report.districts if d["id"] == "KY-001")["ok"]
    assert summary_rows(cohort_dir)["KY-001"]["Read Status"] == "OK"
    assert history_notes(cohort_dir, "KY-001") == {None}


def test_a_failed_read_in_a_new_month_keeps_the_earlier_months(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    january = store_rows(cohort_dir, "SELECT * FROM history WHERE district_id = 'KY-002'")
    (cohort_dir / "districts" / "barren.xlsx").write_bytes(b"not a workbook")
    pull(cohort, date(2027, 2, 20))
    assert store_rows(cohort_dir, "SELECT * FROM history WHERE district_id = 'KY-002' "
                                  "AND period = '2027-01'") == january
    assert summary_rows(cohort_dir)["KY-002"]["Read Status"] == "Stale"
