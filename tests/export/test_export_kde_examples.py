"""`sheetsync export kde-cdip` on the example cohort: the district's CDIP and a school's CSIP
against a table of the rows expected (goal → objective → strategy), nothing required left
blank in a clean plan, and `--json` printed without `-o`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.template.school_examples import write_school_examples
from tests.conftest import AS_OF

KCWP = {n: f"KCWP {n}: {name}" for n, name in enumerate((
    "Design and Deploy Standards", "Design and Deliver Instruction",
    "Design and Deliver Assessment Literacy", "Review, Analyze and Apply Data",
    "Design, Align and Deliver Support", "Establishing Learning Culture and Environment"), 1)}
FAMILY, TALENT = "Other: Family partnership", "Other: Talent development"
# The clean example district (Adair): (CDIP area, annual goal, strategy, KCWP, activities),
# by CDIP goal: the five the state requires, then the district's own (climate, staff).
DISTRICT_ROWS = [
    ("Proficiency", "G1", "S1", KCWP[2], 3), ("Proficiency", "G1", "S2", KCWP[5], 2),
    ("Achievement Gap", "G8", "S15", KCWP[5], 3), ("Achievement Gap", "G8", "S16", KCWP[5], 2),
    ("Graduation Rate", "G3", "S5", KCWP[4], 3), ("Graduation Rate", "G3", "S6", FAMILY, 2),
    ("Transition Readiness", "G6", "S11", KCWP[5], 3),
    ("Transition Readiness", "G6", "S12", KCWP[1], 2),
    ("Growth", "G5", "S9", KCWP[2], 3), ("Growth", "G5", "S10", KCWP[4], 2),
    ("Other", "G2", "S3", KCWP[6], 3), ("Other", "G2", "S4", FAMILY, 2),
    ("Other", "G7", "S13", KCWP[6], 3), ("Other", "G7", "S14", KCWP[4], 2),
    ("Other", "G4", "S7", TALENT, 3), ("Other", "G4", "S8", TALENT, 2),
]
# The example high school (ADR-H1): a high school's CSIP has a graduation-rate goal, and
# its attendance goal under Transition Readiness.
HIGH_SCHOOL_ROWS = [
    ("Proficiency", "G1", "S1", KCWP[2], 1), ("Proficiency", "G1", "S2", KCWP[4], 1),
    ("Graduation Rate", "G2", "S3", KCWP[4], 1), ("Graduation Rate", "G2", "S4", FAMILY, 1),
    ("Transition Readiness", "G3", "S5", KCWP[6], 1),
    ("Transition Readiness", "G3", "S6", FAMILY, 1),
]


def export_json(path: Path) -> dict:
    done = CliRunner().invoke(main, ["export", "kde-cdip", str(path), "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def table(data: dict) -> list[tuple[str, str, str | None, str, int]]:
    return [(r["cells"]["Goal"].split(":")[0], r["goal_id"], r["strategy_id"],
             r["cells"]["KCWP"], len(r["cells"]["Activities"].splitlines()))
            for r in data["rows"]]


def test_the_example_district_exports_as_its_cdip(examples: Path) -> None:
    data = export_json(examples / "districts" / "adair.xlsx")
    assert (data["plan"], data["output"], data["district_id"]) == ("CDIP", None, "KY-001")
    assert table(data) == DISTRICT_ROWS
    assert data["gaps"] == []  # the clean district leaves nothing the state requires blank
    first = data["rows"][0]["cells"]
    assert first["Goal"] == ("Proficiency: Increase the share of students scoring proficient "
                             "or above.\n% of students proficient or distinguished in "
                             "reading and math (KSA): 46 → 60 by 2030")
    assert first["Objective"].startswith("By June 2027, raise the share of grade 3 students "
                                         "proficient in reading (MAP) from ")
    assert first["Needs Addressed"] == "N1. Early reading below the state average (root " \
                                       "cause: Uneven Tier 1 reading instruction)"
    assert first["Strategy"].startswith("Explicit, systematic reading instruction")
    assert "\nResearch basis: What Works Clearinghouse" in first["Strategy"]
    assert first["Progress Monitoring"] == \
        "Classroom walkthroughs with the district's reading look-fors"  # said once
    assert [line.split(".")[0] for line in first["Activities"].splitlines()] == ["1", "2", "3"]


@pytest.fixture(scope="module")
def schools(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("schools")
    write_school_examples(folder, as_of=AS_OF)
    return folder


def test_an_example_high_school_exports_as_its_csip(schools: Path) -> None:
    data = export_json(schools / "schools" / "adr-h1.xlsx")
    assert (data["plan"], data["school_id"], data["district_id"]) == \
        ("CSIP", "ADR-H1", "KY-001")
    assert table(data) == HIGH_SCHOOL_ROWS


def test_a_clean_school_plan_leaves_nothing_blank(schools: Path) -> None:
    data = export_json(schools / "schools" / "adr-e1.xlsx")
    assert data["gaps"] == [] and {r[0] for r in table(data)} == \
        {"Proficiency", "Transition Readiness"}


def test_neither_o_nor_json_is_refused(examples: Path) -> None:
    done = CliRunner().invoke(main, ["export", "kde-cdip",
                                     str(examples / "districts" / "adair.xlsx")])
    assert done.exit_code == 2
    assert "give -o FILE.xlsx to write the export, or --json to print it." in done.output
