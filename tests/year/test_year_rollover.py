"""`sheetsync rollover`: next year's draft from this year's workbook."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from sheetsync.check import assess
from sheetsync.cli.commands import main
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.layout import TEMPLATE_VERSION
from sheetsync.year.rollover import NOTES_SHEET, rollover_file

ROWS = {
    "strategic_goals": [
        {"id": "SG1", "title": "Reading", "start_year": 2024, "end_year": 2029},
        {"id": "SG2", "title": "Old plan", "start_year": 2022, "end_year": 2027},
        {"id": "SG3", "title": "No end"}],
    "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "More proficient."}],
    "needs": [{"id": "N1", "description": "Reading", "priority": "yes"}],
    "goals": [{"id": "G1", "strategic_goal_id": "SG1", "cdip_goal_id": "CG1",
               "statement": "Read", "owner": "Ada", "target_date": date(2027, 6, 30)},
              {"id": "G2", "strategic_goal_id": "SG3", "cdip_goal_id": "CG1",
               "statement": "Later", "owner": "Ada", "target_date": date(2029, 6, 30)}],
    "measures": [
        {"id": "M1", "goal_id": "G1", "name": "Text pct", "unit": "%", "baseline": 42,
         "target": 60, "frequency": "monthly", "target_date": date(2027, 6, 30),
         "actual:2026-10": 50, "actual:2027-03": "57%", "interim_target:2026-12": 48},
        {"id": "M2", "goal_id": "G1", "name": "Fraction shown as %", "unit": "%",
         "baseline": 40, "target": 70, "frequency": "monthly", "actual:2027-02": 0.58},
        {"id": "M3", "goal_id": "G1", "name": "Nothing yet", "unit": "count",
         "baseline": 400, "target": 350, "frequency": "monthly"},
        {"id": "M4", "goal_id": "G1", "name": "Met", "unit": "count", "baseline": 10,
         "target": 20, "frequency": "monthly", "actual:2027-05": 21}],
    "actions": [
        {"id": "A1", "goal_id": "G1", "description": "Done", "status": "Complete",
         "due_date": date(2027, 3, 1)},
        {"id": "A2", "goal_id": "G1", "description": "Dropped", "status": "Cancelled",
         "due_date": date(2027, 3, 1)},
        {"id": "A3", "goal_id": "G1", "description": "Open", "status": "In Progress",
         "percent_complete": 40, "start_date": date(2026, 9, 1),
         "due_date": date(2027, 5, 31)},
        {"id": "A4", "goal_id": "G1", "description": "Next year", "status": "Not Started",
         "due_date": date(2027, 10, 31)}],
    "monthly_updates": [{"month": date(2026, 10, 1), "milestones": "Kickoff",
                         "submitted_on": date(2026, 10, 28)}],
}


def _percent_format(wb) -> None:
    ws = wb["Measures"]
    header = [c.value for c in ws[4]]
    ws.cell(6, header.index("Actual Feb 2027") + 1).number_format = "0%"


@pytest.fixture
def district(make_workbook) -> Path:
    return make_workbook(profile={"district_name": "Adair County Schools",
                                  "contact_name": "Ada", "contact_email": "a@x.us",
                                  "as_of": date(2027, 6, 15)},
                         rows=ROWS, edit=_percent_format)


def _rolled(district: Path, tmp_path: Path):
    changes = rollover_file(district, "2027-28", tmp_path / "next.xlsx")
    card, _ = read_scorecard(str(tmp_path / "next.xlsx"))
    return card, changes


def _said(changes, kind: str, id: str) -> str:
    return " ".join(c.message for c in changes.items if c.kind == kind and c.id == id)


def test_profile_kept_school_year_set_as_of_blank(district: Path, tmp_path: Path) -> None:
    card, _ = _rolled(district, tmp_path)
    p = card.profile
    assert (p.district_id, p.district_name, p.contact_name, p.contact_email) == \
        ("KY-999", "Adair County Schools", "Ada", "a@x.us")
    assert (card.school_year, p.school_year, p.as_of) == ("2027-28", "2027-28", None)


def test_strategic_goal_that_ended_is_left_behind(district: Path, tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    assert [g.id for g in card.strategic_goals] == ["SG1", "SG3"]
    assert "Ended in 2027" in _said(changes, "left behind", "SG2")


def test_cdip_goals_kept_and_needs_flagged(district: Path, tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    assert [g.id for g in card.cdip_goals] == ["CG1"]
    assert [(n.id, n.priority) for n in card.needs] == [("N1", True)]
    assert "needs assessment" in _said(changes, "flagged", "N1")


def test_goal_target_dates_in_the_old_year_move_one_year_on(district: Path,
                                                            tmp_path: Path) -> None:
    card, _ = _rolled(district, tmp_path)
    assert [(g.id, g.target_date) for g in card.goals] == \
        [("G1", date(2028, 6, 30)), ("G2", date(2029, 6, 30))]


def test_measure_rebased_on_latest_actual_read_like_check(district: Path,
                                                          tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    m = {x.id: x for x in card.measures}
    assert (m["M1"].baseline, m["M1"].baseline_date) == (57.0, date(2027, 3, 31))
    assert (m["M2"].baseline, m["M2"].baseline_date) == (58.0, date(2027, 2, 28))
    assert m["M1"].target_date == date(2028, 6, 30)
    assert all(not x.actuals and not x.interim_targets for x in card.measures)
    assert "57" in _said(changes, "rebased", "M1")


def test_measure_without_actual_keeps_baseline_and_is_flagged(district: Path,
                                                              tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    m3 = next(x for x in card.measures if x.id == "M3")
    assert (m3.baseline, m3.target) == (400.0, 350.0)
    assert "No actual" in _said(changes, "flagged", "M3")


def test_met_target_is_flagged_set_next_years_target(district: Path, tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    m4 = next(x for x in card.measures if x.id == "M4")
    assert (m4.baseline, m4.target) == (21.0, 20.0)
    assert "set next year's target" in _said(changes, "flagged", "M4")
    assert "set next year's target" not in _said(changes, "flagged", "M1")


def test_complete_and_cancelled_actions_left_behind(district: Path, tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    assert [(a.id, a.status, a.percent_complete) for a in card.actions] == \
        [("A3", "In Progress", 40.0), ("A4", "Not Started", None)]
    assert {c.id for c in changes.items if c.kind == "left behind"} >= {"A1", "A2"}
    assert "give new dates" in _said(changes, "flagged", "A3")
    assert _said(changes, "carried", "A4")


def test_no_monthly_updates_are_carried(district: Path, tmp_path: Path) -> None:
    card, changes = _rolled(district, tmp_path)
    assert not [u for u in card.monthly_updates if u.milestones or u.submitted_on]
    assert any(c.sheet == "Monthly Updates" for c in changes.items if c.kind == "left behind")


def test_notes_sheet_lists_the_changes(district: Path, tmp_path: Path) -> None:
    _, changes = _rolled(district, tmp_path)
    ws = load_workbook(tmp_path / "next.xlsx")[NOTES_SHEET]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows(min_row=5)]
    assert rows == [(c.kind, c.sheet, c.id, c.message) for c in changes.items]


def test_source_bytes_and_mtime_unchanged(district: Path, tmp_path: Path) -> None:
    before, mtime = district.read_bytes(), district.stat().st_mtime_ns
    rollover_file(district, "2027-28", tmp_path / "next.xlsx")
    assert (district.read_bytes(), district.stat().st_mtime_ns) == (before, mtime)


def _run(*args: str):
    return CliRunner().invoke(main, ["rollover", *args])


def test_cli_prints_and_json_equals_the_list(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    result = _run(str(district), "--to", "2027-28", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "rebased     Measures         M1" in result.output
    result = _run(str(district), "--to", "2027-28", "-o", str(tmp_path / "b.xlsx"), "--json")
    data = json.loads(result.output)
    assert (data["from_year"], data["to_year"]) == ("2026-27", "2027-28")
    assert {"kind": "left behind", "sheet": "Actions", "id": "A1",
            "message": "Complete in 2026-27: not carried."} in data["changes"]


@pytest.mark.parametrize("to, says", [("2026-27", "already on 2026-27"),
                                      ("2025-26", "before the workbook's year")])
def test_to_not_later_than_the_workbook_is_refused(district: Path, tmp_path: Path, to: str,
                                                   says: str) -> None:
    result = _run(str(district), "--to", to, "-o", str(tmp_path / "n.xlsx"))
    assert result.exit_code == 2 and says in result.output
    assert not (tmp_path / "n.xlsx").exists()


def test_existing_output_refused_without_force(district: Path, tmp_path: Path) -> None:
    out = tmp_path / "n.xlsx"
    out.write_bytes(b"keep me")
    result = _run(str(district), "--to", "2027-28", "-o", str(out))
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_bytes() == b"keep me"
    assert _run(str(district), "--to", "2027-28", "-o", str(out), "--force").exit_code == 0


def test_output_over_the_source_is_refused_even_with_force(district: Path) -> None:
    result = _run(str(district), "--to", "2027-28", "-o", str(district), "--force")
    assert result.exit_code == 2 and "never changed" in result.output


def test_unreadable_workbook_gives_the_readers_message(tmp_path: Path) -> None:
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    result = _run(str(bad), "--to", "2027-28", "-o", str(tmp_path / "n.xlsx"))
    assert result.exit_code == 2 and str(bad) in result.output


def test_newer_template_version_is_refused_naming_both(make_workbook, tmp_path: Path) -> None:
    def newer(wb) -> None:
        wb["District Profile"]["B10"] = "9.0"
    path = make_workbook(edit=newer)
    result = _run(str(path), "--to", "2027-28", "-o", str(tmp_path / "n.xlsx"))
    assert result.exit_code == 2 and "9.0" in result.output and TEMPLATE_VERSION in result.output


def test_rollover_works_on_every_example_workbook(examples: Path, tmp_path: Path) -> None:
    for book in sorted((examples / "districts").glob("*.xlsx")):
        out = tmp_path / f"{book.stem}-next.xlsx"
        changes = rollover_file(book, "2027-28", out)
        card, _ = read_scorecard(str(out))
        old, _ = read_scorecard(str(book))
        assert card.school_year == "2027-28" and changes.count("rebased") > 0
        assert [m.id for m in card.measures] == [m.id for m in old.measures]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_rollover_works_on_a_workbook_libreoffice_saved(district: Path,
                                                        tmp_path: Path) -> None:
    src = tmp_path / "lo"
    src.mkdir()
    shutil.copy(district, src / "in.xlsx")
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "xlsx", "--outdir",
                    str(tmp_path / "saved"), str(src / "in.xlsx")],
                   check=True, capture_output=True, timeout=120)
    card, _ = _rolled(tmp_path / "saved" / "in.xlsx", tmp_path)
    m = {x.id: x for x in card.measures}
    assert (m["M1"].baseline, m["M2"].baseline, card.school_year) == (57.0, 58.0, "2027-28")


def test_extra_column_is_listed_as_left_behind(make_workbook, tmp_path: Path) -> None:
    def notes(wb) -> None:
        wb["Goals"]["K4"] = "Board notes"
        wb["Goals"]["K5"] = "Approved"
    old = make_workbook(rows={"goals": [{"id": "G1", "statement": "Read"}]}, edit=notes)
    changes = rollover_file(old, "2027-28", tmp_path / "next.xlsx")
    assert any("Board notes" in c.message for c in changes.items if c.kind == "left behind")


def test_rollover_rebases_only_from_actuals_check_uses(make_workbook, tmp_path: Path,
                                                       monkeypatch) -> None:
    """No status date, rolled over in December: March's actual is not one `check` uses."""

    class December(date):
        @classmethod
        def today(cls) -> date:
            return date(2026, 12, 6)

    monkeypatch.setattr(assess, "date", December)
    path = make_workbook(rows={"goals": ROWS["goals"], "measures": [
        {"id": "M6", "goal_id": "G1", "name": "Suspensions", "unit": "count", "baseline": 20,
         "target": 12, "frequency": "monthly", "actual:2026-10": 18, "actual:2027-03": 10}]})
    changes = rollover_file(path, "2027-28", tmp_path / "next.xlsx")
    card, _ = read_scorecard(str(tmp_path / "next.xlsx"))
    assert (card.measures[0].baseline, card.measures[0].baseline_date) == \
        (18.0, date(2026, 10, 31))
    assert "Baseline 20 becomes 18, the actual of Oct 2026" in _said(changes, "rebased", "M6")
    assert not _said(changes, "flagged", "M6")  # 10 is not an actual yet: the target not met


def test_a_goal_statement_naming_the_old_year_is_flagged(make_workbook, tmp_path: Path) -> None:
    goals = [{**ROWS["goals"][0], "statement": "By June 2027, 60% read at grade level."},
             {**ROWS["goals"][1], "statement": "Attendance up in 2026-27."},
             {**ROWS["goals"][1], "id": "G3", "statement": "Keep 12027 books."}]
    path = make_workbook(profile={"as_of": date(2027, 6, 15)}, rows={"goals": goals})
    changes = rollover_file(path, "2027-28", tmp_path / "next.xlsx")
    assert "Its statement names 2027, of 2026-27" in _said(changes, "flagged", "G1")
    assert "names 2026-27" in _said(changes, "flagged", "G2")
    assert not _said(changes, "flagged", "G3")
