"""Reading and checking whole workbooks: findings point at the right cells."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from sheetsync.check.assess import check_workbook
from sheetsync.check.findings import RULES
from sheetsync.cli.commands import main
from sheetsync.schema.layout import column_letter, scorecard_layout

from .conftest import AS_OF


def located(result, code=None):
    return [(f.sheet, f.cell, f.code) for f in result.findings if code in (None, f.code)]


def test_a_clean_district_has_no_errors(examples):
    result = check_workbook(str(examples / "districts" / "adair.xlsx"), AS_OF)
    assert result.valid, located(result)
    assert len(result.card.goals) == 8 and len(result.card.measures) == 24
    assert len(result.card.actions) == 40
    assert all(all(letters.values()) for letters in result.smart.values())
    assert result.alignment.coverage == 1.0


def test_a_messy_district_is_read_leniently_and_told_what_to_fix(examples):
    result = check_workbook(str(examples / "districts" / "boyle.xlsx"), AS_OF)
    found = located(result)
    assert ("Goals", "A5", "formula-cannot-read") in found  # 'g1 ' read as G1
    assert ("Goals", "A6", "formula-cannot-read") in found  # 'Goal 2' read as G2
    assert ("Goals", "E4", "renamed-header") in found
    notes = column_letter(len(scorecard_layout("2026-27").sheet("goals").columns) + 1)
    assert ("Goals", f"{notes}4", "extra-column") in found
    assert ("Measures", "H7", "target-wrong-direction") in found
    assert ("Measures", "B8", "unknown-reference") in found
    assert ("Actions", "E9", "not-a-date") in found
    assert ("Actions", "A11", "duplicate-id") in found
    assert ("Actions", "H7", "cost-without-funding") in found
    assert [g.id for g in result.card.goals][:2] == ["G1", "G2"]
    m1, m2 = result.card.measures[:2]
    assert 30 < m1.baseline < 50 and 30 < m2.baseline < 50  # '42.7%', and 0.427 shown as 43%
    assert not result.valid


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


def test_smart_letters_name_what_a_goal_misses(examples):
    result = check_workbook(str(examples / "districts" / "boyle.xlsx"), AS_OF)
    assert result.smart["G3"]["responsible"] is False  # owner 'TBD'
    assert result.smart["G4"]["specific"] is False  # 'Improve math.'
    message = next(f.message for f in result.findings if f.code == "not-smart" and
                   "G4" in f.message)
    assert message.startswith("Goal G4 is not Specific")


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
    from sheetsync.schema.layout import scorecard_layout
    from sheetsync.template.workbook import build_template, save_atomic

    rows = {"goals": [{"id": "G1"}], "measures": [
        {"id": "M1", "goal_id": "G1", "unit": "count", "baseline": 40, "target": 50,
         "frequency": "monthly", "actual:2026-12": 44}]}
    narrow = save_atomic(build_template(scorecard_layout(), rows=rows, at_risk_band=0.02),
                         tmp_path / "narrow.xlsx")
    assert check_workbook(str(narrow), AS_OF).measures["M1"].status == "Off Track"
    wide = check_workbook(str(narrow), AS_OF, StatusSettings(at_risk_band=0.2))
    assert wide.measures["M1"].status == "At Risk"  # a cohort's setting wins
