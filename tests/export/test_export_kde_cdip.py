"""`sheetsync export kde-cdip`: a scorecard in Kentucky's CDIP/CSIP goal-building columns."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.export.kde_cdip import COLUMNS, SHEET, readme_table
from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    Need,
    Profile,
    Scorecard,
    StrategicGoal,
    Strategy,
)
from sheetsync.template.fill import write_scorecard
from tests.libreoffice import convert, needs_libreoffice

ROOT = Path(__file__).resolve().parents[2]
HEADERS = ["Goal", "Objective", "Needs Addressed", "Strategy", "KCWP", "Activities",
           "Measure of Success", "Progress Monitoring", "Funding"]
HYPERLINK = '=HYPERLINK("http://example.com","click")'
PLUS_CMD = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)"
UTF8_CSV = "csv:Text - txt - csv (StarCalc):44,34,76"  # comma, double quote, UTF-8


def lincoln_card() -> Scorecard:
    """Lincoln County: three annual goals. G1 has all but its second action's owner and due
    date; G2 maps to the first CDIP goal (so its row comes first) and misses a frequency, a
    funding source and a monitoring method; G3 names no CDIP goal and a strategic goal that
    is not there, has nothing under it and a statement that looks like a formula, as do the
    strategic goals' titles. M5 belongs to a goal that is not there. M1's baseline is typed
    into Excel as 46% (see ``lincoln``)."""
    return Scorecard(
        source="", school_year="2026-27", template_version="1.0",
        profile=Profile(district_id="KY-900", district_name="Lincoln County Schools",
                        school_year="2026-27", template_version="1.0"),
        strategic_goals=[StrategicGoal(id="SG1", title=PLUS_CMD),
                         StrategicGoal(id="SG2", title=AT_SUM)],
        cdip_goals=[CdipGoal(id="CG1", area="Proficiency",
                             statement="Increase students scoring proficient or above.",
                             indicator="% proficient or distinguished, reading and math (KSA)",
                             baseline=46, target=60, target_year=2030),
                    CdipGoal(id="CG2", area="Graduation Rate",
                             statement="Raise the four-year graduation rate.",
                             indicator="Four-year graduation rate", baseline=90.5)],
        needs=[Need(id="N1", description="Early reading below the state average",
                    priority=True, cause="Tier 1 phonics gaps")],
        goals=[Goal(id="G1", strategic_goal_id="SG1", cdip_goal_id="CG2", need_id="N1",
                    statement="By May 2027, 52% of grade 3 students read proficiently.",
                    owner="Ada Reyes", target_date=date(2027, 5, 31)),
               Goal(id="G2", strategic_goal_id="SG2", cdip_goal_id="CG1",
                    statement="New students enrol in 8 days or fewer.", owner="Tom Baker"),
               Goal(id="G3", strategic_goal_id="SG9", statement=HYPERLINK)],
        measures=[Measure(id="M1", goal_id="G1", name="Grade 3 reading proficiency", unit="%",
                          baseline=46, target=52, target_date=date(2027, 5, 31),
                          frequency="quarterly", data_source="KSA"),
                  Measure(id="M2", goal_id="G1", name="Office referrals", unit="count",
                          baseline=1420, target=1350, frequency="monthly"),
                  Measure(id="M3", goal_id="G2", name="Days to enrol", unit="days",
                          baseline=12, target=8),
                  Measure(id="M4", goal_id="G2", name="Tutoring budget spent", unit="dollars",
                          baseline=1200.75, target=2000, frequency="annual"),
                  Measure(id="M5", goal_id="G99", name="Lost measure", unit="%", baseline=1,
                          target=2, frequency="annual")],
        strategies=[Strategy(id="S1", goal_id="G1", kcwp="KCWP 2: Design and Deliver "
                             "Instruction", description="Explicit, systematic phonics",
                             research_basis="WWC foundational reading skills guide"),
                    Strategy(id="S2", goal_id="G2", kcwp="Other"),
                    Strategy(id="S3", goal_id="G1", kcwp="KCWP 4: Review, Analyze and Apply "
                             "Data", description=AT_SUM,
                             research_basis="WWC: using student achievement data")],
        actions=[Action(id="A1", goal_id="G1", description="Train teachers",
                        owner="Maria Chen", start_date=date(2026, 9, 1),
                        due_date=date(2026, 12, 15), funding_source="Title I", cost=12000,
                        status="In Progress", evidence="Walkthrough notes",
                        strategy_id="S1"),
                 Action(id="A2", goal_id="G1", description="Coach new teachers",
                        start_date=date(2027, 3, 1), status="Not Started",
                        evidence="Walkthrough notes", strategy_id="S1"),
                 Action(id="A3", goal_id="G2", description="Enrolment hotline", owner="Tom Baker",
                        due_date=date(2027, 1, 31), cost=5000, status="Not Started",
                        strategy_id="S2"),
                 Action(id="A4", goal_id="G1", description="Family reading nights",
                        owner="Kim Patel", due_date=date(2027, 4, 30), cost=800,
                        funding_source="Title I", evidence="Sign-in sheets",
                        status="Not Started")])


# What the state's form shows for Lincoln County, row by row: a row per goal → objective →
# strategy, grouped by CDIP goal; G1's action that names no strategy gets a row of its own.
G1_GOAL = "Graduation Rate: Raise the four-year graduation rate.\nFour-year graduation rate"
G1_OBJECTIVE = "By May 2027, 52% of grade 3 students read proficiently."
G1_NEED = "N1. Early reading below the state average (root cause: Tier 1 phonics gaps)"
G1_MEASURES = ("Grade 3 reading proficiency: 46% → 52% by May 31, 2027 (quarterly, KSA)\n"
     "Office referrals: 1,420 → 1,350 by Jun 30, 2027 (monthly)")
LINCOLN_ROWS = [
    ["Proficiency: Increase students scoring proficient or above.\n"
     "% proficient or distinguished, reading and math (KSA): 46 → 60 by 2030",
     "New students enrol in 8 days or fewer.", "", "", "Other",
     "1. Enrolment hotline (Tom Baker; due Jan 31, 2027)",
     "Days to enrol: 12 days → 8 days by Jun 30, 2027\n"
     "Tutoring budget spent: $1,200.75 → $2,000 by Jun 30, 2027 (annual)",
     "", "1. $5,000 (funding source not given)"],
    [G1_GOAL, G1_OBJECTIVE, G1_NEED,
     "Explicit, systematic phonics\nResearch basis: WWC foundational reading skills guide",
     "KCWP 2: Design and Deliver Instruction",
     "1. Train teachers (Maria Chen; Sep 1, 2026 – Dec 15, 2026)\n"
     "2. Coach new teachers (from Mar 1, 2027)",
     G1_MEASURES, "Walkthrough notes", "1. Title I, $12,000"],
    [G1_GOAL, G1_OBJECTIVE, G1_NEED,
     f"{AT_SUM}\nResearch basis: WWC: using student achievement data",
     "KCWP 4: Review, Analyze and Apply Data", "", G1_MEASURES, "", ""],
    [G1_GOAL, G1_OBJECTIVE, G1_NEED, "", "",
     "1. Family reading nights (Kim Patel; due Apr 30, 2027)", G1_MEASURES,
     "Sign-in sheets", "1. Title I, $800"],
    ["", HYPERLINK, "", "", "", "", "", "", ""],
]
# Every required field left blank, and the cell of the scorecard to fill: (sheet, cell,
# column), in the order of the sheets and their cells.
LINCOLN_GAPS = [
    ("CDIP Goals", "F6", "Goal"), ("CDIP Goals", "G6", "Goal"),
    ("Goals", "D6", "Needs Addressed"), ("Goals", "A7", "Strategy"),
    ("Goals", "A7", "Activities"), ("Goals", "A7", "Measure of Success"),
    ("Goals", "C7", "Goal"), ("Goals", "D7", "Needs Addressed"),
    ("Measures", "J7", "Measure of Success"), ("Measures", "B9", "Measure of Success"),
    ("Strategies", "D6", "KCWP"), ("Strategies", "E6", "Strategy"),
    ("Strategies", "F6", "Strategy"), ("Strategies", "A7", "Activities"),
    ("Actions", "D6", "Activities"), ("Actions", "F6", "Activities"),
    ("Actions", "H7", "Funding"), ("Actions", "L7", "Progress Monitoring"),
    ("Actions", "M8", "Strategy"),
]


@pytest.fixture
def lincoln(tmp_path: Path) -> Path:
    """Lincoln County's workbook, M1's baseline typed as 46% (0.46 in a percent cell)."""
    path = write_scorecard(lincoln_card(), tmp_path / "lincoln.xlsx")
    wb = openpyxl.load_workbook(path)
    cell = wb["Measures"]["F5"]
    assert cell.value == 46
    cell.value, cell.number_format = 0.46, "0%"
    wb.save(path)
    return path


def export(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, ["export", "kde-cdip", *args])
    return done.exit_code, done.output


def sheet_rows(path: Path) -> list[list[str]]:
    ws = openpyxl.load_workbook(path)[SHEET]
    return [[v or "" for v in row] for row in ws.iter_rows(values_only=True)]


def test_lincoln_exports_cell_by_cell(lincoln, tmp_path):
    code, out = export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    assert code == 0, out
    assert sheet_rows(tmp_path / "cdip.xlsx") == [HEADERS, *LINCOLN_ROWS]


def test_percent_typed_in_excel_shows_as_46_percent_not_0_46(lincoln, tmp_path):
    export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    measure = sheet_rows(tmp_path / "cdip.xlsx")[2][6]
    assert "46% → 52%" in measure and "0.46" not in measure


def test_gaps_name_the_cell_to_fill(lincoln, tmp_path):
    code, out = export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"), "--json")
    assert code == 0, out
    gaps = json.loads(out)["gaps"]
    assert [(g["sheet"], g["cell"], g["column"]) for g in gaps] == LINCOLN_GAPS
    assert gaps[6]["message"] == ("goal G3 names no CDIP goal, so its Goal is blank: fill in "
                                  "its CDIP Goal ID.")


def test_a_scorecard_with_errors_still_exports_and_says_how_many(lincoln, tmp_path):
    code, out = export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    assert code == 0
    assert out.splitlines()[0] == (f"Wrote {tmp_path / 'cdip.xlsx'}: 5 rows, one per goal, "
                                   "objective and strategy, in Kentucky's CDIP goal-building "
                                   "columns.")
    assert "What the state's form requires and the scorecard leaves blank" in out
    assert "  Goals!C7: goal G3 names no CDIP goal" in out
    assert "  Measures!B9: measure M5 names goal G99, which the Goals sheet does not have: " \
           "it is in no row." in out
    found = re.search(r"has (\d+) errors? and (\d+) warnings?: `sheetsync check ", out)
    assert found and int(found.group(1)) > 0


def test_json_is_the_rows_and_gaps(lincoln, tmp_path):
    code, out = export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"), "--json")
    assert code == 0
    data = json.loads(out)
    assert (data["format"], data["sheet"], data["district_id"], data["school_year"]) == \
        ("kde-cdip", SHEET, "KY-900", "2026-27")
    assert data["columns"] == HEADERS
    assert [(r["goal_id"], r["strategy_id"]) for r in data["rows"]] == \
        [("G2", "S2"), ("G1", "S1"), ("G1", "S3"), ("G1", None), ("G3", None)]
    assert data["plan"] == "CDIP"
    assert [list(r["cells"].values()) for r in data["rows"]] == LINCOLN_ROWS
    assert data["findings"]["error"] > 0 and data["output"] == str(tmp_path / "cdip.xlsx")


def test_formula_looking_text_stays_text(lincoln, tmp_path):
    export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    ws = openpyxl.load_workbook(tmp_path / "cdip.xlsx")[SHEET]
    assert ws["B6"].value == HYPERLINK and ws["D4"].value.startswith(AT_SUM)
    for cell in (ws["B6"], ws["D4"]):
        assert cell.data_type == "s" and cell.quotePrefix  # Excel keeps it text when edited
    assert not ws["A2"].quotePrefix  # ordinary text has no quote prefix


def test_the_sheet_prints_landscape_letter_one_page_wide_header_repeated(lincoln, tmp_path):
    export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    wb = openpyxl.load_workbook(tmp_path / "cdip.xlsx")
    ws = wb[SHEET]
    assert wb.sheetnames == [SHEET]
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth or 1,
            ws.page_setup.fitToHeight) == ("landscape", 1, 1, 0)  # fitToWidth left out is 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert [ws.column_dimensions[c].width for c in "ABCDEFGHI"] == \
        pytest.approx([c.width for c in COLUMNS], abs=1)
    assert all(ws.cell(r, c).alignment.wrap_text for r in (1, 3) for c in range(1, 10))
    assert ws.row_dimensions[3].height > ws.row_dimensions[6].height  # sized to its text
    assert ws.oddFooter.left.text == "Lincoln County Schools · 2026-27"


@pytest.mark.parametrize("n", range(6))
def test_every_example_exports(examples, tmp_path, n):
    from sheetsync.read.scorecard import read_scorecard

    source = sorted((examples / "districts").glob("*.xlsx"))[n]
    code, out = export(str(source), "-o", str(tmp_path / "cdip.xlsx"))
    assert code == 0, out
    rows = sheet_rows(tmp_path / "cdip.xlsx")
    card, _ = read_scorecard(str(source))
    strategies = {s.goal_id for s in card.strategies}
    assert rows[0] == HEADERS and len(rows) - 1 >= len(card.goals)
    for row in rows[1:]:
        assert row[5] and row[6], row  # every strategy has its actions, every goal measures
    percents = [float(v) for row in rows[1:] for v in re.findall(r"([\d.]+)%", row[6])]
    assert percents and min(percents) > 1  # 46%, never 0.46% (a messy 45% typed in Excel)
    assert all(g.id in strategies for g in card.goals)  # the examples carry strategies


def test_refuses_to_overwrite_without_force(lincoln, tmp_path):
    output = tmp_path / "cdip.xlsx"
    output.write_bytes(b"the district's own file")
    code, out = export(str(lincoln), "-o", str(output))
    assert code == 2
    assert f"{output} exists; choose another -o file, or pass --force to replace it." in out
    assert output.read_bytes() == b"the district's own file"
    code, out = export(str(lincoln), "-o", str(output), "--force")
    assert code == 0 and sheet_rows(output)[0] == HEADERS


def test_a_failed_write_leaves_the_previous_export_whole(lincoln, tmp_path, monkeypatch):
    from sheetsync.export import write

    output = tmp_path / "cdip.xlsx"
    export(str(lincoln), "-o", str(output))
    before = output.read_bytes()

    def half_written(tmp: Path, *args: object) -> None:
        tmp.write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write, "_write", half_written)
    code, out = export(str(lincoln), "-o", str(output), "--force")
    assert code == 2 and f"{output}: cannot write (No space left on device)" in out
    assert output.read_bytes() == before
    assert {p.name for p in tmp_path.iterdir()} == {"lincoln.xlsx", "cdip.xlsx"}


def test_never_writes_over_the_scorecard_it_reads(lincoln):
    before = lincoln.read_bytes()
    code, out = export(str(lincoln), "-o", str(lincoln), "--force")
    assert code == 2 and "is the workbook being read" in out
    assert lincoln.read_bytes() == before


def test_output_must_be_an_xlsx(lincoln, tmp_path):
    code, out = export(str(lincoln), "-o", str(tmp_path / "cdip.csv"))
    assert code == 2 and "give -o a name ending in .xlsx" in out
    assert not (tmp_path / "cdip.csv").exists()


@pytest.mark.parametrize("name, content, said", [
    ("notes.xlsx", None, "does not exist"),
    ("budget.csv", "a,b\n1,2\n", "save it as an Excel workbook"),
    ("budget.xlsx", "foreign", "not a District Scorecard workbook"),
])
def test_unreadable_or_foreign_file_is_a_clear_message(tmp_path, name, content, said):
    source = tmp_path / name
    if content == "foreign":
        wb = openpyxl.Workbook()
        wb.active.title = "Budget"
        wb.save(source)
    elif content:
        source.write_text(content)
    code, out = export(str(source), "-o", str(tmp_path / "cdip.xlsx"))
    assert code == 2 and said in out, out
    assert not (tmp_path / "cdip.xlsx").exists()


def test_readme_table_is_made_from_the_declaration():
    table = readme_table().splitlines()
    assert table[:2] == ["| Column | Filled from the scorecard |", "|---|---|"]
    assert [line.split(" | ")[0].removeprefix("| ") for line in table[2:]] == HEADERS
    assert [c.header for c in COLUMNS] == HEADERS


def test_readme_table_matches_the_declaration():
    """The README's mapping table is the declaration's (``readme_table``)."""
    assert readme_table() in (ROOT / "README.md").read_text()


@needs_libreoffice[0]
@needs_libreoffice[1]
def test_libreoffice_opens_the_export(lincoln, tmp_path):
    export(str(lincoln), "-o", str(tmp_path / "cdip.xlsx"))
    convert([tmp_path / "cdip.xlsx"], tmp_path / "lo", to=UTF8_CSV)
    with (tmp_path / "lo" / "cdip.csv").open(newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [HEADERS, *LINCOLN_ROWS]
