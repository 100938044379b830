"""A scorecard in Kentucky's CDIP/CSIP goal-building columns, ready to paste into the state's
improvement-planning system (a district's plan is its CDIP, a school's its CSIP).

The state's form nests a plan: a Goal (a 3-5 year target for a state indicator, the CDIP
Goals sheet), under it Objectives (this year's annual goals), under each its Strategies
(the Strategies sheet: a research-based approach resting on a Key Core Work Process) and
under each strategy its Activities (the Actions sheet). So the export has one row per goal →
objective → strategy: the strategy's activities numbered within it, its progress
monitoring (its actions' monitoring methods, each once) and its funding (per activity, with
the total). An objective whose actions name no strategy gets a row of its own for them.
Rows follow the CDIP Goals sheet's order, then the Goals sheet's, then the Strategies'.

``COLUMNS`` declares the mapping once: each column's header, width, what fills it (the
README's table is ``readme_table()``) and the function that fills it. Every field the form
requires that the scorecard leaves blank is a ``Gap`` naming the cell to fill.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sheetsync.check.assess import check_workbook
from sheetsync.errors import ExportError
from sheetsync.export.kde_cells import (
    Gap,
    StrategyRow,
    activities_text,
    cdip_gaps,
    funding_text,
    goal_text,
    kcwp_text,
    measure_of_success_text,
    needs_text,
    objective_text,
    progress_monitoring_text,
    strategy_text,
)
from sheetsync.export.write import write_table
from sheetsync.read.models import (
    Action,
    Goal,
    Scorecard,
    Strategy,
)
from sheetsync.schema.findings import Severity

SHEET = "Goal Builder"


class Column(NamedTuple):
    """One column of the state's form: its header, its width, what fills it (in words, for
    the README) and the function that fills it from one row (objective and strategy)."""

    header: str
    width: float
    fill_from: str
    fill: Callable[[StrategyRow], str]


COLUMNS: tuple[Column, ...] = (
    Column("Goal", 22, "the CDIP goal the annual goal maps to (its CDIP Goal ID): \"Area: "
           "statement\", then its indicator, baseline → target by its target year", goal_text),
    Column("Objective", 26, "the annual goal's SMART goal statement", objective_text),
    Column("Needs Addressed", 18, "the need from the needs assessment the annual goal "
           "answers (its Need ID): the need and its root cause", needs_text),
    Column("Strategy", 24, "one strategy of the annual goal (Strategies sheet): the strategy "
           "and its research basis; a row per strategy", strategy_text),
    Column("KCWP", 16, "the strategy's Key Core Work Process (or Other: the approach named)",
           kcwp_text),
    Column("Activities", 30, "the strategy's actions (their Strategy ID), numbered within "
           "the strategy: each action, its owner, start and due dates", activities_text),
    Column("Measure of Success", 28, "the annual goal's measures: each name, baseline → "
           "target by the target date (blank: the school year's end), in the unit as the "
           "scorecard shows it (46%, $1,200, 12 days), with its frequency and data source",
           measure_of_success_text),
    Column("Progress Monitoring", 24, "the strategy's monitoring methods (its actions'), each "
           "once, with the activity numbers when they differ", progress_monitoring_text),
    Column("Funding", 16, "each funded activity's funding source and cost, by activity "
           "number, and the strategy's total", funding_text),
)


def readme_table() -> str:
    """The README's table of the mapping, made from ``COLUMNS``."""
    lines = ["| Column | Filled from the scorecard |", "|---|---|"]
    lines += [f"| {c.header} | {c.fill_from[0].upper()}{c.fill_from[1:]} |" for c in COLUMNS]
    return "\n".join(lines)


# -- the plan, row by row --------------------------------------------------------------


@dataclass
class ExportRow:
    """One row of the export: the annual goal and strategy it is made from, its cells."""

    goal: Goal
    strategy: Strategy | None
    cells: list[str]


@dataclass
class KdeCdip:
    """A scorecard laid out in the state's columns: the rows, and what the form is missing."""

    card: Scorecard
    rows: list[ExportRow]
    gaps: list[Gap]
    findings: dict[str, int] = field(default_factory=dict)  # check's counts by severity
    output: str | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in COLUMNS]

    @property
    def plan(self) -> str:
        """The state's name for the plan: CDIP for a district's, CSIP for a school's."""
        return "CSIP" if self.card.level == "school" else "CDIP"

    def to_json(self) -> dict[str, Any]:
        p = self.card.profile
        school = {"school_id": p.school_id, "school_name": p.school_name} \
            if self.card.level == "school" else {}
        return {
            "file": self.card.source, "output": self.output, "format": "kde-cdip",
            "plan": self.plan, "sheet": SHEET, "district_id": p.district_id,
            "district_name": p.district_name, **school,
            "school_year": self.card.school_year, "columns": self.headers,
            "rows": [{"goal_id": r.goal.id, "row": r.goal.row,
                      "cdip_goal_id": r.goal.cdip_goal_id,
                      "strategy_id": r.strategy.id if r.strategy else None,
                      "cells": dict(zip(self.headers, r.cells, strict=True))}
                     for r in self.rows],
            "findings": self.findings,
            "gaps": [g.to_dict() for g in self.gaps],
        }


def kde_cdip(card: Scorecard) -> KdeCdip:
    """``card`` in the state's columns: a row per annual goal and strategy, grouped by CDIP
    goal."""
    cdip = {c.id: c for c in card.cdip_goals}
    needs = {n.id: n for n in card.needs}
    order = {c.id: i for i, c in enumerate(card.cdip_goals)}
    goals = sorted(card.goals, key=lambda g: order.get(g.cdip_goal_id or "", len(order)))
    rows: list[ExportRow] = []
    gaps = cdip_gaps(card) + _orphans(card)
    for g in goals:
        strategies = [s for s in card.strategies if s.goal_id == g.id]
        actions = [a for a in card.actions if a.goal_id == g.id]
        ids = {s.id for s in strategies}
        loose = [a for a in actions if a.strategy_id not in ids]
        groups: list[tuple[Strategy | None, list[Action]]] = [
            (s, [a for a in actions if a.strategy_id == s.id]) for s in strategies]
        if loose or not groups:
            groups.append((None, loose))
        for i, (s, acts) in enumerate(groups):
            plan = StrategyRow(card, g, cdip.get(g.cdip_goal_id or ""), s,
                               needs.get(g.need_id or ""),
                               [m for m in card.measures if m.goal_id == g.id], acts, i == 0)
            rows.append(ExportRow(g, s, [c.fill(plan) for c in COLUMNS]))
            gaps += plan.gaps
    if not card.goals:
        sheet = card.sheet_names.get("goals", "Goals")
        gaps.append(Gap(None, "Objective", sheet, None, "the scorecard has no annual goals, "
                        "so the export has its header row only."))
    sheets = list(card.sheet_names.values())
    gaps.sort(key=lambda g: (sheets.index(g.sheet) if g.sheet in sheets else len(sheets),
                             *_place(g.cell)))
    return KdeCdip(card, rows, gaps)


def _place(cell: str | None) -> tuple[int, int, str]:
    """'L7' -> (7, 1, 'L'): a cell's row, then its column as the sheet orders them."""
    letters = "".join(ch for ch in cell or "" if ch.isalpha())
    return int("".join(ch for ch in cell or "" if ch.isdigit()) or 0), len(letters), letters


def _orphans(card: Scorecard) -> list[Gap]:
    """Measures, strategies and actions of a goal the Goals sheet does not have (in no
    row), and actions of a strategy the Strategies sheet does not have."""
    ids = {g.id for g in card.goals}
    out = []
    for entity, items, column in (("measures", card.measures, "Measure of Success"),
                                  ("strategies", card.strategies, "Strategy"),
                                  ("actions", card.actions, "Activities")):
        sheet = card.sheet_names.get(entity, entity)
        noun = "strategy" if entity == "strategies" else entity[:-1]
        for item in items:
            if item.goal_id not in ids:
                said = f"names goal {item.goal_id}, which the Goals sheet does not have" \
                    if item.goal_id else "names no goal"
                out.append(Gap(None, column, sheet, card.cell(entity, "goal_id", item.row),
                               f"{noun} {item.id} {said}: it is in no row."))
    strategies = {s.id: s for s in card.strategies}
    sheet = card.sheet_names.get("actions", "actions")
    for a in card.actions:
        s = strategies.get(a.strategy_id or "")
        if a.strategy_id and s is None:
            out.append(Gap(a.goal_id, "Strategy", sheet,
                           card.cell("actions", "strategy_id", a.row),
                           f"action {a.id} names strategy {a.strategy_id}, which the "
                           "Strategies sheet does not have."))
        elif s is not None and a.goal_id in ids and s.goal_id != a.goal_id:
            out.append(Gap(a.goal_id, "Strategy", sheet,
                           card.cell("actions", "strategy_id", a.row),
                           f"action {a.id} serves goal {a.goal_id} but names strategy {s.id} "
                           f"of goal {s.goal_id}: its row is its goal's, under no strategy."))
    return out


def export_file(source: str | Path, output: str | Path | None = None,
                force: bool = False) -> KdeCdip:
    """Read and check the workbook at ``source`` and lay it out in the state's columns;
    with ``output`` (an .xlsx), write it there. Raises ``WorkbookUnreadable``,
    ``ExportError`` or, when the file cannot be written, ``FolderNotWritable`` /
    ``FileLocked``; ``source`` is only read."""
    source = Path(source)
    if output is not None:
        _refuse_output(source, Path(output), force)
    result = check_workbook(str(source))
    done = kde_cdip(result.card)
    done.findings = {str(s): result.count(s) for s in Severity}
    if output is None:
        return done
    p = result.card.profile
    who = p.school_name or p.school_id if result.card.level == "school" else None
    who = who or p.district_name or p.district_id or "District"
    write_table(Path(output), SHEET, [(c.header, c.width) for c in COLUMNS],
                [r.cells for r in done.rows], f"{who} · {result.card.school_year}")
    done.output = str(output)
    return done


def _refuse_output(source: Path, output: Path, force: bool) -> None:
    if output.suffix.lower() != ".xlsx":
        raise ExportError(f"{output}: the export is an Excel workbook; give -o a name ending "
                          "in .xlsx.", path=output)
    if output.exists() and output.resolve() == source.resolve():
        raise ExportError(f"{output} is the workbook being read: choose another -o file (the "
                          "scorecard is never changed).", path=output)
    if output.exists() and not force:
        raise ExportError(f"{output} exists; choose another -o file, or pass --force to "
                          "replace it.", path=output)


# -- how values read in the state's form -----------------------------------------------


__all__ = ["COLUMNS", "SHEET", "Column", "ExportRow", "Gap", "KdeCdip", "StrategyRow",
           "export_file", "kde_cdip", "readme_table"]
