"""The School Improvement Plan: the district's template at the school level (issue 14, 1).

A school plan is made from the district's workbook: its profile names the school and its
district, its Strategic Goals are the district's (locked), every school goal nests under one
of them by dropdown, and `check` says where the plan and the district's plan differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.check.assess import check_workbook
from sheetsync.cli import main
from sheetsync.errors import DistrictFileError
from sheetsync.read.district import read_district
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import write_scorecard
from tests.school_cards import DISTRICT_ID, STRATEGIC, school_plan, write_district


@pytest.fixture
def district(tmp_path: Path) -> Path:
    return write_district(tmp_path / "district.xlsx")


def _template(tmp_path: Path, district: Path, *extra: str) -> Path:
    out = tmp_path / "sip.xlsx"
    result = CliRunner().invoke(main, [
        "template", "--level", "school", "--district-file", str(district), "--school-id",
        "S-01", "--school-name", "Alder Elementary", "--year", "2026-27", "-o", str(out),
        *extra])
    assert result.exit_code == 0, result.output
    return out


def test_school_plan_profile_names_the_school_and_its_district(tmp_path, district):
    ws = openpyxl.load_workbook(_template(tmp_path, district))["School Profile"]
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (4, 5, 6, 12, 13)] == [
        ("School ID", "S-01"), ("School name", "Alder Elementary"), ("School year", "2026-27"),
        ("District ID", DISTRICT_ID), ("District name", "Kent School District")]
    assert ws["B4"].protection.locked is False and ws["B12"].protection.locked is True


def test_strategic_goals_are_the_districts_prefilled_and_locked(tmp_path, district):
    wb = openpyxl.load_workbook(_template(tmp_path, district))
    ws = wb["Strategic Goals"]
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (5, 6, 7)] == STRATEGIC
    assert ws.protection.sheet
    assert ws["A5"].protection.locked and ws["B6"].protection.locked
    assert ws.column_dimensions["A"].protection is None or \
        ws.column_dimensions["A"].protection.locked is not False
    goals = wb["Goals"]  # the school's own rows stay open
    assert goals.column_dimensions["E"].protection.locked is False


def test_every_school_goal_nests_under_a_locked_strategic_goal_by_dropdown(tmp_path, district):
    ws = openpyxl.load_workbook(_template(tmp_path, district))["Goals"]
    layout = scorecard_layout("2026-27", "school")
    letter = layout.sheet("goals").column("strategic_goal_id").letter
    (dv,) = [dv for dv in ws.data_validations.dataValidation
             if dv.type == "list" and str(dv.sqref).startswith(f"{letter}5")]
    assert dv.formula1 == "'Strategic Goals'!$A$5:$A$19"
    assert dv.errorStyle == "stop"


def test_school_plan_comes_from_the_same_declaration_as_the_district_scorecard():
    district, school = scorecard_layout("2026-27"), scorecard_layout("2026-27", "school")
    assert [s.name for s in school.sheets] == ["School Profile"] + \
        [s.name for s in district.sheets[1:]]
    for a, b in zip(district.sheets[1:], school.sheets[1:], strict=True):
        assert a.columns == b.columns


def test_schema_json_describes_the_school_plan():
    result = CliRunner().invoke(main, ["schema", "--json", "--level", "school"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["level"] == "school"
    profile, strategic = data["sheets"][0], data["sheets"][1]
    assert profile["name"] == "School Profile"
    assert [f["key"] for f in profile["fields"]][:2] == ["school_id", "school_name"]
    assert {"key": "district_id", "label": "District ID", "cell": "B12", "type": "id",
            "required": True, "locked": True} in profile["fields"]
    assert strategic["locked"] is True


def test_a_school_goal_under_a_strategic_goal_the_district_lacks_is_an_error_at_its_cell(
        tmp_path):
    card = school_plan("S-01")
    card.goals[1].strategic_goal_id = "SG7"
    path = write_scorecard(card, tmp_path / "sip.xlsx")
    found = [(f.sheet, f.cell, f.code) for f in check_workbook(str(path)).findings
             if f.code in ("school-goal-not-in-district", "unknown-reference")]
    assert found == [("Goals", "B6", "school-goal-not-in-district")]


def test_a_school_plan_reads_back_as_written(tmp_path):
    card = school_plan("S-02")
    path = write_scorecard(card, tmp_path / "sip.xlsx")
    result = check_workbook(str(path))
    assert result.card.level == "school"
    assert result.card.profile.school_id == "S-02"
    assert result.card.profile.district_id == DISTRICT_ID
    assert [g.id for g in result.card.strategic_goals] == ["SG1", "SG2", "SG3"]
    assert result.to_json()["school_id"] == "S-02"


@pytest.mark.parametrize("make, says", [
    (lambda p: p.write_text("not a workbook"), "cannot be read as the district's plan"),
    (lambda p: write_district(p, goals=[]), "has no strategic goals"),
    (lambda p: None, "there is no such file"),
])
def test_a_district_file_that_cannot_give_strategic_goals_is_a_clear_message(
        tmp_path, make, says):
    path = tmp_path / "district.xlsx"
    make(path)
    with pytest.raises(DistrictFileError, match=says):
        read_district(path)
    result = CliRunner().invoke(main, [
        "template", "--level", "school", "--district-file", str(path), "-o",
        str(tmp_path / "sip.xlsx")])
    assert result.exit_code == 2 and says in result.output


def test_a_school_plan_is_not_a_district_file(tmp_path):
    path = write_scorecard(school_plan("S-01"), tmp_path / "sip.xlsx")
    with pytest.raises(DistrictFileError, match="a school's plan, not the district's"):
        read_district(path)


def test_a_plan_made_for_another_district_is_a_finding(tmp_path):
    path = write_scorecard(school_plan("S-01"), tmp_path / "sip.xlsx")
    other = read_district(write_district(tmp_path / "other.xlsx", district_id="KY-901"))
    found = [(f.sheet, f.cell, f.code) for f in check_workbook(str(path), district=other)
             .findings if f.code == "school-district-mismatch"]
    assert found == [("School Profile", "B12", "school-district-mismatch")]


def test_district_goals_added_or_removed_since_the_plan_was_made_are_named(tmp_path):
    path = write_scorecard(school_plan("S-01"), tmp_path / "sip.xlsx")  # SG1-SG3
    changed = tmp_path / "district.xlsx"
    write_district(changed, goals=[STRATEGIC[0], STRATEGIC[2], ("SG4", "Great teachers")])
    result = CliRunner().invoke(main, ["check", str(path), "--district-file", str(changed),
                                       "--json"])
    assert result.exit_code == 1, result.output
    found = [(f["sheet"], f["cell"], f["code"]) for f in json.loads(result.output)["findings"]
             if f["code"].startswith(("district-goal", "school-goal"))]
    assert sorted(found, key=str) == sorted([
        ("Strategic Goals", None, "district-goal-added"),
        ("Strategic Goals", "A6", "district-goal-removed"),
        ("Goals", "B6", "school-goal-not-in-district")], key=str)
    messages = " ".join(f["message"] for f in json.loads(result.output)["findings"])
    assert "SG4 ('Great teachers')" in messages and "SG2 ('Safe and engaged schools')" in messages


def test_upgrade_refreshes_the_locked_list_and_keeps_the_schools_rows(tmp_path):
    card = school_plan("S-03")
    path = write_scorecard(card, tmp_path / "sip.xlsx")
    changed = write_district(tmp_path / "district.xlsx",
                             goals=[*STRATEGIC, ("SG4", "Great teachers")])
    out = tmp_path / "sip-new.xlsx"
    result = CliRunner().invoke(main, ["upgrade", str(path), "-o", str(out),
                                       "--district-file", str(changed)])
    assert result.exit_code == 0, result.output
    assert "SG4" in result.output
    after = check_workbook(str(out), district=read_district(changed))
    assert [g.id for g in after.card.strategic_goals] == ["SG1", "SG2", "SG3", "SG4"]
    before = check_workbook(str(path)).card
    for entity in ("goals", "measures", "actions"):
        assert [m.model_dump(exclude={"row"}) for m in getattr(after.card, entity)] == \
            [m.model_dump(exclude={"row"}) for m in getattr(before, entity)]
    assert not [f for f in after.findings if f.code.startswith("district-goal")]


def test_a_district_goal_a_school_does_not_nest_under_is_a_note_not_a_warning(tmp_path):
    path = write_scorecard(school_plan("S-01"), tmp_path / "sip.xlsx")  # nothing under SG3
    found = [(f.cell, f.code, str(f.severity)) for f in check_workbook(str(path)).findings
             if f.code == "strategic-goal-uncovered"]
    assert found == [("A7", "strategic-goal-uncovered", "info")]
