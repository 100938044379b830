"""A district's cohort of schools pulled into a master with the alignment baseline (issue 14,
items 2 and 3): the Kent fixture of ``school_cards``, checked cell by cell."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli import main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import CohortError
from sheetsync.master.build import build_master
from sheetsync.pull.run import pull
from sheetsync.template.fill import write_scorecard
from tests.school_cards import AS_OF, STRATEGIC, school_plan, write_cohort, write_district

SG1, SG2, SG3 = (t for _, t in STRATEGIC)
ALIGNMENT = [
    ("School ID", "School", "Strategic Goal ID", "Strategic Goal", "Goals", "Measures",
     "Actions", "Status"),
    ("S-01", "Alder Elementary", "SG1", SG1, 1, 1, 2, "On Track"),
    ("S-01", "Alder Elementary", "SG2", SG2, 1, 1, 1, "Off Track"),
    ("S-01", "Alder Elementary", "SG3", SG3, 0, 0, 0, "No Data"),
    ("S-02", "Birch Elementary", "SG1", SG1, 2, 3, 1, "At Risk"),
    ("S-02", "Birch Elementary", "SG2", SG2, 0, 0, 0, "No Data"),
    ("S-02", "Birch Elementary", "SG3", SG3, 0, 0, 0, "No Data"),
    ("S-03", "Cedar Middle", "SG1", SG1, 0, 0, 0, "No Data"),
    ("S-03", "Cedar Middle", "SG2", SG2, 1, 1, 1, "On Track"),
    ("S-03", "Cedar Middle", "SG3", SG3, 1, 1, 2, "Off Track"),
    ("S-04", "Dogwood High", "SG1", SG1, 1, 0, 0, "No Data"),
    ("S-04", "Dogwood High", "SG2", SG2, 0, 0, 0, "No Data"),
    ("S-04", "Dogwood High", "SG3", SG3, 1, 2, 1, "At Risk"),
]
COMMON_MEASURES = [
    ("Measure", "Unit", "Schools", "School IDs", "Lowest", "Median", "Highest"),
    ("Chronic absence", "%", 3, "S-01, S-02, S-03", 10.9, 14.7, 18.5),
    ("Grade 3 Reading Proficiency", "%", 2, "S-01, S-02", 39.5, 42.75, 46),
    ("Office referrals", "count", 2, "S-03, S-04", 190, 232.5, 275),
    ("Four-year graduation rate", "%", 1, "S-04", 90.5, 90.5, 90.5),
    ("Kindergarten readiness", "%", 1, "S-02", 71, 71, 71),
]
DISTRICT_GOALS = [
    ("Strategic Goal ID", "Strategic Goal", "Schools With Goals", "On Track or Met", "At Risk",
     "Off Track or Not Met", "No Data", "Schools Without Goals"),
    ("SG1", SG1, 3, 1, 1, 0, 1, 1),
    ("SG2", SG2, 2, 1, 0, 1, 0, 2),
    ("SG3", SG3, 2, 0, 1, 1, 0, 2),
]


@pytest.fixture
def kent(tmp_path: Path) -> Path:
    return write_cohort(tmp_path / "kent")


def _sheet(path: Path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def test_a_district_with_four_school_plans_pulls_into_alignment_and_common_measures(kent):
    report = pull(load_cohort(kent), AS_OF)
    assert not report.failed and report.master_written
    master = kent.parent / "cohort_master.xlsx"
    assert _sheet(master, "Alignment") == ALIGNMENT
    assert _sheet(master, "Common Measures") == COMMON_MEASURES
    assert _sheet(master, "District Goals") == DISTRICT_GOALS


def test_master_rebuild_writes_the_same_alignment_from_the_store_alone(kent):
    cohort = load_cohort(kent)
    pull(cohort, AS_OF)
    (kent.parent / "district.xlsx").unlink()  # the store keeps the district's goals
    shutil.rmtree(kent.parent / "schools")
    (kent.parent / "cohort_master.xlsx").unlink()
    with Store(cohort.store_path) as store:
        master = build_master(cohort, store)
    assert _sheet(master, "Alignment") == ALIGNMENT
    assert _sheet(master, "District Goals") == DISTRICT_GOALS


def test_a_school_cohort_says_school_where_a_district_cohort_says_district(kent, monkeypatch):
    monkeypatch.chdir(kent.parent)
    result = CliRunner().invoke(main, ["pull", "--as-of", AS_OF.isoformat(), "--force"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("School ")
    assert "4 schools: 4 read" in result.output
    master = kent.parent / "cohort_master.xlsx"
    for name in ("Summary", "Goals", "Measures", "Issues", "History"):
        assert _sheet(master, name)[0][0] == "School ID", name
    assert _sheet(master, "Summary")[0][1] == "School"


def _issues(report: dict, school: str) -> list[tuple]:
    entry = next(d for d in report["districts"] if d["id"] == school)
    return [(f["sheet"], f["cell"], f["code"]) for f in entry["findings"]]


def test_a_plan_made_from_another_districts_plan_is_not_pulled(kent):
    other = write_district(kent.parent / "other.xlsx", district_id="KY-901")
    from sheetsync.read.district import read_district

    write_scorecard(school_plan("S-02", read_district(other)), kent.parent / "schools/S-02.xlsx")
    report = pull(load_cohort(kent), AS_OF).to_json()
    assert _issues(report, "S-02") == [("School Profile", "B12", "school-district-mismatch")]
    assert [d["ok"] for d in report["districts"]] == [True, False, True, True]


def test_a_plan_of_another_school_is_a_school_id_mismatch(kent):
    shutil.copy(kent.parent / "schools/S-01.xlsx", kent.parent / "schools/S-03.xlsx")
    report = pull(load_cohort(kent), AS_OF).to_json()
    assert _issues(report, "S-03") == [("School Profile", "B4", "school-id-mismatch")]


def test_a_district_scorecard_listed_as_a_school_is_not_a_school_plan(kent):
    shutil.copy(kent.parent / "district.xlsx", kent.parent / "schools/S-04.xlsx")
    report = pull(load_cohort(kent), AS_OF).to_json()
    assert ("District Profile", None, "not-a-school-plan") in _issues(report, "S-04")


def test_a_district_file_that_cannot_be_read_stops_the_pull_with_a_clear_message(kent):
    (kent.parent / "district.xlsx").write_text("not a workbook")
    result = CliRunner().invoke(main, ["pull", "--cohort", str(kent), "--as-of",
                                       AS_OF.isoformat(), "--force"])
    assert result.exit_code == 2
    assert "district.xlsx: cannot be read as the district's plan" in result.output
    assert "Nothing was pulled" in result.output


def test_district_goals_changed_after_the_plans_were_made_are_findings_naming_them(kent):
    cohort = load_cohort(kent)
    pull(cohort, AS_OF)
    write_district(kent.parent / "district.xlsx",
                   goals=[STRATEGIC[0], STRATEGIC[2], ("SG4", "Great teachers")])
    pull(load_cohort(kent), AS_OF)  # the plans are unchanged: checked again all the same
    issues = _sheet(kent.parent / "cohort_master.xlsx", "Issues")
    s01 = [(r[0], r[1], r[2], r[4]) for r in issues
           if r[4] in ("district-goal-added", "district-goal-removed",
                       "school-goal-not-in-district") and r[0] == "S-01"]
    assert s01 == [("S-01", "Goals", "B6", "school-goal-not-in-district"),
                   ("S-01", "Strategic Goals", None, "district-goal-added"),
                   ("S-01", "Strategic Goals", "A6", "district-goal-removed")]
    messages = " ".join(str(r[5]) for r in issues)
    assert "SG4 ('Great teachers')" in messages
    alignment = _sheet(kent.parent / "cohort_master.xlsx", "Alignment")
    assert [r[2] for r in alignment[1:4]] == ["SG1", "SG3", "SG4"]


@pytest.mark.parametrize("text, says", [
    ('[cohort]\nname = "x"\nschool_year = "2026-27"\nlevel = "school"\n',
     "names its district's workbook"),
    ('[cohort]\nname = "x"\nschool_year = "2026-27"\nlevel = "school"\n'
     'district = "d.xlsx"\n\n[[district]]\nid = "KY-1"\nname = "x"\n',
     "lists [[school]] entries, not [[district]]"),
    ('[cohort]\nname = "x"\nschool_year = "2026-27"\nlevel = "schools"\n', "cohort.level"),
])
def test_a_school_cohort_file_that_cannot_be_used_says_why(tmp_path, text, says):
    path = tmp_path / "cohort.toml"
    path.write_text(text)
    with pytest.raises(CohortError, match=says.replace("[", r"\[").replace("]", r"\]")):
        load_cohort(path)


def test_sheetsync_keeps_a_school_cohort_file_a_school_cohort_when_it_edits_it(kent):
    from sheetsync.cohort.file import save_cohort

    cohort = load_cohort(kent)
    cohort.districts[0].source = "schools/alder.xlsx"
    save_cohort(cohort)
    again = load_cohort(kent)
    assert again.cohort.level == "school" and again.cohort.district == "district.xlsx"
    assert [d.source for d in again.districts][:2] == ["schools/alder.xlsx",
                                                        "schools/S-02.xlsx"]
    assert "[[district]]" not in kent.read_text()


def test_pull_json_says_the_level(kent):
    result = CliRunner().invoke(main, ["pull", "--cohort", str(kent), "--as-of",
                                       AS_OF.isoformat(), "--force", "--json"])
    assert json.loads(result.output)["level"] == "school"


def test_cohort_init_and_distribute_make_one_plan_per_school_from_the_district(tmp_path,
                                                                               monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_district(tmp_path / "district.xlsx")
    (tmp_path / "roster.csv").write_text("School ID,School Name,Contacts\n"
                                         "S-01,Alder Elementary,head@alder.org\n"
                                         "S-02,Birch Elementary,\n")
    runner = CliRunner()
    made = runner.invoke(main, ["cohort", "init", "--roster", "roster.csv", "--district-file",
                                "district.xlsx", "--year", "2026-27"])
    assert made.exit_code == 0, made.output
    assert "with 2 schools" in made.output
    cohort = load_cohort(tmp_path / "cohort.toml")
    assert (cohort.cohort.level, cohort.cohort.district) == ("school", "district.xlsx")
    done = runner.invoke(main, ["distribute", "--folder", "plans", "--json"])
    assert done.exit_code == 0, done.output
    assert [(d["id"], d["status"]) for d in json.loads(done.output)] == [
        ("S-01", "created"), ("S-02", "created")]
    from sheetsync.check.assess import check_workbook

    plan = tmp_path / "plans" / "Alder Elementary (S-01) — School Improvement Plan 2026-27.xlsx"
    card = check_workbook(str(plan)).card
    assert (card.level, card.profile.school_id, card.profile.district_id) == \
        ("school", "S-01", "KY-900")
    assert [g.id for g in card.strategic_goals] == ["SG1", "SG2", "SG3"]
    again = runner.invoke(main, ["distribute", "--folder", "plans", "--json"])
    assert [d["status"] for d in json.loads(again.output)] == ["skipped", "skipped"]


def test_distribute_again_refreshes_the_locked_list_without_touching_the_schools_rows(kent):
    from sheetsync.check.assess import check_workbook
    from sheetsync.pull.distribute import distribute

    plan = kent.parent / "schools" / "S-03.xlsx"
    before = check_workbook(str(plan)).card
    write_district(kent.parent / "district.xlsx", goals=[*STRATEGIC, ("SG4", "Great teachers")])
    made = distribute(load_cohort(kent), folder=kent.parent / "schools")
    assert [d["status"] for d in made] == ["refreshed"] * 4
    after = check_workbook(str(plan)).card
    assert [g.id for g in after.strategic_goals] == ["SG1", "SG2", "SG3", "SG4"]
    for entity in ("goals", "measures", "actions"):
        assert [m.model_dump(exclude={"row"}) for m in getattr(after, entity)] == \
            [m.model_dump(exclude={"row"}) for m in getattr(before, entity)]
    assert [d["status"] for d in distribute(load_cohort(kent),
                                            folder=kent.parent / "schools")] == ["skipped"] * 4


def test_the_cohort_report_of_a_school_cohort_says_schools_and_shows_the_alignment(kent):
    pytest.importorskip("jinja2")
    from sheetsync.report.cohort import cohort_view

    cohort = load_cohort(kent)
    pull(cohort, AS_OF)
    with Store(cohort.store_path) as store:
        view = cohort_view(cohort, store)
    assert view["words"]["plural"] == "schools"
    assert [(g["Strategic Goal ID"], g["Schools With Goals"], g["On Track or Met"])
            for g in view["alignment"]["District Goals"]] == [("SG1", 3, 1), ("SG2", 2, 1),
                                                               ("SG3", 2, 0)]
    out = kent.parent / "report.html"
    result = CliRunner().invoke(main, ["report", "cohort", "--cohort", str(kent), "-o",
                                       str(out)])
    assert result.exit_code == 0, result.output
    assert "4 schools" in result.output
    page = out.read_text()
    assert "Schools, those needing attention first" in page
    assert "Alignment with the district&#39;s strategic goals" in page or \
        "Alignment with the district's strategic goals" in page
    assert "Chronic absence" in page


def test_a_school_cohort_rolled_over_stays_a_cohort_of_the_districts_schools(kent, tmp_path):
    from sheetsync.check.assess import check_workbook
    from sheetsync.year.cohort import rollover_cohort

    result = rollover_cohort(load_cohort(kent), "2027-28", tmp_path / "next")
    assert not result.failed
    rolled = load_cohort(tmp_path / "next" / "cohort.toml")
    assert rolled.cohort.level == "school"
    assert rolled.district_path.resolve() == (kent.parent / "district.xlsx").resolve()
    assert [d.id for d in rolled.districts] == ["S-01", "S-02", "S-03", "S-04"]
    card = check_workbook(str(rolled.source_path(rolled.districts[0]))).card
    assert (card.level, card.profile.school_id, card.school_year) == \
        ("school", "S-01", "2027-28")


def test_a_schools_reminder_names_its_improvement_plan():
    from datetime import date
    from email.headerregistry import Address

    from sheetsync.cohort.model import District
    from sheetsync.remind.message import reminder
    from sheetsync.remind.plan import Due
    from sheetsync.schema.level import SCHOOL

    due = Due(District(id="S-01", name="Alder Elementary"), "2026-12", date(2026, 12, 30),
              "schools/S-01.xlsx")
    text = reminder(due, [Address(addr_spec="head@alder.org")], None, "Kent schools",
                    SCHOOL).get_content()
    text = " ".join(text.split())  # wrapped at 72 characters
    assert "Alder Elementary's School Improvement Plan for December 2026" in text
    assert "in your plan:" in text
