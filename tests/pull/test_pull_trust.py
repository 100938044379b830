"""The pull keeps what it knew: good months survive failed reads, wrong or older files are
named (identity findings), dates outside the year are refused, read-only places are said."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import EXIT_DISTRICTS_FAILED, EXIT_MASTER_LOCKED, main
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import as_of_problem, pull
from tests.helpers import AS_OF
from tests.pull.test_pull import add_district, sheet_values
from tests.stores import older_store


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


# -- identity ---------------------------------------------------------------------------------

def issues(folder: Path) -> set[tuple[object, ...]]:
    return {(r[0], r[3], r[4]) for r in sheet_values(folder / "cohort_master.xlsx")["Issues"]}


def district(report, district_id: str) -> dict:
    return next(d for d in report["districts"] if d["id"] == district_id)


def pull_json(folder: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["pull", "--cohort", str(folder / "cohort.toml"),
                                       "--as-of", "2027-01-20", "--force", "--json", *args])
    return result.exit_code, json.loads(result.output)


def test_a_workbook_naming_another_district_is_not_pulled_under_the_entry_id(cohort_dir):
    shutil.copy(cohort_dir / "districts" / "adair.xlsx", cohort_dir / "districts" / "x.xlsx")
    add_district(cohort_dir, "X-9", "districts/x.xlsx")  # its profile says KY-001
    code, report = pull_json(cohort_dir)
    assert code == EXIT_DISTRICTS_FAILED
    row = district(report, "X-9")
    assert not row["ok"] and "names district KY-001" in row["reason"]
    assert [(f["code"], f["severity"], f["cell"]) for f in row["findings"]] == \
        [("district-id-mismatch", "error", "B4")]
    assert ("X-9", "error", "district-id-mismatch") in issues(cohort_dir)
    measures = sheet_values(cohort_dir / "cohort_master.xlsx")["Measures"]
    assert not [r for r in measures if r[0] == "X-9"]


def test_two_entries_on_one_file_are_not_both_pulled(cohort_dir):
    add_district(cohort_dir, "X-8", "districts/../districts/adair.xlsx")  # KY-001's file
    code, report = pull_json(cohort_dir)
    assert code == EXIT_DISTRICTS_FAILED
    owner, other = district(report, "KY-001"), district(report, "X-8")
    assert owner["ok"] and [(f["code"], f["severity"]) for f in owner["findings"]] == \
        [("shared-source", "warning")]
    assert not other["ok"]
    assert {f["code"] for f in other["findings"]} == {"district-id-mismatch", "shared-source"}
    found = issues(cohort_dir)
    assert ("KY-001", "warning", "shared-source") in found
    assert ("X-8", "error", "shared-source") in found


def test_two_entries_on_a_file_that_names_neither_pull_neither(cohort_dir):
    target = cohort_dir / "districts" / "adair.xlsx"
    wb = openpyxl.load_workbook(target)
    wb["District Profile"]["B4"] = None
    wb.save(target)
    add_district(cohort_dir, "X-8", "districts/adair.xlsx")
    _, report = pull_json(cohort_dir)
    for did in ("KY-001", "X-8"):
        row = district(report, did)
        assert not row["ok"] and [f["code"] for f in row["findings"]] == ["shared-source"]


def test_an_older_copy_does_not_roll_history_back(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    history = store_rows(cohort_dir, "SELECT * FROM history ORDER BY 1, 2, 3")
    target = cohort_dir / "districts" / "barren.xlsx"
    modified = target.stat().st_mtime
    shutil.copy2(target, cohort_dir / "newer.xlsx")
    wb = openpyxl.load_workbook(target)
    wb["Goals"]["E5"] = "An older statement"
    wb.save(target)
    os.utime(target, (modified - 86400, modified - 86400))  # a copy from the day before
    report = pull(cohort, AS_OF)
    row = next(d for d in report.districts if d["id"] == "KY-002")
    assert row["ok"] and [f["code"] for f in row["findings"]] == ["source-older"]
    assert row["stale"].startswith("stale: kept the read of ")
    assert store_rows(cohort_dir, "SELECT * FROM history ORDER BY 1, 2, 3") == history
    assert ("KY-002", "warning", "source-older") in issues(cohort_dir)
    assert summary_rows(cohort_dir)["KY-002"]["Read Status"] == "Stale"
    goals = sheet_values(cohort_dir / "cohort_master.xlsx")["Goals"]
    assert "An older statement" not in {r[4] for r in goals}
    older = cohort_dir / "older.xlsx"
    shutil.copy2(target, older)
    shutil.copy2(cohort_dir / "newer.xlsx", target)  # the newer file back: not stale
    report = pull(cohort, AS_OF)
    assert not next(d for d in report.districts if d["id"] == "KY-002")["findings"]
    assert summary_rows(cohort_dir)["KY-002"]["Read Status"] == "OK"
    shutil.copy2(older, target)
    code, again = pull_json(cohort_dir, "--accept-older")
    assert code == 0 and not district(again, "KY-002")["findings"]
    goals = sheet_values(cohort_dir / "cohort_master.xlsx")["Goals"]
    assert "An older statement" in {r[4] for r in goals}


def test_a_file_whose_latest_month_went_back_is_older(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    target = cohort_dir / "districts" / "adair.xlsx"
    wb = openpyxl.load_workbook(target)
    ws = wb["Measures"]
    later = {"Actual Dec 2026", "Actual Jan 2027", "Actual Feb 2027", "Actual Mar 2027"}
    for column in ws.iter_cols(min_row=4, max_row=ws.max_row):
        if column[0].value in later:  # the latest months' actuals were not in this copy
            for cell in column[1:]:
                cell.value = None
    wb.save(target)
    report = pull(cohort, AS_OF)
    row = next(d for d in report.districts if d["id"] == "KY-001")
    assert [f["code"] for f in row["findings"]] == ["source-older"]
    assert "latest month with actuals is 2026-11, but the last pull had actuals up to " \
        "2026-12" in row["findings"][0]["message"]


def test_last_years_workbook_is_not_read_as_valid(cohort_dir, make_workbook):
    made = make_workbook("last-year.xlsx", profile={"district_id": "X-7"}, year="2025-26")
    shutil.copy(made, cohort_dir / "districts" / "last-year.xlsx")
    add_district(cohort_dir, "X-7", "districts/last-year.xlsx")
    _, report = pull_json(cohort_dir)
    row = district(report, "X-7")
    assert not row["ok"] and row.get("Not Met") is None
    assert [f["code"] for f in row["findings"]] == ["wrong-school-year"]
    assert "school year 2025-26" in row["reason"] and "2026-27" in row["reason"]


# -- dates outside the year, and dropping a month on purpose --------------------------------

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_an_as_of_outside_the_school_year_is_refused(cohort_dir):
    result = run("pull", "--cohort", str(cohort_dir / "cohort.toml"), "--as-of", "2025-01-31")
    assert result.exit_code == 2
    assert "--as-of 2025-01-31 is outside the cohort's school year 2026-27" in result.output
    assert "--force" in result.output and "Traceback" not in result.output
    assert not (cohort_dir / ".sheetsync").exists()  # refused before any work


def test_an_as_of_after_today_is_refused():
    cohort = load_cohort_text('[cohort]\nname = "x"\nschool_year = "2026-27"\n')
    problem = as_of_problem(cohort, date(2027, 1, 20), today=date(2027, 1, 10))
    assert problem and "is after today (2027-01-10)" in problem
    assert as_of_problem(cohort, date(2027, 1, 10), today=date(2027, 1, 10)) is None


def load_cohort_text(text: str):
    folder = Path(tempfile.mkdtemp())
    (folder / "cohort.toml").write_text(text)
    return load_cohort(folder / "cohort.toml")


def test_a_month_pulled_by_mistake_is_dropped_on_purpose(cohort_dir):
    toml = str(cohort_dir / "cohort.toml")
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    before = trend(cohort_dir)
    forced = run("pull", "--cohort", toml, "--as-of", "2025-01-31", "--force")
    assert forced.exit_code == 0, forced.output
    assert {r[0] for r in trend(cohort_dir)} == {"2025-01", "2027-01"}
    result = run("history", "drop", "--month", "2025-01", "--cohort", toml)
    assert result.exit_code == 0, result.output
    assert "Removed 2025-01 from History: 144 rows of 6 districts (KY-001, KY-002, KY-003, " \
        "KY-004, KY-005, KY-006)." in result.output
    assert "Master written again without 2025-01" in result.output
    assert trend(cohort_dir) == before
    history = sheet_values(cohort_dir / "cohort_master.xlsx")["History"]
    assert {r[2] for r in history[1:]} == {"2027-01"}


def test_dropping_a_month_that_is_not_there_names_the_months_that_are(cohort_dir):
    toml = str(cohort_dir / "cohort.toml")
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    result = run("history", "drop", "--month", "2026-12", "--cohort", toml)
    assert result.exit_code == 2
    assert "History has no 2026-12; it has 2027-01. Nothing was removed." in result.output
    assert len(trend(cohort_dir)) == 1


def test_dropping_one_districts_month_keeps_the_others(cohort_dir):
    toml = str(cohort_dir / "cohort.toml")
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    result = run("history", "drop", "--month", "2027-01", "--district", "KY-003",
                 "--cohort", toml)
    assert result.exit_code == 0, result.output
    assert "Removed 2027-01 from History: 24 rows of 1 district (KY-003)." in result.output
    left = store_rows(cohort_dir, "SELECT DISTINCT district_id FROM history")
    assert sorted(r[0] for r in left) == ["KY-001", "KY-002", "KY-004", "KY-005", "KY-006"]


# -- read-only places -------------------------------------------------------------------------

def writable(path: Path) -> bool:
    try:
        if path.is_dir():
            with tempfile.TemporaryFile(dir=path):
                pass
        else:
            with path.open("r+b"):
                pass
    except OSError:
        return False
    return True


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this process: chmod, or chattr +i where chmod is not enough
    (root); the test is skipped where neither works."""
    mode = path.stat().st_mode
    os.chmod(path, 0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if writable(path):
            immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True,
                                       check=False).returncode == 0
            if writable(path):
                pytest.skip("cannot make a read-only place here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        os.chmod(path, mode)


def test_a_read_only_cohort_folder_is_said_before_any_work(cohort_dir):
    with read_only(cohort_dir):
        result = run("pull", "--cohort", str(cohort_dir / "cohort.toml"))
    assert result.exit_code == 2, result.output
    assert "Cannot write the pull history (the store): you cannot write in the folder " \
        f"{cohort_dir}" in result.output
    assert "Nothing was pulled." in result.output
    assert "open in another program" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_read_only_store_is_said_before_any_work(cohort_dir):
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    store = cohort_dir / ".sheetsync" / "store.sqlite"
    before = store.read_bytes()
    with read_only(store):
        result = run("pull", "--cohort", str(cohort_dir / "cohort.toml"))
    assert result.exit_code == 2, result.output
    assert f"{store} is read-only for you" in result.output
    assert isinstance(result.exception, SystemExit) and store.read_bytes() == before


def test_a_read_only_master_folder_is_said_before_any_work(cohort_dir):
    (cohort_dir / "out").mkdir()
    toml = cohort_dir / "cohort.toml"
    toml.write_text(toml.read_text().replace('path = "cohort_master.xlsx"',
                                             'path = "out/master.xlsx"'))
    with read_only(cohort_dir / "out"):
        result = run("pull", "--cohort", str(cohort_dir / "cohort.toml"))
    assert result.exit_code == 2, result.output
    assert "Cannot write the cohort master: you cannot write in the folder " in result.output
    assert isinstance(result.exception, SystemExit)
    assert not (cohort_dir / ".sheetsync" / "store.sqlite").exists()


@pytest.mark.parametrize("lock", ["~$cohort_master.xlsx", ".~lock.cohort_master.xlsx#"])
def test_an_open_master_is_said_only_with_its_lock_file(cohort_dir, lock):
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    (cohort_dir / lock).write_text("someone")
    os.utime(cohort_dir / "districts" / "adair.xlsx")
    result = run("pull", "--cohort", str(cohort_dir / "cohort.toml"), "--as-of",
                 "2027-01-20", "--force")
    assert result.exit_code == EXIT_MASTER_LOCKED
    assert f"is open in another program (its lock file {lock} is there)" in result.output
    assert f"delete {lock}" in result.output


def test_a_store_written_before_identity_findings_is_still_pulled_into(cohort_dir):
    older_store(cohort_dir / ".sheetsync" / "store.sqlite", 1)  # before identity findings
    report = pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    assert not report.failed
    assert ("findings",) in store_rows(cohort_dir, "SELECT name FROM pragma_table_info("
                                                   "'outcomes')")
