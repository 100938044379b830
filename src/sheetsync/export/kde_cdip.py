"""A scorecard in Kentucky's CDIP/CSIP goal-building columns, ready to paste into the state's
improvement-planning system.

One row per annual goal: the state's form holds one Objective (this year's goal) under a
Goal, with its Strategy and its list of Activities, so an annual goal and everything under
it is one row; its actions are numbered lines of one Activities cell, and the Funding and
Progress Monitoring cells name activities by those numbers. Rows are grouped by CDIP goal
(in the order of the CDIP Goals sheet), as the state's form groups objectives under goals.

``COLUMNS`` declares the mapping once: each column's header, width, what fills it (the
README's table is ``readme_table()``) and the function that fills it. Whatever the form asks
for and the scorecard leaves blank is a ``Gap`` naming the cell to fill.
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
from sheetsync.read.models import Action, CdipGoal, Goal, Measure, Scorecard, StrategicGoal
from sheetsync.schema.findings import Severity
from sheetsync.schema.schoolyear import SchoolYear

SHEET = "Goal Builder"


@dataclass(frozen=True)
class Gap:
    """Something the state's form asks for that the scorecard leaves blank."""

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
class GoalPlan:
    """One annual goal and what the state's form shows beside it."""

    card: Scorecard
    goal: Goal
    cdip: CdipGoal | None
    strategic: StrategicGoal | None
    measures: list[Measure]
    actions: list[Action]
    gaps: list[Gap] = field(default_factory=list)

    def gap(self, column: str, entity: str, key: str, row: int, message: str) -> None:
        sheet = self.card.sheet_names.get(entity, entity)
        self.gaps.append(Gap(self.goal.id, column, sheet, self.card.cell(entity, key, row),
                             message))

    @property
    def numbered(self) -> list[tuple[int, Action]]:
        """The actions as the Activities cell numbers them."""
        return list(enumerate(self.actions, 1))


# -- how each column is filled ---------------------------------------------------------


def _goal(plan: GoalPlan) -> str:
    g = plan.goal
    if not g.cdip_goal_id:
        plan.gap("Goal", "goals", "cdip_goal_id", g.row,
                 f"goal {g.id} names no CDIP goal, so its Goal is blank: fill in its CDIP "
                 "Goal ID.")
        return ""
    cdip = plan.cdip
    if cdip is None:
        plan.gap("Goal", "goals", "cdip_goal_id", g.row,
                 f"goal {g.id} names CDIP goal {g.cdip_goal_id}, which the CDIP Goals sheet "
                 "does not have, so its Goal is blank: add it there or correct the id.")
        return ""
    if not cdip.area or not cdip.statement:
        key = "area" if not cdip.area else "statement"
        plan.gap("Goal", "cdip_goals", key, cdip.row,
                 f"CDIP goal {cdip.id} has no {key}: the state's Goal is its area and "
                 "statement.")
    return ": ".join(t for t in (cdip.area, cdip.statement) if t)


def _objective(plan: GoalPlan) -> str:
    g = plan.goal
    if not g.statement:
        plan.gap("Objective", "goals", "statement", g.row,
                 f"goal {g.id} has no SMART goal statement, so its Objective is blank.")
    return g.statement or ""


def _strategy(plan: GoalPlan) -> str:
    g, sg = plan.goal, plan.strategic
    if sg is None:
        said = f"names strategic goal {g.strategic_goal_id}, which the Strategic Goals sheet " \
               "does not have" if g.strategic_goal_id else "names no strategic goal"
        plan.gap("Strategy", "goals", "strategic_goal_id", g.row,
                 f"goal {g.id} {said}, so its Strategy is blank.")
        return ""
    if not (sg.title or sg.description):
        plan.gap("Strategy", "strategic_goals", "title", sg.row,
                 f"strategic goal {sg.id} has no title, so the Strategy is blank.")
    return sg.title or sg.description or ""


def _activities(plan: GoalPlan) -> str:
    if not plan.actions:
        plan.gap("Activities", "goals", "id", plan.goal.row,
                 f"goal {plan.goal.id} has no actions (Actions sheet), so its Activities "
                 "are blank.")
    lines = []
    for n, a in plan.numbered:
        if not a.owner:
            plan.gap("Activities", "actions", "owner", a.row,
                     f"action {a.id} has no owner: the state asks who oversees each step.")
        when = f"{_day(a.start_date)} – {_day(a.due_date)}" if a.start_date and a.due_date \
            else f"due {_day(a.due_date)}" if a.due_date \
            else f"from {_day(a.start_date)}" if a.start_date else ""
        who = "; ".join(t for t in (a.owner, when) if t)
        lines.append(f"{n}. {a.description or a.id}" + (f" ({who})" if who else ""))
    return "\n".join(lines)


def _measure_of_success(plan: GoalPlan) -> str:
    if not plan.measures:
        plan.gap("Measure of Success", "goals", "id", plan.goal.row,
                 f"goal {plan.goal.id} has no measures (Measures sheet), so its Measure of "
                 "Success is blank.")
    lines = []
    end = _school_year_end(plan.card)
    for m in plan.measures:
        for key, value in (("baseline", m.baseline), ("target", m.target)):
            if value is None:
                plan.gap("Measure of Success", "measures", key, m.row,
                         f"measure {m.id} has no {key}.")
        base = _amount(m.baseline, m.unit) if m.baseline is not None else "baseline not given"
        target = _amount(m.target, m.unit) if m.target is not None else "target not given"
        lines.append(f"{m.name or m.id}: {base} → {target} by {_day(m.target_date or end)}")
    return "\n".join(lines)


def _progress_monitoring(plan: GoalPlan) -> str:
    by_method: dict[str, list[int]] = {}
    for n, a in plan.numbered:
        if a.evidence:
            by_method.setdefault(a.evidence, []).append(n)
        else:
            plan.gap("Progress Monitoring", "actions", "evidence", a.row,
                     f"action {a.id} has no monitoring method.")
    lines = [f"{method} ({'activity' if len(ns) == 1 else 'activities'} "
             f"{', '.join(map(str, ns))})" for method, ns in by_method.items()]
    for m in plan.measures:
        if not m.frequency:
            plan.gap("Progress Monitoring", "measures", "frequency", m.row,
                     f"measure {m.id} has no frequency.")
        how = ", ".join(t for t in (m.frequency, m.data_source) if t)
        lines.append(f"{m.name or m.id}: {how or 'frequency not given'}")
    return "\n".join(lines)


def _funding(plan: GoalPlan) -> str:
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
    the README) and the function that fills it from one annual goal."""

    header: str
    width: float
    fill_from: str
    fill: Callable[[GoalPlan], str]


COLUMNS: tuple[Column, ...] = (
    Column("Goal", 22, "the CDIP goal the annual goal maps to (its CDIP Goal ID), as "
           "\"Area: statement\"", _goal),
    Column("Objective", 28, "the annual goal's SMART goal statement", _objective),
    Column("Strategy", 18, "the title of the strategic goal it nests under (its Strategic "
           "Goal ID)", _strategy),
    Column("Activities", 34, "its actions, numbered: each action, its owner, start and due "
           "dates", _activities),
    Column("Measure of Success", 30, "its measures: each name, baseline → target by the "
           "target date (blank: the school year's end), in the unit as the scorecard shows "
           "it (46%, $1,200, 12 days)", _measure_of_success),
    Column("Progress Monitoring", 28, "the actions' monitoring methods (with the activity "
           "numbers), then each measure's frequency and data source", _progress_monitoring),
    Column("Funding", 18, "each funded action's funding source and cost, by activity number, "
           "and the total", _funding),
)


def readme_table() -> str:
    """The README's table of the mapping, made from ``COLUMNS``."""
    lines = ["| Column | Filled from the scorecard |", "|---|---|"]
    lines += [f"| {c.header} | {c.fill_from[0].upper()}{c.fill_from[1:]} |" for c in COLUMNS]
    return "\n".join(lines)


# -- the plan, goal by goal ------------------------------------------------------------


@dataclass
class KdeCdip:
    """A scorecard laid out in the state's columns: the rows, and what the form is missing."""

    card: Scorecard
    rows: list[tuple[Goal, list[str]]]
    gaps: list[Gap]
    findings: dict[str, int] = field(default_factory=dict)  # check's counts by severity
    output: str | None = None

    @property
    def headers(self) -> list[str]:
        return [c.header for c in COLUMNS]

    def to_json(self) -> dict[str, Any]:
        p = self.card.profile
        return {
            "file": self.card.source, "output": self.output, "format": "kde-cdip",
            "sheet": SHEET, "district_id": p.district_id, "district_name": p.district_name,
            "school_year": self.card.school_year, "columns": self.headers,
            "rows": [{"goal_id": g.id, "row": g.row,
                      "cells": dict(zip(self.headers, cells, strict=True))}
                     for g, cells in self.rows],
            "findings": self.findings,
            "gaps": [g.to_dict() for g in self.gaps],
        }


def kde_cdip(card: Scorecard) -> KdeCdip:
    """``card`` in the state's columns: one row per annual goal, grouped by CDIP goal."""
    cdip = {c.id: c for c in card.cdip_goals}
    strategic = {s.id: s for s in card.strategic_goals}
    order = {c.id: i for i, c in enumerate(card.cdip_goals)}
    goals = sorted(card.goals, key=lambda g: order.get(g.cdip_goal_id or "", len(order)))
    rows, gaps = [], _orphans(card)
    for g in goals:
        plan = GoalPlan(card, g, cdip.get(g.cdip_goal_id or ""),
                        strategic.get(g.strategic_goal_id or ""),
                        [m for m in card.measures if m.goal_id == g.id],
                        [a for a in card.actions if a.goal_id == g.id])
        rows.append((g, [c.fill(plan) for c in COLUMNS]))
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
    """Measures and actions of a goal the Goals sheet does not have: in no row."""
    ids = {g.id for g in card.goals}
    out = []
    for entity, items, column in (("measures", card.measures, "Measure of Success"),
                                  ("actions", card.actions, "Activities")):
        sheet = card.sheet_names.get(entity, entity)
        for item in items:
            if item.goal_id not in ids:
                said = f"names goal {item.goal_id}, which the Goals sheet does not have" \
                    if item.goal_id else "names no goal"
                out.append(Gap(None, column, sheet, card.cell(entity, "goal_id", item.row),
                               f"{entity[:-1]} {item.id} {said}: it is in no row."))
    return out


def export_file(source: str | Path, output: str | Path, force: bool = False) -> KdeCdip:
    """Read and check the workbook at ``source`` and write it in the state's columns to
    ``output`` (an .xlsx). Raises ``WorkbookUnreadable``, ``ExportError`` or, when the file
    cannot be written, ``FolderNotWritable`` / ``FileLocked``; ``source`` is only read."""
    source, output = Path(source), Path(output)
    _refuse_output(source, output, force)
    result = check_workbook(str(source))
    done = kde_cdip(result.card)
    done.findings = {str(s): result.count(s) for s in Severity}
    p = result.card.profile
    who = p.district_name or p.district_id or "District"
    write_table(output, SHEET, [(c.header, c.width) for c in COLUMNS],
                [cells for _, cells in done.rows], f"{who} · {result.card.school_year}")
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


__all__ = ["COLUMNS", "SHEET", "Column", "Gap", "GoalPlan", "KdeCdip",
           "export_file", "kde_cdip", "readme_table"]
