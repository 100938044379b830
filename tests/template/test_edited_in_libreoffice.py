"""A scorecard edited as people edit it, in LibreOffice itself, says what ``check`` says.

One workbook is opened in LibreOffice through its own API (``tests/lo_edit.py``): rows are
inserted between others in Strategic Goals, Goals, Measures, Actions and Monthly Updates and
typed into, percentages are typed as 58%, a month is typed as 11/15 into a number cell; then
LibreOffice recalculates and saves it, and each row is compared with ``check``. These are the
reproductions of the platforms issue: a row inserted by hand has no formulas, so the sheet
names it above the header and in the Check column of the goal it feeds; a row mixing 58 and
58% is flagged in its Check column; a typed 46% everywhere gives the status 46 gives.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.check.assess import CheckResult, check_workbook
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.formulas import BANNER_CELL, MIXED_SCALES
from sheetsync.template.workbook import build_template, save_atomic
from tests.libreoffice import convert, edit, needs_uno

pytestmark = needs_uno

LAYOUT = scorecard_layout("2026-27")
AS_OF = date(2027, 1, 20)
DEC = "2026-12"


def _measure(mid: str, goal: str, **values: Any) -> dict[str, Any]:
    return {"id": mid, "goal_id": goal, "name": f"Measure {mid}", "unit": "%",
            "frequency": "monthly", **values}


ROWS = {
    "strategic_goals": [{"id": "SG1", "title": "Reading"}, {"id": "SG2", "title": "Math"}],
    "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "x"}],
    "goals": [{"id": "G1", "strategic_goal_id": "SG1", "cdip_goal_id": "CG1", "statement": "a"},
              {"id": "G2", "strategic_goal_id": "SG2", "cdip_goal_id": "CG1", "statement": "b"}],
    "measures": [
        _measure("M1", "G1", baseline=40, target=50, **{f"actual:{DEC}": 46}),
        _measure("M2", "G1", baseline=40, target=50, **{f"actual:{DEC}": 46}),
        _measure("M3", "G2", baseline=50, target=60),  # its December actual: typed 58%
        _measure("M4", "G2"),  # every value typed with a % sign
        _measure("M5", "G2", baseline=50, target=60),  # a date typed into a number cell
    ],
    "actions": [{"id": "A1", "goal_id": "G1", "description": "x", "status": "In Progress",
                 "due_date": date(2027, 5, 1)},
                {"id": "A2", "goal_id": "G1", "description": "y", "status": "In Progress",
                 "due_date": date(2027, 5, 1)}],
    "monthly_updates": [{"month": date(2026, 10, 1), "submitted_on": date(2026, 11, 3)},
                        {"month": date(2026, 12, 1), "submitted_on": date(2027, 1, 4)}],
}


def _letter(entity: str, key: str, period: str | None = None) -> str:
    return str(LAYOUT.sheet(entity).column(key, period).letter)


def _type(entity: str, cell: str, text: str) -> dict[str, object]:
    return {"sheet": LAYOUT.sheet(entity).name, "type": cell, "text": text}


def _insert(entity: str, row: int) -> dict[str, object]:
    return {"sheet": LAYOUT.sheet(entity).name, "insert_row": row}


def _typed_row(entity: str, row: int, values: dict[str, str]) -> list[dict[str, object]]:
    return [_type(entity, f"{_letter(entity, *key.split(':'))}{row}", text)
            for key, text in values.items()]


# Rows inserted between the first two of each sheet (row 6), as Insert > Rows Above does.
STEPS = [
    _insert("strategic_goals", 6), *_typed_row("strategic_goals", 6, {"id": "SG3",
                                                                       "title": "Attendance"}),
    _insert("goals", 6), *_typed_row("goals", 6, {"id": "G3", "strategic_goal_id": "SG1",
                                                  "cdip_goal_id": "CG1", "statement": "c"}),
    _insert("measures", 6), *_typed_row("measures", 6, {
        "id": "M7", "goal_id": "G1", "name": "Inserted", "unit": "%", "baseline": "40",
        "target": "50", "frequency": "monthly", f"actual:{DEC}": "41"}),
    # after the insert, M3 is on row 8, M4 on row 9, M5 on row 10
    *_typed_row("measures", 8, {f"actual:{DEC}": "58%"}),
    *_typed_row("measures", 9, {"baseline": "40%", "target": "50%", f"actual:{DEC}": "46%"}),
    *_typed_row("measures", 10, {f"actual:{DEC}": "11/15"}),
    _insert("actions", 6), *_typed_row("actions", 6, {
        "id": "A3", "goal_id": "G1", "description": "Inserted", "status": "Not Started",
        "due_date": "2026-12-01"}),
    _insert("monthly_updates", 6), *_typed_row("monthly_updates", 6, {
        "month": "2026-11-01"}),
]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[openpyxl.Workbook, CheckResult]:
    folder = tmp_path_factory.mktemp("edited")
    wb = build_template(LAYOUT, profile={"district_id": "KY-1", "district_name": "Test",
                                         "as_of": AS_OF}, rows=ROWS)
    source = save_atomic(wb, folder / "typed.xlsx")
    out = edit(source, folder / "edited.xlsx", STEPS)
    return openpyxl.load_workbook(out, data_only=True), check_workbook(str(out))


def _cell(wb: openpyxl.Workbook, entity: str, key: str, row: int) -> Any:
    return wb[LAYOUT.sheet(entity).name][f"{_letter(entity, key)}{row}"].value


def _findings(result: CheckResult, entity: str, code: str) -> list[str]:
    name = LAYOUT.sheet(entity).name
    return [str(f.cell) for f in result.findings if f.sheet == name and f.code == code]


@pytest.mark.parametrize("entity", ["strategic_goals", "goals", "measures", "actions",
                                    "monthly_updates"])
def test_a_row_inserted_by_hand_is_named_above_the_header_and_by_check(edited, entity):
    wb, result = edited
    banner = wb[LAYOUT.sheet(entity).name][BANNER_CELL].value
    assert banner and banner.startswith("Row 6 holds values but no formulas"), banner
    assert [c[1:] for c in _findings(result, entity, "row-without-formulas")] == ["6"]


def test_the_goal_of_an_inserted_measure_says_its_status_leaves_it_out(edited):
    wb, result = edited
    assert _cell(wb, "measures", "status", 6) is None  # the sheet computes nothing there
    assert result.measures["M7"].status == "Off Track"  # check does
    # G1 is on row 5 of Goals (G3 was inserted above G2)
    assert _cell(wb, "goals", "row_check", 5).startswith("Measures row 6 has no formulas")
    assert _cell(wb, "strategic_goals", "row_check", 5).startswith("A goal of it has")
    assert not _cell(wb, "goals", "row_check", 7)  # G2's measures all have formulas


def test_58_percent_typed_beside_a_baseline_of_50_is_flagged_in_the_row_and_by_check(edited):
    wb, result = edited
    assert wb["Measures"][f"{_letter('measures', 'actual', DEC)}8"].value == 0.58
    assert _cell(wb, "measures", "row_check", 8) == MIXED_SCALES
    assert result.measures["M3"].status == "On Track"  # check reads 58% as 58
    assert _findings(result, "measures", "mixed-percent-scale") == [
        f"{_letter('measures', 'actual', DEC)}8",  # 58% (0.58) beside 50
        f"{_letter('measures', 'baseline')}10"]  # M5: 50 beside 11/15 typed (46341)


def test_every_value_typed_with_a_percent_sign_gives_the_status_46_gives(edited):
    wb, result = edited
    assert not _cell(wb, "measures", "row_check", 9)
    assert _cell(wb, "measures", "status", 9) == result.measures["M4"].status == "On Track"
    assert result.measures["M4"].latest_actual == 46
    assert _cell(wb, "measures", "latest_actual", 9) == 0.46  # as stored: the sheet's scale


def test_a_month_typed_into_a_number_cell_is_flagged_in_the_row_and_by_check(edited):
    wb, result = edited
    cell = f"{_letter('measures', 'actual', DEC)}10"
    assert wb["Measures"][cell].is_date  # 11/15 became a date, as it does in Excel
    assert _cell(wb, "measures", "row_check", 10) == MIXED_SCALES  # 46341 beside 50
    assert _findings(result, "measures", "date-in-number-cell") == [cell]


def test_a_status_date_typed_as_text_is_flagged_beside_it_and_by_check(tmp_path: Path):
    wb = build_template(LAYOUT, profile={"district_id": "KY-1", "district_name": "Test"})
    profile = LAYOUT.sheet("profile")
    as_of = profile.field("as_of").cell
    wb[profile.name][as_of] = "01/31/2027"  # text: a date the formulas cannot read
    source = save_atomic(wb, tmp_path / "text-date.xlsx")
    (out,) = convert([source], tmp_path / "recalculated")
    back = openpyxl.load_workbook(out, data_only=True)[profile.name]
    flag = back[f"C{as_of[1:]}"].value
    assert flag and flag.startswith("The formulas cannot read this date")
    result = check_workbook(str(source))
    assert any(f.cell == as_of and f.code == "formula-cannot-read" for f in result.findings)
