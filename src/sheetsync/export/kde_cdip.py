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
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from sheetsync.check.assess import check_workbook
from sheetsync.errors import ExportError
from sheetsync.export.write import write_table
from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    Need,
    Scorecard,
    Strategy,
)
from sheetsync.schema.findings import Severity
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.vocabulary import KCWP_OTHER

SHEET = "Goal Builder"


@dataclass(frozen=True)
class Gap:
    """A field the state's form requires that the scorecard leaves blank, and its cell."""

    goal_id: str | None
    column: str  # the export's column it leaves blank or short
    sheet: str
    cell: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"goal_id": self.goal_id, "column": self.column, "sheet": self.sheet,
                "cell": self.cell, "message": self.message}

    def line(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.message}"


@dataclass
class StrategyRow:
    """One row of the state's form: an objective (annual goal) and one of its strategies
    (None: its actions that name no strategy), with what the form shows beside it."""

    card: Scorecard
    goal: Goal
    cdip: CdipGoal | None
    strategy: Strategy | None
    need: Need | None
    measures: list[Measure]
    actions: list[Action]
    first: bool  # the objective's first row: what belongs to the objective is checked once
    gaps: list[Gap] = field(default_factory=list)

    def gap(self, column: str, entity: str, key: str, row: int, message: str) -> None:
        sheet = self.card.sheet_names.get(entity, entity)
        self.gaps.append(Gap(self.goal.id, column, sheet, self.card.cell(entity, key, row),
                             message))

    @property
    def numbered(self) -> list[tuple[int, Action]]:
        """The strategy's actions as its Activities cell numbers them."""
        return list(enumerate(self.actions, 1))


# -- how each column is filled ---------------------------------------------------------


def _goal(plan: StrategyRow) -> str:
    g = plan.goal
    if not g.cdip_goal_id:
        if plan.first:
            plan.gap("Goal", "goals", "cdip_goal_id", g.row,
                     f"goal {g.id} names no CDIP goal, so its Goal is blank: fill in its CDIP "
                     "Goal ID.")
        return ""
    cdip = plan.cdip
    if cdip is None:
        if plan.first:
            plan.gap("Goal", "goals", "cdip_goal_id", g.row,
                     f"goal {g.id} names CDIP goal {g.cdip_goal_id}, which the CDIP Goals "
                     "sheet does not have, so its Goal is blank: add it there or correct "
                     "the id.")
        return ""
    head = ": ".join(t for t in (cdip.area, cdip.statement) if t)
    numbers = ""
    if cdip.baseline is not None and cdip.target is not None and cdip.target_year:
        numbers = f"{_number(cdip.baseline)} → {_number(cdip.target)} by {cdip.target_year}"
    said = f"{cdip.indicator}: {numbers}" if cdip.indicator and numbers else \
        cdip.indicator or numbers
    return "\n".join(t for t in (head, said) if t)


def _cdip_gaps(card: Scorecard) -> list[Gap]:
    """Each CDIP goal's required fields, once (not per row)."""
    out = []
    sheet = card.sheet_names.get("cdip_goals", "CDIP Goals")
    for c in card.cdip_goals:
        for key, what in (("area", "area"), ("statement", "statement"),
                          ("indicator", "indicator"), ("baseline", "baseline"),
                          ("target", "target"), ("target_year", "target year")):
            if getattr(c, key) is None:
                out.append(Gap(None, "Goal", sheet, card.cell("cdip_goals", key, c.row),
                               f"CDIP goal {c.id} has no {what}: the state's Goal is a "
                               "target for an indicator, from a baseline, by a year."))
    return out


def _objective(plan: StrategyRow) -> str:
    g = plan.goal
    if not g.statement and plan.first:
        plan.gap("Objective", "goals", "statement", g.row,
                 f"goal {g.id} has no SMART goal statement, so its Objective is blank.")
    return g.statement or ""


def _needs(plan: StrategyRow) -> str:
    n = plan.need
    if n is None:
        if plan.goal.need_id is None and plan.first:
            plan.gap("Needs Addressed", "goals", "need_id", plan.goal.row,
                     f"goal {plan.goal.id} names no need from the needs assessment: fill in "
                     "its Need ID.")
        return plan.goal.need_id or ""
    why = f" (root cause: {n.cause})" if n.cause else ""
    return f"{n.id}. {n.description or ''}{why}".strip()


def _strategy(plan: StrategyRow) -> str:
    s = plan.strategy
    if s is None:
        if plan.actions:  # actions that name no strategy
            for a in plan.actions:
                plan.gap("Strategy", "actions", "strategy_id", a.row,
                         f"action {a.id} names no strategy of goal {plan.goal.id}: fill in "
                         "its Strategy ID.")
        elif plan.first:
            plan.gap("Strategy", "goals", "id", plan.goal.row,
                     f"goal {plan.goal.id} has no strategy (Strategies sheet), so its "
                     "Strategy is blank.")
            plan.gap("Activities", "goals", "id", plan.goal.row,
                     f"goal {plan.goal.id} has no actions (Actions sheet), so its "
                     "Activities are blank.")
        return ""
    if not s.description:
        plan.gap("Strategy", "strategies", "description", s.row,
                 f"strategy {s.id} has no description.")
    if not s.research_basis:
        plan.gap("Strategy", "strategies", "research_basis", s.row,
                 f"strategy {s.id} has no research basis: the state asks what evidence it "
                 "rests on.")
    basis = f"Research basis: {s.research_basis}" if s.research_basis else ""
    return "\n".join(t for t in (s.description, basis) if t)


def _kcwp(plan: StrategyRow) -> str:
    s = plan.strategy
    if s is None:
        return ""
    if not s.kcwp:
        plan.gap("KCWP", "strategies", "kcwp", s.row,
                 f"strategy {s.id} names no Key Core Work Process.")
        return ""
    if s.kcwp == KCWP_OTHER:
        if not s.other_approach:
            plan.gap("KCWP", "strategies", "other_approach", s.row,
                     f"strategy {s.id} rests on another approach: name it.")
        return f"{KCWP_OTHER}: {s.other_approach}" if s.other_approach else KCWP_OTHER
    return s.kcwp


def _activities(plan: StrategyRow) -> str:
    if not plan.actions and plan.strategy is not None:
        plan.gap("Activities", "strategies", "id", plan.strategy.row,
                 f"strategy {plan.strategy.id} has no actions (Actions sheet, Strategy ID), "
                 "so its Activities are blank.")
    lines = []
    for n, a in plan.numbered:
        if not a.owner:
            plan.gap("Activities", "actions", "owner", a.row,
                     f"action {a.id} has no owner: the state asks who oversees each step.")
        if not a.due_date:
            plan.gap("Activities", "actions", "due_date", a.row,
                     f"action {a.id} has no due date: the state asks for a timeline.")
        when = f"{_day(a.start_date)} – {_day(a.due_date)}" if a.start_date and a.due_date \
            else f"due {_day(a.due_date)}" if a.due_date \
            else f"from {_day(a.start_date)}" if a.start_date else ""
        who = "; ".join(t for t in (a.owner, when) if t)
        lines.append(f"{n}. {a.description or a.id}" + (f" ({who})" if who else ""))
    return "\n".join(lines)


def _measure_of_success(plan: StrategyRow) -> str:
    if not plan.measures and plan.first:
        plan.gap("Measure of Success", "goals", "id", plan.goal.row,
                 f"goal {plan.goal.id} has no measures (Measures sheet), so its Measure of "
                 "Success is blank.")
    lines = []
    end = _school_year_end(plan.card)
    for m in plan.measures:
        if plan.first:
            for key, value in (("baseline", m.baseline), ("target", m.target),
                               ("frequency", m.frequency)):
                if value is None:
                    plan.gap("Measure of Success", "measures", key, m.row,
                             f"measure {m.id} has no {key}.")
        base = _amount(m.baseline, m.unit) if m.baseline is not None else "baseline not given"
        target = _amount(m.target, m.unit) if m.target is not None else "target not given"
        how = ", ".join(t for t in (m.frequency, m.data_source) if t)
        lines.append(f"{m.name or m.id}: {base} → {target} by {_day(m.target_date or end)}"
                     + (f" ({how})" if how else ""))
    return "\n".join(lines)


def _progress_monitoring(plan: StrategyRow) -> str:
    by_method: dict[str, list[int]] = {}
    for n, a in plan.numbered:
        if a.evidence:
            by_method.setdefault(a.evidence, []).append(n)
        else:
            plan.gap("Progress Monitoring", "actions", "evidence", a.row,
                     f"action {a.id} has no monitoring method.")
    if len(by_method) == 1 and len(next(iter(by_method.values()))) == len(plan.actions):
        return next(iter(by_method))  # one method for the whole strategy: said once
    return "\n".join(f"{method} ({'activity' if len(ns) == 1 else 'activities'} "
                     f"{', '.join(map(str, ns))})" for method, ns in by_method.items())


def _funding(plan: StrategyRow) -> str:
    lines, costs = [], []
    for n, a in plan.numbered:
        source = a.funding_source if a.funding_source != "None" else None
        if a.cost and not a.funding_source:
            plan.gap("Funding", "actions", "funding_source", a.row,
                     f"action {a.id} costs {_dollars(a.cost)} and names no funding source.")
        said = [t for t in (source, _dollars(a.cost) if a.cost else None) if t]
        if said:
            missing = " (funding source not given)" if a.cost and not source else ""
            lines.append(f"{n}. {', '.join(said)}{missing}")
        if a.cost:
            costs.append(a.cost)
    if len(costs) > 1:
        lines.append(f"Total {_dollars(sum(costs))}")
    return "\n".join(lines) or ("No cost" if plan.actions else "")


class Column(NamedTuple):
    """One column of the state's form: its header, its width, what fills it (in words, for
    the README) and the function that fills it from one row (objective and strategy)."""

    header: str
    width: float
    fill_from: str
    fill: Callable[[StrategyRow], str]


COLUMNS: tuple[Column, ...] = (
    Column("Goal", 22, "the CDIP goal the annual goal maps to (its CDIP Goal ID): \"Area: "
           "statement\", then its indicator, baseline → target by its target year", _goal),
    Column("Objective", 26, "the annual goal's SMART goal statement", _objective),
    Column("Needs Addressed", 18, "the need from the needs assessment the annual goal "
           "answers (its Need ID): the need and its root cause", _needs),
    Column("Strategy", 24, "one strategy of the annual goal (Strategies sheet): the strategy "
           "and its research basis; a row per strategy", _strategy),
    Column("KCWP", 16, "the strategy's Key Core Work Process (or Other: the approach named)",
           _kcwp),
    Column("Activities", 30, "the strategy's actions (their Strategy ID), numbered within "
           "the strategy: each action, its owner, start and due dates", _activities),
    Column("Measure of Success", 28, "the annual goal's measures: each name, baseline → "
           "target by the target date (blank: the school year's end), in the unit as the "
           "scorecard shows it (46%, $1,200, 12 days), with its frequency and data source",
           _measure_of_success),
    Column("Progress Monitoring", 24, "the strategy's monitoring methods (its actions'), each "
           "once, with the activity numbers when they differ", _progress_monitoring),
    Column("Funding", 16, "each funded activity's funding source and cost, by activity "
           "number, and the strategy's total", _funding),
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
    gaps = _cdip_gaps(card) + _orphans(card)
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


def _school_year_end(card: Scorecard) -> date:
    try:
        return SchoolYear.parse(card.school_year).end
    except ValueError:
        return SchoolYear.containing(date.today()).end


def _day(d: date) -> str:
    """Jun 30, 2027."""
    return f"{d:%b} {d.day}, {d.year}"


def _number(value: float) -> str:
    """45 -> '45', 45.5 -> '45.5', 1200 -> '1,200'; at most six decimals (no float noise)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _dollars(value: float) -> str:
    return f"-${_number(-value)}" if value < 0 else f"${_number(value)}"


def _amount(value: float, unit: str | None) -> str:
    """A measure's value as the scorecard shows it: 46%, $1,200, 12 days, 420."""
    if unit == "%":
        return f"{_number(value)}%"
    if unit == "dollars":
        return _dollars(value)
    if unit == "days":
        return f"{_number(value)} days"
    return _number(value)


__all__ = ["COLUMNS", "SHEET", "Column", "ExportRow", "Gap", "KdeCdip", "StrategyRow",
           "export_file", "kde_cdip", "readme_table"]
