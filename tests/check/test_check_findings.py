"""Findings are data: each keeps the values its message was made from, round-trips through
JSON and the store, and every output flattens the same report to its rows."""

from __future__ import annotations

import json
import sqlite3
import zlib
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.check.report import FindingsReport
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.pull.run import pull
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding, Severity
from tests.helpers import AS_OF


def test_a_finding_keeps_the_values_its_message_was_made_from():
    f = F.ACTION_OVERDUE(sheet="Actions", cell="F7", id="A3", due=date(2027, 1, 15),
                         status="In Progress")
    assert f.values == {"id": "A3", "due": "2027-01-15", "status": "In Progress"}
    assert f.message == F.ACTION_OVERDUE.template.format(**f.values)
    assert (f.sheet, f.cell, f.row, f.column) == ("Actions", "F7", 7, "F")


def test_a_finding_round_trips_through_json(examples):
    result = check_workbook(str(examples / "districts" / "boyle.xlsx"), AS_OF)
    assert result.findings
    for f in result.findings:
        assert Finding.from_dict(json.loads(json.dumps(f.to_dict()))) == f


def test_a_finding_stored_before_findings_kept_values_still_loads():
    old = {"code": "not-a-date", "severity": "error", "sheet": "Actions", "cell": "E9",
           "row": 9, "column": "E", "message": "Start Date in E9 is 'next month', ..."}
    f = Finding.from_dict(old)
    assert (f.code, f.severity, f.cell, f.values) == ("not-a-date", Severity.ERROR, "E9", {})
    assert {k: v for k, v in f.to_dict().items() if k != "values"} == old


def test_report_rows_pick_their_columns_and_sheets():
    report = FindingsReport.of([
        F.MISSING_SHEET(sheet="Needs", what="the needs assessment"),
        F.NOT_A_NUMBER(sheet="Measures", cell="H5", header="Baseline", value="TBD"),
        F.SOURCE_OLDER(what="Older.", read_at="2027-01-02")])
    assert report.rows(("sheet", "cell", "severity", "code")) == [
        ["Needs", None, "error", "missing-sheet"], ["Measures", "H5", "error", "not-a-number"],
        [None, None, "warning", "source-older"]]
    assert report.rows(("sheet", "cell"), sheets={"Measures"}, blank="") == [
        ["Measures", "H5"], ["", ""]]
    with pytest.raises(ValueError, match="no district column"):
        report.rows(("district",))


def _old_shape(data: dict) -> bytes:
    """A stored district as a store written before findings kept their values (its blob
    one zlib stream of the JSON, as stores before version 6 kept it)."""
    for f in [*data["read_findings"], *data["result"]["findings"]]:
        del f["values"]
    return zlib.compress(json.dumps(data).encode())


def test_a_store_written_before_findings_kept_values_is_reassessed(examples, pulled_dir: Path):
    cohort = load_cohort(pulled_dir / "cohort.toml")
    with Store(cohort.store_path) as store:
        held = {o.district_id: o.data for o in store.outcomes()}
    db = sqlite3.connect(cohort.store_path)
    with db:
        for did, data in held.items():
            db.execute("UPDATE outcomes SET data = ?, base = NULL WHERE district_id = ?",
                       (_old_shape(data), did))
    db.close()
    later = AS_OF + timedelta(days=1)  # another as-of date: stored findings are re-assessed
    report = pull(cohort, later)
    assert not report.failed and all(d["reused"] for d in report.districts)
    fresh = check_workbook(str(examples / "districts" / "boyle.xlsx"), later)
    issues = [list(r[1:6]) for r in openpyxl.load_workbook(cohort.master_path)["Issues"].iter_rows(
        min_row=2, values_only=True) if r[0] == "KY-003"]
    assert issues == fresh.report.rows(("sheet", "cell", "severity", "code", "message"))
