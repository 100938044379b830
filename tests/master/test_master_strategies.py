"""Strategies carried through: the master's Strategies sheet and the district report's
strategies under each goal."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.master.layout import SHEETS
from sheetsync.read.scorecard import read_scorecard


def test_the_master_lists_every_strategy_with_its_kcwp(pulled_example: Path) -> None:
    wb = openpyxl.load_workbook(pulled_example / "cohort_master.xlsx", read_only=True)
    rows = [list(r) for r in wb["Strategies"].iter_rows(values_only=True)]
    assert rows[0] == [c.header for c in SHEETS["Strategies"]]
    adair, _ = read_scorecard(str(pulled_example / "districts" / "adair.xlsx"))
    ours = [r for r in rows[1:] if r[0] == "KY-001"]
    assert [r[1] for r in ours] == [s.id for s in adair.strategies]
    assert ours[0][3] == "KCWP 2: Design and Deliver Instruction"
    assert [r[6] for r in ours] == [sum(a.strategy_id == s.id for a in adair.actions)
                                    for s in adair.strategies]
    assert ours[0][7] == "Strategies!A5"  # the cell it came from


def test_each_action_in_the_master_names_its_strategy(pulled_example: Path) -> None:
    wb = openpyxl.load_workbook(pulled_example / "cohort_master.xlsx", read_only=True)
    rows = [list(r) for r in wb["Actions"].iter_rows(values_only=True)]
    assert rows[0] == [c.header for c in SHEETS["Actions"]]
    at = rows[0].index("Strategy ID")
    adair, _ = read_scorecard(str(pulled_example / "districts" / "adair.xlsx"))
    ours = [r for r in rows[1:] if r[0] == "KY-001"]
    assert [(r[1], r[at]) for r in ours] == [(a.id, a.strategy_id) for a in adair.actions]
    assert any(r[at] for r in ours)  # the example's actions carry out its strategies


def test_the_district_report_lists_strategies_under_each_goal(examples: Path,
                                                              tmp_path: Path) -> None:
    out = tmp_path / "adair.html"
    done = CliRunner().invoke(main, ["report", "district",
                                     str(examples / "districts" / "adair.xlsx"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    html = out.read_text()
    assert '<ul class="strategies" aria-label="Strategies for G1">' in html
    assert "<strong>S1</strong>: Explicit, systematic reading instruction in every K-3 " \
           "classroom <small>(KCWP 2: Design and Deliver Instruction)</small> · 3 actions" in html
