"""The monthly pull: failed districts, history, incremental re-pulls, atomic outputs."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheetsync.cli.commands import EXIT_DISTRICTS_FAILED, EXIT_MASTER_LOCKED, main
from sheetsync.cohort.file import load_cohort
from sheetsync.master.layout import SHEETS
from sheetsync.pull.run import pull
from tests.helpers import AS_OF


def sheet_values(path: Path) -> dict[str, list[tuple]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb}


def add_district(folder: Path, district_id: str, source: str) -> None:
    with (folder / "cohort.toml").open("a") as fh:
        fh.write(f'\n[[district]]\nid = "{district_id}"\nname = "{district_id} County"\n'
                 f'source = "{source}"\n')


def copy_as(source: Path, target: Path, district_id: str) -> None:
    """A copy of a district's workbook whose profile names ``district_id``."""
    wb = openpyxl.load_workbook(source)
    wb["District Profile"]["B4"] = district_id
    wb.save(target)


def test_pull_writes_every_sheet_of_the_master(cohort_dir):
    report = pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    assert report.master_written and not report.failed
    wb = openpyxl.load_workbook(cohort_dir / "cohort_master.xlsx")
    assert wb.sheetnames == list(SHEETS)
    for ws in wb:
        assert ws["A1"].value == "District ID", ws.title
        assert ws.freeze_panes == "B2"
        assert len(ws.tables) == 1, ws.title
    measures = [c.value for c in wb["Measures"][1]]
    assert {"Measure ID", "Status"} <= set(measures)
    summary = {r[0].value: r for r in wb["Summary"].iter_rows(min_row=2)}
    assert set(summary) == {f"KY-00{i}" for i in range(1, 7)}
    assert len(wb["Measures"]["A"]) - 1 == 6 * 24
    assert wb["Summary"]._charts, "the status mix chart is missing"


def test_each_master_row_links_to_its_source_cell(cohort_dir):
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    ws = openpyxl.load_workbook(cohort_dir / "cohort_master.xlsx")["Measures"]
    link_col = [c.value for c in ws[1]].index("Source Cell")
    cell = ws.cell(2, link_col + 1)
    assert cell.value == "Measures!A5"
    assert cell.hyperlink.target.replace("\\", "/") == "districts/adair.xlsx"
    assert cell.hyperlink.location == "'Measures'!A5"


def test_a_district_that_cannot_be_read_is_a_failed_row_and_the_rest_go_on(cohort_dir):
    districts = cohort_dir / "districts"
    (districts / "corrupt.xlsx").write_bytes((districts / "adair.xlsx").read_bytes()[:3000])
    (districts / "encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
                                               + "EncryptedPackage".encode("utf-16-le"))
    wrong = openpyxl.Workbook()
    wrong.active.title = "Budget"
    wrong.save(districts / "budget.xlsx")
    for did, src in (("X-1", "districts/missing.xlsx"), ("X-2", "districts/corrupt.xlsx"),
                     ("X-3", "districts/encrypted.xlsx"), ("X-4", "districts/budget.xlsx")):
        add_district(cohort_dir, did, src)
    result = CliRunner().invoke(main, ["pull", "--cohort", str(cohort_dir / "cohort.toml"),
                                       "--as-of", "2027-01-20", "--force", "--json"])
    assert result.exit_code == EXIT_DISTRICTS_FAILED, result.output
    report = json.loads(result.output)
    reasons = {d["id"]: d["reason"] for d in report["districts"] if not d["ok"]}
    assert "does not exist" in reasons["X-1"]
    assert "damaged or incomplete" in reasons["X-2"]
    assert "password-protected" in reasons["X-3"]
    assert "not a District Scorecard" in reasons["X-4"]
    assert report["totals"]["read"] == 6 and report["totals"]["failed"] == 4
    wb = openpyxl.load_workbook(cohort_dir / "cohort_master.xlsx")
    rows = {r[0]: r for r in (tuple(c.value for c in row) for row in wb["Summary"].iter_rows())}
    assert rows["X-3"][2] == "Failed" and "password" in rows["X-3"][3]
    assert ("X-1", "unreadable") in {(r[0], r[4]) for r in sheet_values(
        cohort_dir / "cohort_master.xlsx")["Issues"]}


def test_a_repull_reads_only_what_changed_and_keeps_one_snapshot_a_month(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    first = pull(cohort, AS_OF)
    assert first.totals()["read"] == 6
    again = pull(cohort, AS_OF)
    assert (again.totals()["read"], again.totals()["reused"]) == (0, 6)
    assert not again.master_written
    target = cohort_dir / "districts" / "barren.xlsx"
    wb = openpyxl.load_workbook(target)
    wb["Goals"]["G5"] = "All students in grades 3-5"
    wb.save(target)
    third = pull(cohort, AS_OF)
    assert third.totals()["read"] == 1 and third.master_written
    db = sqlite3.connect(cohort_dir / ".sheetsync" / "store.sqlite")
    assert db.execute("SELECT COUNT(DISTINCT period) FROM snapshots").fetchone() == (1,)
    assert db.execute("SELECT COUNT(*) FROM history").fetchone() == (6 * 24,)
    pull(cohort, date(2027, 2, 20))  # a new month: statuses recomputed, no file read
    assert db.execute("SELECT COUNT(DISTINCT period) FROM history").fetchone() == (2,)
    history = sheet_values(cohort_dir / "cohort_master.xlsx")["History"]
    assert {r[2] for r in history[1:]} == {"2027-01", "2027-02"}


def test_master_rebuild_from_the_store_alone_equals_the_pulled_master(cohort_dir):
    cohort = load_cohort(cohort_dir / "cohort.toml")
    pull(cohort, AS_OF)
    pulled = sheet_values(cohort.master_path)
    shutil.rmtree(cohort_dir / "districts")  # rebuild must not need them
    cohort.master_path.unlink()
    result = CliRunner().invoke(main, ["master", "rebuild", "--cohort", str(cohort.path)])
    assert result.exit_code == 0, result.output
    assert sheet_values(cohort.master_path) == pulled


def test_district_text_that_looks_like_a_formula_stays_text(cohort_dir):
    target = cohort_dir / "districts" / "adair.xlsx"
    wb = openpyxl.load_workbook(target)
    hostile = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3",
               "@SUM(A1)"]
    for i, text in enumerate(hostile):  # typed as text ('=...), as a district would
        cell = wb["Goals"][f"E{5 + i}"]
        cell.value = text
        cell.data_type = "s"
    wb.save(target)
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    ws = openpyxl.load_workbook(cohort_dir / "cohort_master.xlsx")["Goals"]
    statements = [ws.cell(r, 5) for r in range(2, 6)]
    assert [c.value for c in statements] == hostile
    assert all(c.data_type == "s" for c in statements)
    with zipfile.ZipFile(cohort_dir / "cohort_master.xlsx") as zf:
        goals_xml = zf.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in goals_xml


def test_a_locked_master_is_left_alone_and_the_pull_is_kept(cohort_dir):
    runner = CliRunner()
    args = ["pull", "--cohort", str(cohort_dir / "cohort.toml"), "--as-of", "2027-01-20",
            "--force"]  # a January as-of is after today's date: --force accepts it
    assert runner.invoke(main, args).exit_code == 0
    before = (cohort_dir / "cohort_master.xlsx").read_bytes()
    (cohort_dir / ".~lock.cohort_master.xlsx#").write_text("someone,host,2027")
    os.utime(cohort_dir / "districts" / "adair.xlsx")  # nothing changed but the time
    result = runner.invoke(main, args)
    assert result.exit_code == EXIT_MASTER_LOCKED
    assert "master rebuild" in result.output
    assert (cohort_dir / "cohort_master.xlsx").read_bytes() == before
    db = sqlite3.connect(cohort_dir / ".sheetsync" / "store.sqlite")
    assert db.execute("SELECT COUNT(*) FROM pulls").fetchone() == (2,)
    (cohort_dir / ".~lock.cohort_master.xlsx#").unlink()
    assert runner.invoke(main, ["master", "rebuild", "--cohort",
                                str(cohort_dir / "cohort.toml")]).exit_code == 0


def test_district_files_are_only_read(cohort_dir):
    files = sorted((cohort_dir / "districts").iterdir())
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    pull(load_cohort(cohort_dir / "cohort.toml"), AS_OF)
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in files] == before
    assert sorted((cohort_dir / "districts").iterdir()) == files


def test_killing_a_pull_at_any_moment_leaves_a_whole_master_and_a_consistent_store(
        cohort_dir):
    """Kill `sheetsync pull --force` at random moments; the outputs must stay whole."""
    districts = cohort_dir / "districts"
    sources = sorted(districts.glob("*.xlsx"))
    for i in range(24):  # enough districts that a pull takes a while
        copy_as(sources[i % len(sources)], districts / f"copy{i}.xlsx", f"C-{i}")
        add_district(cohort_dir, f"C-{i}", f"districts/copy{i}.xlsx")
    cmd = [sys.executable, "-m", "sheetsync.cli", "pull", "--as-of", "2027-01-20", "--force"]
    full = subprocess.run(cmd, cwd=cohort_dir, capture_output=True, timeout=300)
    assert full.returncode == 0, full.stderr
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cohort_dir, capture_output=True, timeout=300)
    duration = time.perf_counter() - started
    rng = random.Random(20270120)
    for _ in range(8):
        proc = subprocess.Popen(cmd, cwd=cohort_dir, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        master = cohort_dir / "cohort_master.xlsx"
        with zipfile.ZipFile(master) as zf:
            assert zf.testzip() is None
        wb = openpyxl.load_workbook(master, read_only=True)
        assert wb.sheetnames == list(SHEETS)
        assert len(list(wb["Summary"].iter_rows(min_row=2, max_col=1))) == 30  # whole
        wb.close()
        db = sqlite3.connect(cohort_dir / ".sheetsync" / "store.sqlite")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        pulls = {r[0] for r in db.execute("SELECT pulled_at FROM pulls")}
        outcomes = {r[0] for r in db.execute("SELECT pulled_at FROM outcomes")}
        assert db.execute("SELECT COUNT(*) FROM outcomes").fetchone() == (30,)
        assert outcomes <= pulls  # every saved outcome belongs to a pull that completed
        completed = len(pulls)
        db.close()
    # the kills fell inside pulls (else the test proved nothing): some never completed
    assert completed < 2 + 8, "every killed pull had finished: kill sooner"


def test_bad_cohort_file_names_the_line_and_field(tmp_path):
    (tmp_path / "cohort.toml").write_text(
        '[cohort]\nname = "x"\nschool_year = "2026-27"\n\n[[district]]\nid = "A"\nname = "A"\n'
        'source = "a.xlsx"\n\n[[district]]\nid = "B"\nname = "B"\nsourse = "b.xlsx"\n')
    result = CliRunner().invoke(main, ["pull", "--cohort", str(tmp_path / "cohort.toml")])
    assert result.exit_code == 2
    assert "cohort.toml:13: district.1.sourse: Extra inputs are not permitted" in result.output
    assert "source: Field required" not in result.output  # blank until `distribute`


def test_cohort_init_from_a_roster_and_add_folder(tmp_path, examples):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,source,contacts\nKY-001,Adair County,districts/adair.xlsx,"
                      "a@adair.kyschools.us; b@adair.kyschools.us\n")
    shutil.copytree(examples / "districts", tmp_path / "districts")
    runner = CliRunner()
    out = tmp_path / "cohort.toml"
    result = runner.invoke(main, ["cohort", "init", "--roster", str(roster), "--name", "SPIE",
                                  "--year", "2026-27", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cohort = load_cohort(out)
    assert cohort.districts[0].contacts == ["a@adair.kyschools.us", "b@adair.kyschools.us"]
    result = runner.invoke(main, ["cohort", "add-folder", str(tmp_path / "districts"),
                                  "--cohort", str(out)])
    assert result.exit_code == 0, result.output
    ids = [d.id for d in load_cohort(out).districts]
    assert ids == ["KY-001", "KY-002", "KY-003", "KY-004", "KY-005", "KY-006"]
