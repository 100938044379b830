"""Reading and checking whole workbooks: findings point at the right cells."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from sheetsync.check.assess import check_workbook
from sheetsync.cli.commands import main
from sheetsync.schema.findings import RULES
from sheetsync.schema.sheets import scorecard_layout
from tests.helpers import AS_OF
from tests.read.test_bad_input import AS_OF as CLEAN_AS_OF
from tests.read.test_bad_input import write_district


def located(result, code=None):
    return [(f.sheet, f.cell, f.code) for f in result.findings if code in (None, f.code)]


def test_a_clean_district_has_no_errors(examples):
    result = check_workbook(str(examples / "districts" / "adair.xlsx"), AS_OF)
    assert result.valid, located(result)
    assert len(result.card.goals) == 8 and len(result.card.measures) == 24
    assert len(result.card.actions) == 40
    assert all(all(letters.values()) for letters in result.smart.values())
    assert result.alignment.coverage == 1.0


def hurried_typing(wb) -> None:
    """The clean district of ``test_bad_input`` (goals G1-G4 in rows 5-8, one measure and
    one action each, also rows 5-8), typed by hurried people at these cells."""
    goals, measures, actions = wb["Goals"], wb["Measures"], wb["Actions"]
    goals["A5"], goals["A6"] = "g1 ", "Goal 2"  # ids the sheet's formulas cannot match
    goals["E4"] = "Goal Statement"  # a renamed header
    goals["K4"], goals["K5"] = "Notes", "ask Sam"  # a column the template does not have
    goals["G7"] = "TBD"  # G3 has no owner
    goals["E8"] = "Keep more teachers."  # G4 (teacher retention) is not specific
    measures["F5"] = "42.6%"  # M1's baseline typed as text
    measures["F6"] = 0.411  # M2's baseline typed as 41.1% into a number cell
    measures["F6"].number_format = "0.0%"
    measures["E7"] = "decrease"  # M3's target (90.2 from 87.3) now moves the wrong way
    measures["B8"] = "G99"  # M4 points to a goal that does not exist
    actions["I7"], actions["H7"] = "$12,500", None  # A3 costs money, names no funding
    actions["E8"] = "next month"  # A4's start date
    actions["A8"] = "A3"  # A4 typed as A3: a duplicate id


@pytest.fixture
def hurried(tmp_path):
    return check_workbook(str(write_district(tmp_path / "hurried.xlsx", hurried_typing)),
                          CLEAN_AS_OF)


def test_a_hurried_district_is_read_leniently_and_told_what_to_fix(hurried):
    found = located(hurried)
    assert ("Goals", "A5", "formula-cannot-read") in found  # 'g1 ' read as G1
    assert ("Goals", "A6", "formula-cannot-read") in found  # 'Goal 2' read as G2
    assert ("Goals", "E4", "renamed-header") in found
    assert ("Goals", "K4", "extra-column") in found
    assert ("Measures", "H7", "target-wrong-direction") in found
    assert ("Measures", "B8", "unknown-reference") in found
    assert ("Actions", "E8", "not-a-date") in found
    assert ("Actions", "A8", "duplicate-id") in found
    assert ("Actions", "H7", "cost-without-funding") in found
    assert [g.id for g in hurried.card.goals][:2] == ["G1", "G2"]
    m1, m2 = hurried.card.measures[:2]
    assert (m1.baseline, m2.baseline) == (42.6, 41.1)  # '42.6%', and 0.411 shown as 41.1%
    assert not hurried.valid


def test_smart_letters_name_what_a_goal_misses(hurried):
    assert hurried.smart["G3"]["responsible"] is False  # owner 'TBD'
    assert hurried.smart["G4"]["specific"] is False  # 'Keep more teachers.'
    message = next(f.message for f in hurried.findings if f.code == "not-smart" and
                   "G4" in f.message)
    assert message.startswith("Goal G4 is not Specific")


def test_header_findings_come_back_on_every_read_and_only_for_their_own_file(examples):
    """How a header row maps is worked out once per distinct row; the findings about it
    must still be reported on every read, and a clean file must not inherit them."""
    messy, clean = (str(examples / "districts" / f"{d}.xlsx") for d in ("boyle", "adair"))
    first = check_workbook(messy, AS_OF).to_json()
    assert ("Goals", "E4", "renamed-header") in {(f["sheet"], f["cell"], f["code"])
                                                  for f in first["findings"]}
    assert check_workbook(messy, AS_OF).to_json() == first
    codes = {f["code"] for f in check_workbook(clean, AS_OF).to_json()["findings"]}
    assert not codes & {"renamed-header", "extra-column", "moved-column", "missing-column"}


def test_check_json_follows_the_contract(examples):
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(examples / "districts" / "barren.xlsx"),
                                  "--as-of", AS_OF.isoformat(), "--json"])
    data = json.loads(result.output)
    assert result.exit_code == (0 if data["valid"] else 1)
    assert {"file", "template_version", "as_of", "valid", "findings", "goals", "measures",
            "actions", "alignment"} <= set(data)
    assert data["as_of"] == "2027-01-20"
    assert set(data["findings"][0]) == {"code", "severity", "sheet", "cell", "row", "column",
                                        "message", "values"}
    assert set(data["goals"][0]) >= {"id", "strategic_goal_id", "status", "smart"}
    assert set(data["goals"][0]["smart"]) == {"specific", "measurable", "attainable",
                                              "responsible", "time_bound"}
    assert set(data["measures"][0]) >= {"id", "goal_id", "status", "latest_period",
                                        "latest_actual", "expected", "progress"}
    assert set(data["actions"][0]) >= {"id", "goal_id", "status", "schedule"}
    assert "coverage" in data["alignment"]
    assert all(f["code"] in RULES for f in data["findings"])


@pytest.mark.parametrize("name,code", [("adair.xlsx", 0), ("boyle.xlsx", 1)])
def test_check_exit_codes(examples, name, code):
    result = CliRunner().invoke(main, ["check", str(examples / "districts" / name),
                                       "--as-of", "2027-01-20"])
    assert result.exit_code == code, result.output
    assert "statuses as of 2027-01-20" in result.output


def test_check_of_a_missing_file_exits_2_naming_it(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2
    assert "nope.xlsx: the file does not exist" in result.output


def test_as_of_comes_from_the_profile_when_not_given(make_workbook):
    path = make_workbook(profile={"as_of": date(2027, 3, 1)})
    assert check_workbook(str(path)).as_of == date(2027, 3, 1)
    assert check_workbook(str(path), date(2027, 4, 1)).as_of == date(2027, 4, 1)


def test_rules_lists_every_code():
    result = CliRunner().invoke(main, ["rules", "--json"])
    assert {r["code"] for r in json.loads(result.output)} == set(RULES)


def test_a_check_uses_the_band_stamped_in_the_workbook(tmp_path):
    from sheetsync.check.status import StatusSettings
    from sheetsync.template.workbook import build_template, save_atomic

    rows = {"goals": [{"id": "G1"}], "measures": [
        {"id": "M1", "goal_id": "G1", "unit": "count", "baseline": 40, "target": 50,
         "frequency": "monthly", "actual:2026-12": 44}]}
    narrow = save_atomic(build_template(scorecard_layout(), rows=rows, at_risk_band=0.02),
                         tmp_path / "narrow.xlsx")
    assert check_workbook(str(narrow), AS_OF).measures["M1"].status == "Off Track"
    wide = check_workbook(str(narrow), AS_OF, StatusSettings(at_risk_band=0.2))
    assert wide.measures["M1"].status == "At Risk"  # a cohort's setting wins
