"""Every rule ``sheetsync rules`` lists is emitted: one small trigger per code.

Each trigger is the clean district of ``test_bad_input`` (no findings at all on its
``AS_OF``) with one edit that breaks one rule, a school plan of ``school_cards`` checked
against an edited district plan, or, for the rules only a pull or the Excel functions
apply, the smallest call that applies them. A rule added to the catalogue without
a trigger here fails ``test_every_rule_is_emitted_by_its_trigger``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.cohort.fields import parse_cohort
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.model import District
from sheetsync.cohort.store import Outcome
from sheetsync.pull.run import identity_findings, source_older
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.findings import RULES, Finding
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import write_scorecard
from sheetsync.udfs import read_grids
from tests import school_cards as schools
from tests.read.test_bad_input import (
    AS_OF,
    Edit,
    as_general,
    both,
    insert_column,
    remove_sheet,
    set_cells,
    swap_columns,
    write_district,
)

Trigger = Callable[[Path], list[Finding]]


def edited(edit: Edit) -> Trigger:
    """Check the clean district with ``edit`` applied."""
    return lambda tmp: check_workbook(str(write_district(tmp / "d.xlsx", edit)), AS_OF).findings


def percent_formatted(sheet: str, **cells: Any) -> Edit:
    """Type ``cells``; a number gets a percent format (0.45 shows as 45%)."""
    def edit(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value
            if isinstance(value, float):
                wb[sheet][ref].number_format = "0%"
    return edit


def clear(sheet: str, cells: str) -> Edit:
    """Empty a block of cells, e.g. clear("Goals", "A4:J4")."""
    def edit(wb: Any) -> None:
        for row in wb[sheet][cells]:
            for c in row:
                c.value = None
    return edit


def without_formulas(entity: str, row: int) -> Edit:
    """Row ``row`` of ``entity``'s sheet as a row inserted by hand: values, no formulas."""
    sheet = scorecard_layout().sheet(entity)
    return set_cells(sheet.name, **{f"{c.letter}{row}": None for c in sheet.columns
                                    if not c.is_input})


def too_many_rows(tmp: Path) -> list[Finding]:
    return read_scorecard(str(write_district(tmp / "d.xlsx")), max_rows=2)[1]


def excel_without_formats(tmp: Path) -> list[Finding]:
    """Excel passes a typed 50% as 0.5: the functions cannot tell it from a rate of 0.5."""
    header = ["Measure ID", "Goal ID", "Measure", "Unit", "Direction", "Baseline", "Target"]
    return read_grids({"Measures": [header, ["M1", "G1", "Rate", "%", "increase", 0.5, 0.9]]},
                      "2026-27")[1]


COHORT = parse_cohort({"cohort": {"name": "Test", "school_year": "2026-27"},
                       "district": [{"id": "KY-001", "name": "Adair County",
                                     "source": "adair.xlsx"}]})
ADAIR = District(id="KY-001", name="Adair County", source="adair.xlsx")


def identity(card: dict[str, Any], shared_with: tuple[str, ...] = ()) -> Trigger:
    return lambda tmp: identity_findings(card, ADAIR, COHORT, shared_with)


def school_checked(district: Any = None, edit: Callable[[Any], None] = lambda card: None
                   ) -> Trigger:
    """Check school S-01's plan (``edit`` applied) against ``district``'s plan, if any."""
    def trigger(tmp: Path) -> list[Finding]:
        card = schools.school_plan("S-01")
        edit(card)
        path = write_scorecard(card, tmp / "sip.xlsx")
        return check_workbook(str(path), schools.AS_OF, district=district).findings
    return trigger


def school_identity(card: dict[str, Any]) -> Trigger:
    """A pull's identity check of ``card`` as school S-01 of a Kent school cohort."""
    def trigger(tmp: Path) -> list[Finding]:
        schools.write_district(tmp / "district.xlsx")
        path = tmp / "cohort.toml"
        path.write_text('[cohort]\nname = "Kent schools"\nschool_year = "2026-27"\n'
                        'level = "school"\ndistrict = "district.xlsx"\n\n[[school]]\n'
                        'id = "S-01"\nname = "Alder Elementary"\nsource = "s-01.xlsx"\n')
        cohort = load_cohort(path)
        return identity_findings(card, cohort.districts[0], cohort)
    return trigger


def an_older_copy(tmp: Path) -> list[Finding]:
    prev = {"read_at": "2027-01-10T09:00:00", "source": "adair.xlsx",
            "modified": "2027-01-09T17:00:00"}
    read = Outcome("KY-001", "Adair County", "adair.xlsx", True, "2027-01-20", "2027-01-20",
                   "{}", modified="2026-12-01T08:00:00")
    return [f for f in [source_older(prev, read)] if f is not None]


TRIGGERS: dict[str, Trigger] = {
    # structure
    "missing-sheet": edited(remove_sheet("Needs")),
    "missing-column": edited(set_cells("Goals", A4=None)),
    "missing-optional-column": edited(set_cells("Measures", K4=None)),
    "no-header-row": edited(clear("Goals", "A4:J4")),
    "renamed-header": edited(set_cells("Goals", E4="SMART Goal Statment")),
    "moved-column": edited(swap_columns("Goals", "F", "G")),
    "extra-column": edited(insert_column("Goals", 11, "Notes")),
    "template-version": edited(set_cells("District Profile", B10="0.1")),
    "school-year-mismatch": edited(set_cells("District Profile", B6="2027-28")),
    "too-many-rows": too_many_rows,
    "missing-month-column": edited(set_cells("Measures", U4=None)),
    "empty-scorecard": edited(both(clear("Goals", "A5:H8"), clear("Measures", "A5:L8"))),
    # values
    "required-missing": edited(set_cells("Measures", C5=None)),
    "not-a-number": edited(set_cells("Measures", F5="about forty")),
    "not-a-date": edited(set_cells("Actions", E5="next month")),
    "not-a-year": edited(set_cells("Strategic Goals", E5="soon")),
    "invalid-choice": edited(set_cells("Measures", D5="furlongs")),
    "duplicate-id": edited(set_cells("Goals", A6="G1")),
    "formula-error": edited(set_cells("Measures", F5="#DIV/0!")),
    "out-of-range": edited(set_cells("Measures", U5=450)),
    "unknown-month": edited(set_cells("Monthly Updates", A5=date(2025, 10, 1))),
    "value-normalised": edited(set_cells("Actions", I5="$5,000")),
    "ambiguous-number": edited(set_cells("Measures", F5="1,200")),
    "formula-cannot-read": edited(set_cells("Actions", F5="03/30/2027")),
    "format-unknown": excel_without_formats,
    "future-actual": edited(set_cells("Measures", X5=60)),
    "date-in-number-cell": edited(set_cells("Measures", V5=date(2026, 11, 15))),
    "number-in-date-cell": edited(as_general("Actions", F5=46477)),
    "mixed-percent-scale": edited(set_cells("Measures", F5=2)),  # 2 beside 49 and 41.9
    "percent-format-not-percent-unit": edited(percent_formatted("Measures", D5="count",
                                                                 F5=0.45)),
    "row-without-formulas": edited(without_formulas("actions", 6)),
    "formula-without-value": edited(set_cells("Measures", V5="=40+6")),  # openpyxl: no result
    # SMART
    "not-smart": edited(set_cells("Goals", E5="Improve reading.")),
    "target-wrong-direction": edited(set_cells("Measures", H5=10)),
    "percent-out-of-range": edited(set_cells("Measures", H5=150)),
    # alignment
    "unknown-reference": edited(set_cells("Goals", B5="SG9")),
    "strategic-goal-uncovered": edited(set_cells("Strategic Goals", A9="SG9",
                                                 B9="Families are partners")),
    "goal-without-measure": edited(set_cells("Measures", B5="G2")),
    "goal-without-action": edited(set_cells("Actions", B5="G2")),
    "priority-need-count": edited(set_cells("Needs", D5="no", D6="no", D7="no", D8="no",
                                            D9="no")),
    "need-unaddressed": edited(set_cells("Goals", D6="N1")),  # N2 left without a goal
    "goal-without-strategy": edited(set_cells("Strategies", B5="G2")),  # G1 left without
    "strategy-without-action": edited(set_cells("Actions", M5=None)),  # S1's one action
    "required-goal-missing": edited(set_cells("CDIP Goals", B7="Other")),  # Graduation Rate
    "cdip-goal-not-measurable": edited(set_cells("CDIP Goals", F5=None)),  # CG1's target
    # execution
    "action-without-owner": edited(set_cells("Actions", D5=None)),
    "cost-without-funding": edited(set_cells("Actions", H5=None)),
    "action-without-monitoring": edited(set_cells("Actions", L5=None)),
    "action-overdue": edited(set_cells("Actions", F5=date(2026, 11, 1))),
    "action-late-start": edited(set_cells("Actions", E5=date(2026, 10, 1), J5="Not Started",
                                          K5=0)),
    "measure-stale": edited(set_cells("Measures", J5="monthly")),
    "update-missing": edited(set_cells("Monthly Updates", H5=None)),
    "update-late": edited(set_cells("Monthly Updates", H5=date(2026, 11, 10))),
    "submitted-in-future": edited(set_cells("Monthly Updates", H5=date(2026, 12, 20))),
    # identity: only a pull asks whose workbook it is
    "district-id-mismatch": identity({"profile": {"district_id": "KY-002"},
                                      "school_year": "2026-27"}),
    "wrong-school-year": identity({"profile": {"district_id": "KY-001"},
                                   "school_year": "2025-26"}),
    "shared-source": identity({"profile": {"district_id": "KY-001"},
                               "school_year": "2026-27"}, ("KY-002",)),
    "source-older": an_older_copy,
    # schools: a school plan against its district's plan
    "school-goal-not-in-district": school_checked(
        edit=lambda card: setattr(card.goals[1], "strategic_goal_id", "SG7")),
    "district-goal-added": school_checked(schools.district_plan(
        [*schools.STRATEGIC, ("SG4", "Great teachers")])),
    "district-goal-removed": school_checked(schools.district_plan(schools.STRATEGIC[:2])),
    "school-district-mismatch": school_checked(replace(schools.district_plan(), id="KY-901")),
    "school-id-mismatch": school_identity({"level": "school", "school_year": "2026-27",
                                           "profile": {"school_id": "S-02",
                                                       "district_id": schools.DISTRICT_ID}}),
    "not-a-school-plan": school_identity({"level": "district", "school_year": "2026-27",
                                          "profile": {"district_id": schools.DISTRICT_ID}}),
}


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_is_emitted_by_its_trigger(code: str, tmp_path: Path) -> None:
    assert code in TRIGGERS, f"rule {code} has no trigger: add one to TRIGGERS"
    found = TRIGGERS[code](tmp_path)
    assert code in {f.code for f in found}, [(f.sheet, f.cell, f.code) for f in found]


def test_every_trigger_is_a_rule() -> None:
    assert set(TRIGGERS) <= set(RULES)


def test_a_monthly_update_for_a_month_of_another_year_is_a_warning_at_its_month(
        tmp_path: Path) -> None:
    found = TRIGGERS["unknown-month"](tmp_path)
    month = next(f for f in found if f.code == "unknown-month")
    assert (month.sheet, month.cell, str(month.severity)) == ("Monthly Updates", "A5",
                                                               "warning")
    assert month.message.startswith("Month in A5 is Oct 2025, which is not a month of the "
                                    "2026-27 school year")
