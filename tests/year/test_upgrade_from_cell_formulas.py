"""A workbook made with template 1.0, whose formulas called CELL("format") (which Excel for the
web and mobile do not have), is brought onto the portable formulas by ``upgrade``, every value
carried; ``check`` says ``template-version`` on it, as for any other version.

``workbooks/district_scorecard_1.0.xlsx`` is the committed template of release 1.0, as it was
distributed; the test types a district's values into it the way a person would (a % typed as
46% in a percent-formatted cell among them).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.layout import TEMPLATE_VERSION
from sheetsync.year.upgrade import upgrade_file

OLD = Path(__file__).with_name("workbooks") / "district_scorecard_1.0.xlsx"
AS_OF = date(2027, 1, 20)


def _formulas(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=")]


@pytest.fixture
def typed_old(tmp_path: Path) -> Path:
    """Template 1.0 as a district filled it in."""
    path = tmp_path / "adair-1.0.xlsx"
    shutil.copyfile(OLD, path)
    wb = openpyxl.load_workbook(path)
    profile = wb["District Profile"]
    profile["B4"], profile["B5"], profile["B7"] = "KY-001", "Adair County", AS_OF
    for sheet, cells in {
        "Strategic Goals": {"A5": "SG1", "B5": "Every student reads on grade level"},
        "CDIP Goals": {"A5": "CG1", "B5": "Proficiency", "C5": "Raise reading proficiency"},
        "Goals": {"A5": "G1", "B5": "SG1", "C5": "CG1",
                  "E5": "Grade 3 reading proficiency rises from 40% to 50% by June 2027."},
        "Measures": {"A5": "M1", "B5": "G1", "C5": "Grade 3 proficient", "D5": "%",
                     "F5": 40, "H5": 50, "J5": "monthly"},
        "Actions": {"A5": "A1", "B5": "G1", "C5": "Tutoring", "F5": date(2027, 5, 1),
                    "J5": "In Progress"},
    }.items():
        for ref, value in cells.items():
            wb[sheet][ref] = value
    measures = wb["Measures"]
    december = next(c.column_letter for c in measures[4] if c.value == "Actual Dec 2026")
    measures[f"{december}5"] = 0.46  # typed 46% ...
    measures[f"{december}5"].number_format = "0%"  # ... so Excel stored 0.46, shown as 46%
    wb.save(path)
    return path


def test_template_1_0_carried_cell_formulas(typed_old: Path) -> None:
    """The reproduction: what was distributed calls CELL("format")."""
    assert any('CELL("format"' in f for f in _formulas(typed_old))


def test_upgrade_brings_a_1_0_workbook_onto_the_portable_formulas(typed_old: Path,
                                                                    tmp_path: Path) -> None:
    new = tmp_path / "adair.xlsx"
    upgrade_file(typed_old, new)
    assert not any("CELL(" in f for f in _formulas(new))
    old_card, _ = read_scorecard(str(typed_old))
    new_card, _ = read_scorecard(str(new))
    assert old_card.template_version == "1.0"
    assert new_card.template_version == TEMPLATE_VERSION
    for entity in ("strategic_goals", "cdip_goals", "goals", "measures", "actions"):
        strip = {"row"}
        assert [m.model_dump(exclude=strip) for m in getattr(new_card, entity)] == \
            [m.model_dump(exclude=strip) for m in getattr(old_card, entity)], entity
    assert new_card.measures[0].actuals["2026-12"] == 46  # 46% read as 46, then and now


def test_check_says_template_version_on_a_1_0_workbook_and_not_after_upgrade(
        typed_old: Path, tmp_path: Path) -> None:
    old = check_workbook(str(typed_old), AS_OF)
    assert [(f.cell, f.code) for f in old.findings if f.code == "template-version"] == [
        ("B10", "template-version")]
    new = tmp_path / "adair.xlsx"
    upgrade_file(typed_old, new)
    after = check_workbook(str(new), AS_OF)
    assert not [f for f in after.findings if f.code == "template-version"]
    assert after.measures["M1"].status == old.measures["M1"].status == "On Track"
