"""Issue 9's value reproductions: impossible values, future months, a deleted month column,
an empty scorecard, where not-smart points, and duplicated ids keeping their own rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.check.assess import check_workbook
from sheetsync.cli.commands import main
from sheetsync.cli.render import render_check
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from tests.read.test_bad_input import AS_OF, ROWS, Edit, both, set_cells, write_district


def checked(tmp_path: Path, edit: Edit | None = None) -> Any:
    return check_workbook(str(write_district(tmp_path / "district.xlsx", edit)), AS_OF)


def at(result: Any, cell: str, sheet: str = "Measures") -> list[tuple[str, str]]:
    return [(f.code, str(f.severity)) for f in result.findings
            if f.sheet == sheet and f.cell == cell]


# -- impossible values pass --------------------------------------------------------------------


def test_an_actual_of_450_in_a_percent_measure_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", U5=450))  # Actual Oct 2026 of M1 (%)
    assert at(result, "U5") == [("out-of-range", "warning")]
    message = next(f.message for f in result.findings if f.cell == "U5")
    assert message.startswith("Actual Oct 2026 of measure M1 in U5 is 450; it should be "
                              "between 0 and 100")


def test_percent_complete_of_150_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Actions", K5=150))
    assert at(result, "K5", "Actions") == [("out-of-range", "warning")]


def test_a_negative_count_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", D5="count", U5=-3))
    assert at(result, "U5") == [("out-of-range", "warning")]
    assert "not negative" in next(f.message for f in result.findings if f.cell == "U5")


def test_a_rate_below_one_and_a_target_of_100_are_in_range(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", H5=100, U5=0.5))
    assert at(result, "H5") == []
    # in range; 0.5 beside 100 in one % row is another matter (issue 25: the row mixes scales)
    assert at(result, "U5") == [("mixed-percent-scale", "warning")]


def test_an_actual_typed_in_a_future_month_is_a_warning_at_its_cell(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", X5=60))  # Jan 2027, as of Nov 2026
    assert at(result, "X5") == [("future-actual", "warning")]
    assert result.measures["M1"].latest_period != "2027-01"  # not used for status
    assert "not used for status" in next(f.message for f in result.findings if f.cell == "X5")


def test_a_deleted_actual_column_is_a_structure_finding(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", U4=None))  # the Actual Oct 2026 header
    found = [(f.code, f.sheet, str(f.severity)) for f in result.findings
             if f.code == "missing-month-column"]
    assert found == [("missing-month-column", "Measures", "warning")]
    assert "'Actual Oct 2026'" in next(f.message for f in result.findings
                                       if f.code == "missing-month-column")


def test_an_empty_scorecard_is_an_error(make_workbook: Any) -> None:
    path = make_workbook()  # the template with a profile and nothing else
    run = CliRunner().invoke(main, ["check", str(path), "--as-of", AS_OF.isoformat(), "--json"])
    assert run.exit_code == 1, run.output
    data = json.loads(run.output)
    assert not data["valid"]
    assert [(f["code"], f["severity"]) for f in data["findings"]
            if f["code"] == "empty-scorecard"] == [("empty-scorecard", "error")]


def test_an_empty_scorecard_is_not_simply_read_by_a_pull(make_workbook: Any,
                                                         tmp_path: Path) -> None:
    make_workbook("empty.xlsx")
    (tmp_path / "cohort.toml").write_text(
        '[cohort]\nname = "T"\nschool_year = "2026-27"\n\n[[district]]\nid = "KY-999"\n'
        'name = "Empty"\nsource = "empty.xlsx"\n', encoding="utf-8")
    report = pull(load_cohort(tmp_path / "cohort.toml"), AS_OF)
    (district,) = report.districts
    assert district["errors"] >= 1


# -- wrong messages: not-smart points at the missing field ------------------------------------


@pytest.mark.parametrize(("edit", "sheet", "cell", "letter"), [
    (set_cells("Goals", H5=None), "Goals", "H5", "Time-bound"),  # Target Date
    (set_cells("Goals", F5=None), "Goals", "F5", "Specific"),  # Student Group
    (set_cells("Goals", G5=None), "Goals", "G5", "Responsible"),  # Owner
    (set_cells("Goals", E5="Improve math."), "Goals", "E5", "Specific"),  # the statement
    (set_cells("Measures", H5=None), "Measures", "H5", "Measurable"),  # the measure's target
], ids=["time-bound", "student-group", "owner", "statement", "measurable"])
def test_not_smart_points_at_the_missing_fields_cell(tmp_path: Path, edit: Edit, sheet: str,
                                                     cell: str, letter: str) -> None:
    result = checked(tmp_path, edit)
    (smart,) = [f for f in result.findings if f.code == "not-smart"]
    assert (smart.sheet, smart.cell) == (sheet, cell)
    assert smart.message.startswith(f"Goal G1 is not {letter}")


# -- duplicated ids keep their own row's values ------------------------------------------------


DUPLICATE = both(set_cells("Measures", A6="M1"), set_cells("Actions", A6="A1"))


def test_duplicated_ids_keep_their_own_rows_values_in_check(tmp_path: Path) -> None:
    result = checked(tmp_path, DUPLICATE)
    assert ("duplicate-id", "error") in at(result, "A6")
    data = result.to_json()
    first, second = [m for m in data["measures"] if m["id"] == "M1"]
    m5, m6 = result.card.measures[:2]
    assert (first["row"], second["row"]) == (5, 6)
    assert first["latest_actual"] == max(m5.actuals.items())[1]
    assert second["latest_actual"] == max(m6.actuals.items())[1] != first["latest_actual"]
    assert first["status"] == result.measure(m5).status
    assert second["status"] == result.measure(m6).status
    a5, a6 = [a for a in data["actions"] if a["id"] == "A1"]
    assert (a5["row"], a6["row"]) == (5, 6)
    table = render_check(result)
    lines = [line.split() for line in table.splitlines() if line.strip().startswith("M1 ")]
    assert len(lines) == 2 and lines[0] != lines[1]


def test_duplicated_ids_keep_their_own_rows_values_in_the_master(tmp_path: Path) -> None:
    write_district(tmp_path / "district.xlsx", DUPLICATE)
    (tmp_path / "cohort.toml").write_text(
        '[cohort]\nname = "T"\nschool_year = "2026-27"\n\n[[district]]\nid = "KY-001"\n'
        'name = "Adair"\nsource = "district.xlsx"\n', encoding="utf-8")
    report = pull(load_cohort(tmp_path / "cohort.toml"), AS_OF)
    assert report.master_written
    ws = openpyxl.load_workbook(tmp_path / "cohort_master.xlsx")["Measures"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=False))
            for r in ws.iter_rows(min_row=2)]
    m1 = [r for r in rows if r["Measure ID"] == "M1"]
    assert len(m1) == 2
    assert m1[0]["Baseline"] == ROWS["measures"][0]["baseline"]
    assert m1[1]["Baseline"] == ROWS["measures"][1]["baseline"]
    assert m1[0]["Latest Actual"] != m1[1]["Latest Actual"]
