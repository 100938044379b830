"""Strategies and the CDIP goals' numbers through the year's tools: a workbook made before
the Strategies sheet (template 2.0) upgraded with every value kept and the sheet added; a
rollover carrying strategies into the next year."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from sheetsync.check.assess import check_workbook
from sheetsync.read.models import Profile
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.findings import Severity
from sheetsync.schema.layout import TEMPLATE_VERSION
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.examples import PEOPLE, card_of, district_rows
from sheetsync.template.fill import write_scorecard
from sheetsync.year.rollover import roll_over, rollover_file
from sheetsync.year.upgrade import upgrade_file
from tests.year_cards import values

YEAR = SchoolYear(2026)
LAYOUT = scorecard_layout(YEAR.label)
NEW_COLUMNS = {"cdip_goals": ("indicator", "baseline", "target", "target_year"),
               "actions": ("strategy_id",)}


def _card():
    rows = district_rows(1, YEAR, date(2027, 1, 20), "clean", goals=3, measures_per_goal=1,
                         actions_per_goal=3, typed=False)
    return card_of(rows, YEAR, Profile(district_id="KY-001", district_name="Adair",
                                       contact_name=PEOPLE[0]))


def _as_two_point_oh(path: Path) -> Path:
    """The workbook as template 2.0 held it: no Strategies sheet, no Strategy ID on the
    Actions sheet, no numbers on the CDIP Goals sheet."""
    wb = load_workbook(path)
    wb["District Profile"]["B10"] = "2.0"
    del wb[LAYOUT.sheet("strategies").name]
    for entity, keys in NEW_COLUMNS.items():
        sheet = LAYOUT.sheet(entity)
        ws = wb[sheet.name]
        for key in sorted(keys, key=lambda k: sheet.column(k).letter, reverse=True):
            col = sheet.column(key)
            ws.delete_cols(ws[f"{col.letter}1"].column)
    wb.save(path)
    return path


def test_a_two_point_oh_workbook_is_checked_with_warnings_not_errors(tmp_path: Path) -> None:
    old = _as_two_point_oh(write_scorecard(_card(), tmp_path / "old.xlsx"))
    result = check_workbook(str(old), date(2027, 1, 20))
    missing = [f for f in result.findings if f.code == "missing-sheet"]
    assert [(f.sheet, f.severity) for f in missing] == [("Strategies", Severity.WARNING)]
    assert not [f for f in result.findings if f.code in ("goal-without-strategy",
                                                         "strategy-without-action")]
    assert {f.code for f in result.findings if f.severity is Severity.ERROR} == set()


def test_upgrade_of_a_two_point_oh_workbook_adds_strategies_and_keeps_every_value(
        tmp_path: Path) -> None:
    card = _card()
    old = _as_two_point_oh(write_scorecard(card, tmp_path / "old.xlsx"))
    before, _ = read_scorecard(str(old))
    changes = upgrade_file(old, tmp_path / "new.xlsx")
    after, found = read_scorecard(str(tmp_path / "new.xlsx"))
    assert after.template_version == TEMPLATE_VERSION == "2.1"
    assert "strategies" in after.sheet_names and after.strategies == []
    assert not [f for f in found if f.code in ("missing-sheet", "missing-optional-column")]
    said_before, said_after = values(before), values(after)
    for said in (said_before, said_after):
        said.pop("template_version")
        said["profile"].pop("template_version")
    assert said_after == said_before  # every value carried, the new ones blank
    assert any("2.0 becomes 2.1" in c.message for c in changes.items)
    new = load_workbook(tmp_path / "new.xlsx")
    strategies = LAYOUT.sheet("strategies")
    assert [new[strategies.name].cell(strategies.header_row, i + 1).value
            for i in range(len(strategies.columns))] == [c.header for c in strategies.columns]


def test_rollover_carries_strategies_and_the_cdip_goals_numbers(tmp_path: Path) -> None:
    card = _card()
    assert card.strategies and all(a.strategy_id for a in card.actions)
    rolled = roll_over(card, SchoolYear(2027))
    assert [s.model_dump(exclude={"row"}) for s in rolled.card.strategies] == \
        [s.model_dump(exclude={"row"}) for s in card.strategies]
    assert [c.target_year for c in rolled.card.cdip_goals] == [2030] * len(card.cdip_goals)
    kept = {a.id for a in rolled.card.actions}
    assert {a.strategy_id for a in rolled.card.actions} == \
        {a.strategy_id for a in card.actions if a.id in kept}
    assert any(c.sheet == "Strategies" and c.kind == "carried" for c in rolled.changes.items)
    source = write_scorecard(card, tmp_path / "this.xlsx")
    rollover_file(source, "2027-28", tmp_path / "next.xlsx")
    back, _ = read_scorecard(str(tmp_path / "next.xlsx"))
    assert [(s.id, s.goal_id, s.kcwp, s.research_basis) for s in back.strategies] == \
        [(s.id, s.goal_id, s.kcwp, s.research_basis) for s in card.strategies]
