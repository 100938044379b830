"""`sheetsync upgrade`: a filled workbook moved onto the current template, nothing lost."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sheetsync.check.assess import assess
from sheetsync.cli.commands import main
from sheetsync.read.models import Scorecard
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.layout import TEMPLATE_VERSION, entity_sheets, norm
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.fill import write_scorecard
from sheetsync.year.upgrade import EXTRA_SHEET, upgrade_file
from tests.year_cards import YEAR, scorecards, values

LAYOUT = scorecard_layout(YEAR)


def _older(card: Scorecard, path: Path, rng: random.Random, version: str = "0.9") -> Path:
    """``card`` written the way an older or hand-edited template holds it: input columns
    only, shuffled, some headers renamed (an alias, other case), an extra column."""
    write_scorecard(card, path)
    wb = load_workbook(path)
    wb["District Profile"]["B10"] = version
    for sheet in entity_sheets(LAYOUT):
        ws = wb[sheet.name]
        h = sheet.header_row
        grid = {c.letter: [ws[f"{c.letter}{r}"].value for r in range(h, ws.max_row + 1)]
                for c in sheet.input_columns}
        ws.delete_cols(1, ws.max_column)
        cols = list(sheet.input_columns)
        rng.shuffle(cols)
        for i, col in enumerate(cols, 1):
            header = rng.choice((col.header, col.header.upper(), *_aliases(sheet, col)))
            for r, value in enumerate([header, *grid[col.letter][1:]], h):
                ws.cell(r, i, value)
        extra = len(cols) + 1
        ws.cell(h, extra, "District Notes")
        for r in range(h + 1, h + 1 + len(getattr(card, sheet.entity))):
            ws.cell(r, extra, f"note {r}")
    wb.save(path)
    return path


def _aliases(sheet, col) -> list[str]:
    """The aliases the reader reads as ``col`` ('Measure #' is read as the 'Measure' name
    column, whose header it shares once punctuation is dropped: a layout quirk)."""
    return [a for a in col.aliases if sheet.by_header[norm(a)] is col]


def _same_version(said: dict) -> dict:
    """The template version is what an upgrade changes: every other value must stay."""
    said["profile"].pop("template_version")
    return {k: v for k, v in said.items() if k != "template_version"}


def _statuses(card: Scorecard, found) -> dict[str, object]:
    result = assess(card, found)
    return {"measures": {k: v.status for k, v in result.measures.items()},
            "goals": result.goals, "strategic_goals": result.strategic_goals,
            "schedules": result.schedules, "updates": result.updates}


@settings(derandomize=True, max_examples=15, deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate],  # shrinking rewrites workbooks for minutes
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(card=scorecards(), rng=st.randoms(use_true_random=False))
def test_read_of_upgrade_is_read_of_the_original(card: Scorecard, rng: random.Random,
                                                 tmp_path: Path) -> None:
    old = _older(card, tmp_path / "old.xlsx", rng)
    upgrade_file(old, tmp_path / "new.xlsx", force=True)
    before, found_before = read_scorecard(str(old))
    after, found_after = read_scorecard(str(tmp_path / "new.xlsx"))
    assert _same_version(values(after)) == _same_version(values(before)) == \
        _same_version(values(card))
    assert _statuses(after, found_after) == _statuses(before, found_before)


def test_extra_columns_are_kept_on_their_own_sheet(make_workbook, tmp_path: Path) -> None:
    def notes(wb) -> None:
        wb["Goals"]["K4"] = "Board notes"
        wb["Goals"]["K5"] = "Approved in May"
    old = make_workbook(rows={"goals": [{"id": "G1", "statement": "Read"}]}, edit=notes)
    changes = upgrade_file(old, tmp_path / "new.xlsx")
    ws = load_workbook(tmp_path / "new.xlsx")[EXTRA_SHEET]
    assert [c.value for c in ws[2]] == ["Goals", "K", "Board notes", 5, "G1", "Approved in May"]
    assert any("Board notes" in c.message for c in changes.items if c.kind == "kept")


def test_older_version_and_moved_columns_are_listed(tmp_path: Path) -> None:
    card = Scorecard(source="x", school_year=YEAR)
    rng = random.Random(3)
    old = _older(card, tmp_path / "old.xlsx", rng, version="0.8")
    changes = upgrade_file(old, tmp_path / "new.xlsx")
    kinds = [(c.kind, c.sheet) for c in changes.items]
    assert ("moved", "District Profile") in kinds
    assert any(k == "moved" and s == "Measures" for k, s in kinds)
    new, _ = read_scorecard(str(tmp_path / "new.xlsx"))
    assert new.template_version == TEMPLATE_VERSION


def test_sheets_of_the_districts_own_are_copied(make_workbook, tmp_path: Path) -> None:
    def own(wb) -> None:
        wb.create_sheet("Board Dates")["A1"] = "June 12"
    old = make_workbook(edit=own)
    upgrade_file(old, tmp_path / "new.xlsx")
    assert load_workbook(tmp_path / "new.xlsx")["Board Dates"]["A1"].value == "June 12"


def test_newer_template_version_is_refused_naming_both(make_workbook, tmp_path: Path) -> None:
    def newer(wb) -> None:
        wb["District Profile"]["B10"] = "9.1"
    old = make_workbook(edit=newer)
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(tmp_path / "n.xlsx")])
    assert result.exit_code == 2 and "9.1" in result.output and TEMPLATE_VERSION in result.output
    assert not (tmp_path / "n.xlsx").exists()


def test_upgrade_source_unchanged_and_output_not_replaced(make_workbook,
                                                          tmp_path: Path) -> None:
    old = make_workbook()
    before, mtime = old.read_bytes(), old.stat().st_mtime_ns
    out = tmp_path / "n.xlsx"
    out.write_bytes(b"keep")
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(out)])
    assert result.exit_code == 2 and out.read_bytes() == b"keep"
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert (old.read_bytes(), old.stat().st_mtime_ns) == (before, mtime)


def test_upgrade_works_on_every_example_workbook(examples: Path, tmp_path: Path) -> None:
    for book in sorted((examples / "districts").glob("*.xlsx")):
        upgrade_file(book, tmp_path / book.name)
        before, _ = read_scorecard(str(book))
        after, _ = read_scorecard(str(tmp_path / book.name))
        assert values(after) == values(before), book.name


@pytest.mark.parametrize("n", [1])
def test_upgrade_of_an_upgrade_keeps_the_extra_sheet(make_workbook, tmp_path: Path,
                                                     n: int) -> None:
    def notes(wb) -> None:
        wb["Goals"]["K4"] = "Board notes"
        wb["Goals"]["K5"] = "Approved"
    old = make_workbook(rows={"goals": [{"id": "G1", "statement": "Read"}]}, edit=notes)
    upgrade_file(old, tmp_path / "once.xlsx")
    upgrade_file(tmp_path / "once.xlsx", tmp_path / "twice.xlsx")
    names = load_workbook(tmp_path / "twice.xlsx").sheetnames
    assert EXTRA_SHEET in names


# -- issue 25: a required column renamed past recognition is never dropped quietly -----------


def renamed_required(wb) -> None:
    """Measures' Baseline and Target headers as a district renamed them."""
    wb["Measures"]["F4"] = "Baseline (2025-26)"
    wb["Measures"]["H4"] = "Goal"


MEASURES = [{"id": "M1", "goal_id": "G1", "name": "Readers", "unit": "%", "baseline": 42.0,
             "target": 50.0, "frequency": "monthly"},
            {"id": "M2", "goal_id": "G1", "name": "Absence", "unit": "%", "baseline": 12.5,
             "target": 9.0, "frequency": "monthly"}]


def test_renamed_required_headers_are_refused_naming_the_map(make_workbook,
                                                             tmp_path: Path) -> None:
    old = make_workbook(rows={"measures": MEASURES}, edit=renamed_required)
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "'Baseline (2025-26)' in F of 'Measures' looks like Baseline: pass --map " \
           "F=baseline" in result.output
    assert "'Goal' in H of 'Measures' looks like Target: pass --map H=target" in result.output
    assert not out.exists()


def test_map_reads_the_renamed_columns_and_carries_every_value(make_workbook,
                                                              tmp_path: Path) -> None:
    old = make_workbook(rows={"measures": MEASURES}, edit=renamed_required)
    out = tmp_path / "new.xlsx"
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(out), "--map",
                                       "F=baseline", "--map", "Measures!H=Target", "--json"])
    assert result.exit_code == 0, result.output
    card, found = read_scorecard(str(out))
    assert [(m.baseline, m.target) for m in card.measures] == [(42, 50), (12.5, 9)]
    assert "missing-column" not in {f.code for f in found}
    assert "(--map F=baseline)" in result.output
    assert EXTRA_SHEET not in load_workbook(out).sheetnames  # nothing left over


@pytest.mark.parametrize(("maps", "said"), [
    (["F=colour"], "has a column 'colour'"),
    (["Measures!F=colour"], "'Measures' has no column 'colour'"),
    (["Measures!B=goal_id"], "is read already"),
    (["B=goal_id"],
     "say which sheet (sheets with that column: Goals, Measures, Strategies, Actions)"),
    (["F baseline"], "write it as COLUMN=KEY"),
    (["Budget!F=baseline"], "has no sheet 'Budget'"),
])
def test_a_map_that_cannot_be_applied_says_why(make_workbook, tmp_path: Path,
                                               maps: list[str], said: str) -> None:
    old = make_workbook(rows={"measures": MEASURES}, edit=renamed_required)
    args = [a for m in maps for a in ("--map", m)]
    result = CliRunner().invoke(main, ["upgrade", str(old), "-o", str(tmp_path / "n.xlsx"),
                                       *args])
    assert result.exit_code == 2 and said in result.output, result.output


def test_the_readers_missing_column_names_the_candidate(make_workbook) -> None:
    _, found = read_scorecard(str(make_workbook(rows={"measures": MEASURES},
                                                edit=renamed_required)))
    said = [f.message for f in found if f.code == "missing-column"]
    assert said == [
        "'Measures' has no 'Baseline' column. 'Baseline (2025-26)' in F looks like Baseline: "
        "rename it 'Baseline' (it is required), or to upgrade the workbook as it is pass "
        "--map F=baseline.",
        "'Measures' has no 'Target' column. 'Goal' in H looks like Target: rename it "
        "'Target' (it is required), or to upgrade the workbook as it is pass --map H=target."]


def test_a_required_column_missing_with_nothing_unread_is_noted_not_refused(
        make_workbook, tmp_path: Path) -> None:
    def no_baseline(wb) -> None:
        wb["Measures"]["F4"] = None
    old = make_workbook(rows={"measures": MEASURES}, edit=no_baseline)
    changes = upgrade_file(old, tmp_path / "new.xlsx")
    assert any("no 'Baseline' column" in c.message for c in changes.items)
