"""The master is a function of the store and the cohort file: it records what it was built
from, any pull whose store or cohort file differs writes it again, it is never written with
fewer districts or months than it shows unless asked, and the pull's row says it was
written only when it was."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import BinaryIO

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import EXIT_MASTER_LOCKED, main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.master import package
from sheetsync.master.build import MASTER_STAMP, is_current, read_stamp, stamp_of
from sheetsync.pull.run import LAST_PULL, pull
from tests.helpers import AS_OF

PULL = ("pull", "--as-of", "2027-01-20", "--any-date")


@pytest.fixture
def cohort_dir(pulled_dir: Path) -> Path:
    """The example cohort pulled once (its store, a master), copied for this test."""
    return pulled_dir


def run(folder: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--cohort", str(folder / "cohort.toml")],
                              catch_exceptions=False)


def master_ids(folder: Path) -> list[str]:
    ws = openpyxl.load_workbook(folder / "cohort_master.xlsx", read_only=True)["Summary"]
    return [r[0] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]]


def history_rows(folder: Path) -> int:
    ws = openpyxl.load_workbook(folder / "cohort_master.xlsx", read_only=True)["History"]
    return sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[0])


def pull_rows(folder: Path) -> list[tuple]:
    db = sqlite3.connect(folder / ".sheetsync" / "store.sqlite")
    try:
        return db.execute("SELECT id, master_written FROM pulls ORDER BY id").fetchall()
    finally:
        db.close()


def half_saved(folder: Path) -> str:
    """cohort.toml saved half-way: its last three districts cut off; the whole text."""
    path = folder / "cohort.toml"
    whole = path.read_text(encoding="utf-8")
    blocks = whole.split("\n[[district]]")
    path.write_text("\n[[district]]".join(blocks[:4]) + "\n", encoding="utf-8")
    return whole


def test_the_master_records_the_store_and_cohort_file_it_was_built_from(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    with Store(cohort.store_path) as store:
        assert read_stamp(cohort.master_path) == stamp_of(cohort, store)
    stamp = read_stamp(cohort.master_path)
    assert stamp is not None and stamp.districts == 6 and stamp.months == 6


def test_the_store_keeps_the_stamp_it_wrote_and_a_store_without_it_reads_the_file(
        cohort_dir):
    """The stamp kept with the master's SHA-256 is the file's; a store written before it
    was kept (none) reads the file's stamp and counts the store, and answers alike."""
    cohort = load_cohort(cohort_dir / "cohort.toml")
    with Store(cohort.store_path) as store:
        kept = json.loads(store.meta(MASTER_STAMP) or "{}")
        assert kept == vars(read_stamp(cohort.master_path)) == vars(stamp_of(cohort, store))
        assert is_current(cohort, store)
        with store.transaction():
            store.db.execute("DELETE FROM meta WHERE key = ?", (MASTER_STAMP,))
        assert is_current(cohort, store)
        with store.transaction():
            store.set_meta(MASTER_STAMP, json.dumps({**kept, "store": "another"}))
        assert not is_current(cohort, store)
    (cohort_dir / "cohort.toml").write_text(  # a district renamed: another cohort hash
        (cohort_dir / "cohort.toml").read_text(encoding="utf-8").replace(
            'name = "', 'name = "The ', 1), encoding="utf-8")
    with Store(cohort.store_path) as store:
        assert not is_current(load_cohort(cohort_dir / "cohort.toml"), store)


def test_a_half_saved_cohort_file_does_not_shrink_the_master_and_is_said(cohort_dir):
    ids = master_ids(cohort_dir)
    rows = history_rows(cohort_dir)
    whole = half_saved(cohort_dir)
    result = run(cohort_dir, *PULL)
    assert result.exit_code == EXIT_MASTER_LOCKED, result.output
    for gone in ids[3:]:
        assert (f"{gone} is no longer in cohort.toml: its months stay in the store; "
                f"`sheetsync history drop --district {gone}` removes them.") in result.output
    assert "was not written again: it shows 6 districts" in result.output
    assert "`sheetsync master rebuild --force`" in result.output
    assert "Traceback" not in result.output
    assert master_ids(cohort_dir) == ids and history_rows(cohort_dir) == rows
    assert pull_rows(cohort_dir)[-1][1] == 0  # the pull's row: the master was not written
    (cohort_dir / "cohort.toml").write_text(whole, encoding="utf-8")
    again = run(cohort_dir, *PULL)
    assert again.exit_code == 0, again.output
    assert "the master is up to date" in again.output  # and it is: it shows all six
    assert master_ids(cohort_dir) == ids


def test_a_master_written_smaller_on_purpose_is_written_whole_when_the_file_is(cohort_dir):
    ids = master_ids(cohort_dir)
    rows = history_rows(cohort_dir)
    whole = half_saved(cohort_dir)
    forced = run(cohort_dir, "master", "rebuild", "--force")
    assert forced.exit_code == 0, forced.output
    assert master_ids(cohort_dir) == ids[:3]
    (cohort_dir / "cohort.toml").write_text(whole, encoding="utf-8")
    again = run(cohort_dir, *PULL)  # nothing to read again: only the cohort file changed
    assert again.exit_code == 0, again.output
    assert "Master written" in again.output and "up to date" not in again.output
    assert master_ids(cohort_dir) == ids and history_rows(cohort_dir) == rows


def test_a_cohort_file_with_no_districts_leaves_the_master_as_it_is(cohort_dir):
    path = cohort_dir / "cohort.toml"
    path.write_text(path.read_text(encoding="utf-8").split("\n[[district]]")[0] + "\n",
                    encoding="utf-8")
    report = pull(load_cohort(path), AS_OF)
    assert not report.master_written
    assert report.master_error and "was not written again" in report.master_error
    assert len(report.notes) == 6
    assert len(master_ids(cohort_dir)) == 6


def test_a_store_started_afresh_does_not_empty_the_master(cohort_dir):
    """The store moved away (or lost): the next pull starts a new one, which holds only
    this month; the master keeps every month it shows until asked."""
    assert run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date").exit_code == 0
    rows = history_rows(cohort_dir)
    shutil.rmtree(cohort_dir / ".sheetsync")
    result = run(cohort_dir, *PULL)
    assert result.exit_code == EXIT_MASTER_LOCKED, result.output
    assert "it shows 6 districts and 12 months of History" in result.output
    assert "now gives 6 and 6" in result.output
    assert len(master_ids(cohort_dir)) == 6 and history_rows(cohort_dir) == rows


def test_an_older_master_put_back_is_written_again(cohort_dir):
    old = (cohort_dir / "cohort_master.xlsx").read_bytes()
    result = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert result.exit_code == 0 and "Master written" in result.output
    (cohort_dir / "cohort_master.xlsx").write_bytes(old)  # a sync client brings it back
    again = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert again.exit_code == 0, again.output
    assert "Master written" in again.output and "up to date" not in again.output
    assert (cohort_dir / "cohort_master.xlsx").read_bytes() != old


def test_a_full_disk_under_the_master_is_said_and_the_pull_row_is_truthful(
        cohort_dir, monkeypatch):
    master = cohort_dir / "cohort_master.xlsx"
    old = master.read_bytes()
    real_write = package._write_zip

    class FillsUp:  # the disk fills after 20 kB of the master's zip
        def __init__(self, out: BinaryIO) -> None:
            self.out, self.written = out, 0

        def write(self, data: bytes) -> int:
            self.written += len(data)
            if self.written > 20_000:
                raise OSError(28, "No space left on device")
            return self.out.write(data)

    monkeypatch.setattr(package, "_write_zip",
                        lambda out, members: real_write(FillsUp(out), members))
    result = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert result.exit_code == EXIT_MASTER_LOCKED, result.output
    assert "No space left on device" in result.output and "disk may be full" in result.output
    assert "The pull was saved" in result.output and "Traceback" not in result.output
    assert master.read_bytes() == old  # the master there stays whole
    assert not list(cohort_dir.glob(".cohort_master.*"))  # no half-written file left
    assert pull_rows(cohort_dir)[-1][1] == 0
    monkeypatch.undo()
    again = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert again.exit_code == 0 and "Master written" in again.output, again.output
    assert pull_rows(cohort_dir)[-1][1] == 1


def full_after_commit(monkeypatch, method: str, key: str | None = None) -> None:
    """The disk fills once the pull's rows are saved: the store's ``method`` (for meta
    ``key`` only, when given) fails as SQLite fails on a full disk."""
    real = getattr(Store, method)

    def fails(self, *args):
        if key is None or args[0] == key:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, *args)

    monkeypatch.setattr(Store, method, fails)


def test_a_disk_full_when_the_master_is_recorded_says_the_pull_was_saved(
        cohort_dir, monkeypatch):
    before = pull_rows(cohort_dir)
    full_after_commit(monkeypatch, "master_written")
    result = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert result.exit_code == EXIT_MASTER_LOCKED, result.output
    assert "could not record it (the disk may be full)" in result.output
    assert "The pull was saved" in result.output and "nothing of this run" not in result.output
    assert len(pull_rows(cohort_dir)) == len(before) + 1  # the pull is saved
    assert pull_rows(cohort_dir)[-1][1] == 0  # and does not say the master was written
    assert openpyxl.load_workbook(cohort_dir / "cohort_master.xlsx", read_only=True)
    monkeypatch.undo()
    again = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert again.exit_code == 0 and "Master written" in again.output, again.output
    assert pull_rows(cohort_dir)[-1][1] == 1


def test_a_disk_full_when_the_summary_is_saved_keeps_the_pull(cohort_dir, monkeypatch):
    before = pull_rows(cohort_dir)
    full_after_commit(monkeypatch, "set_meta", LAST_PULL)
    result = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert result.exit_code == 0, result.output
    assert "The pull was saved, but" in result.output and "the next pull saves it" in \
        result.output
    assert len(pull_rows(cohort_dir)) == len(before) + 1
    assert pull_rows(cohort_dir)[-1][1] == 1  # the master was written and recorded


def test_a_locked_master_leaves_the_pull_row_saying_not_written(cohort_dir):
    (cohort_dir / ".~lock.cohort_master.xlsx#").write_text("someone")
    result = run(cohort_dir, "pull", "--as-of", "2026-12-31", "--any-date")
    assert result.exit_code == EXIT_MASTER_LOCKED
    assert pull_rows(cohort_dir)[-1][1] == 0


def test_a_month_dropped_comes_back_with_the_next_pull_of_it(cohort_dir):
    """Found by the property test: files unchanged since, the month was not recorded."""
    assert run(cohort_dir, "history", "drop", "--month", "2027-01").exit_code == 0
    assert history_rows(cohort_dir) == 0
    result = run(cohort_dir, *PULL)
    assert result.exit_code == 0, result.output
    with Store(cohort_dir / ".sheetsync" / "store.sqlite") as store:
        assert store.months() == ["2027-01"]
    assert history_rows(cohort_dir) > 0


# -- one as-of per snapshot; the same districts counted everywhere -------------------------


def summary(folder: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(folder / "cohort_master.xlsx", read_only=True)["Summary"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:] if r[0]}


def test_a_stale_row_shows_the_last_good_read_of_its_month(cohort_dir):
    """January pulled; October back-filled (--as-of); a January pull in which one file is
    half-copied: the row shows January's numbers, as History's January rows do."""
    numbers = ("On Track", "At Risk", "Off Track", "Met", "Not Met", "No Data",
               "Update This Month", "Late or Missing Updates", "Measures")
    january = summary(cohort_dir)["KY-001"]
    assert run(cohort_dir, "pull", "--as-of", "2026-10-31").exit_code == 0
    october = summary(cohort_dir)["KY-001"]
    assert {k: october[k] for k in numbers} != {k: january[k] for k in numbers}
    adair = cohort_dir / "districts" / "adair.xlsx"
    adair.write_bytes(adair.read_bytes()[:3000])  # half-copied
    result = run(cohort_dir, *PULL)
    assert result.exit_code == 3, result.output
    row = summary(cohort_dir)["KY-001"]
    assert row["Read Status"] == "Stale"
    assert {k: row[k] for k in numbers} == {k: january[k] for k in numbers}


def test_a_stale_row_without_a_good_read_this_month_says_its_date(cohort_dir):
    assert run(cohort_dir, "pull", "--as-of", "2026-10-31").exit_code == 0
    adair = cohort_dir / "districts" / "adair.xlsx"
    adair.write_bytes(adair.read_bytes()[:3000])
    result = run(cohort_dir, "pull", "--as-of", "2026-11-30", "--json")
    assert result.exit_code == 3
    row = summary(cohort_dir)["KY-001"]
    assert "(its numbers as of 2026-10-31)" in str(row["Reason"])
    data = json.loads(result.output)
    stale = next(d for d in data["districts"] if d["id"] == "KY-001")
    assert "(its numbers as of 2026-10-31)" in stale["stale"]


def test_cli_totals_json_and_the_master_count_the_same_districts(cohort_dir):
    adair = cohort_dir / "districts" / "adair.xlsx"
    adair.write_bytes(adair.read_bytes()[:3000])  # stale: shown with its last good read
    result = run(cohort_dir, *PULL, "--json")
    assert result.exit_code == 3
    totals = json.loads(result.output)["totals"]
    rows = summary(cohort_dir).values()
    for status, count in totals["measures"].items():
        assert count == sum(r[status] or 0 for r in rows), status
    assert totals["districts"] == len(rows)


def test_force_is_reread_and_any_date_and_says_so(cohort_dir):
    result = run(cohort_dir, "pull", "--as-of", "2027-01-20", "--force")
    assert result.exit_code == 0, result.output
    assert "--force is --reread --any-date; say which you mean next time." in result.output
    assert "6 read, 0 unchanged" in result.output  # read again: --reread
    refused = run(cohort_dir, "pull", "--as-of", "2025-01-31", "--reread")  # not --any-date
    assert refused.exit_code == 2 and "is outside the cohort's school year" in refused.output


@pytest.mark.parametrize("harm", ["truncated", "damaged", "empty"])
def test_a_harmed_master_is_written_again_from_the_store(cohort_dir, harm):
    master = cohort_dir / "cohort_master.xlsx"
    data = master.read_bytes()
    master.write_bytes({"truncated": data[: len(data) // 2],
                        "damaged": data[:100] + bytes(2000) + data[2100:],
                        "empty": b""}[harm])
    result = run(cohort_dir, *PULL)  # nothing to read again: only the master is wrong
    assert result.exit_code == 0, result.output
    assert "Master written" in result.output and "up to date" not in result.output
    assert len(master_ids(cohort_dir)) == 6
