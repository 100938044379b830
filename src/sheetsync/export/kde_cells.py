"""The text of each cell of Kentucky's CDIP/CSIP export, from one row of the plan (a goal →
objective → strategy, ``StrategyRow``), and the gaps the form requires filled (``Gap``):
what ``kde_cdip.COLUMNS`` fills each column with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetsync.read.models import (
    Action,
    CdipGoal,
    Goal,
    Measure,
    Need,
    Scorecard,
    Strategy,
)
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.vocabulary import KCWP_OTHER


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


def goal_text(plan: StrategyRow) -> str:
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
        numbers = f"{number_text(cdip.baseline)} → {number_text(cdip.target)} by {cdip.target_year}"
    said = f"{cdip.indicator}: {numbers}" if cdip.indicator and numbers else \
        cdip.indicator or numbers
    return "\n".join(t for t in (head, said) if t)


def cdip_gaps(card: Scorecard) -> list[Gap]:
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


def objective_text(plan: StrategyRow) -> str:
    g = plan.goal
    if not g.statement and plan.first:
        plan.gap("Objective", "goals", "statement", g.row,
                 f"goal {g.id} has no SMART goal statement, so its Objective is blank.")
    return g.statement or ""


def needs_text(plan: StrategyRow) -> str:
    n = plan.need
    if n is None:
        if plan.goal.need_id is None and plan.first:
            plan.gap("Needs Addressed", "goals", "need_id", plan.goal.row,
                     f"goal {plan.goal.id} names no need from the needs assessment: fill in "
                     "its Need ID.")
        return plan.goal.need_id or ""
    why = f" (root cause: {n.cause})" if n.cause else ""
    return f"{n.id}. {n.description or ''}{why}".strip()


def strategy_text(plan: StrategyRow) -> str:
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


def kcwp_text(plan: StrategyRow) -> str:
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


def activities_text(plan: StrategyRow) -> str:
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
        when = f"{day_text(a.start_date)} – {day_text(a.due_date)}" if a.start_date and a.due_date \
            else f"due {day_text(a.due_date)}" if a.due_date \
            else f"from {day_text(a.start_date)}" if a.start_date else ""
        who = "; ".join(t for t in (a.owner, when) if t)
        lines.append(f"{n}. {a.description or a.id}" + (f" ({who})" if who else ""))
    return "\n".join(lines)


def measure_of_success_text(plan: StrategyRow) -> str:
    if not plan.measures and plan.first:
        plan.gap("Measure of Success", "goals", "id", plan.goal.row,
                 f"goal {plan.goal.id} has no measures (Measures sheet), so its Measure of "
                 "Success is blank.")
    lines = []
    end = school_year_end_text(plan.card)
    for m in plan.measures:
        if plan.first:
            for key, value in (("baseline", m.baseline), ("target", m.target),
                               ("frequency", m.frequency)):
                if value is None:
                    plan.gap("Measure of Success", "measures", key, m.row,
                             f"measure {m.id} has no {key}.")
        base = amount_text(m.baseline, m.unit) if m.baseline is not None else "baseline not given"
        target = amount_text(m.target, m.unit) if m.target is not None else "target not given"
        how = ", ".join(t for t in (m.frequency, m.data_source) if t)
        lines.append(f"{m.name or m.id}: {base} → {target} by {day_text(m.target_date or end)}"
                     + (f" ({how})" if how else ""))
    return "\n".join(lines)


def progress_monitoring_text(plan: StrategyRow) -> str:
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


def funding_text(plan: StrategyRow) -> str:
    lines, costs = [], []
    for n, a in plan.numbered:
        source = a.funding_source if a.funding_source != "None" else None
        if a.cost and not a.funding_source:
            plan.gap("Funding", "actions", "funding_source", a.row,
                     f"action {a.id} costs {dollars_text(a.cost)} and names no funding source.")
        said = [t for t in (source, dollars_text(a.cost) if a.cost else None) if t]
        if said:
            missing = " (funding source not given)" if a.cost and not source else ""
            lines.append(f"{n}. {', '.join(said)}{missing}")
        if a.cost:
            costs.append(a.cost)
    if len(costs) > 1:
        lines.append(f"Total {dollars_text(sum(costs))}")
    return "\n".join(lines) or ("No cost" if plan.actions else "")


def school_year_end_text(card: Scorecard) -> date:
    try:
        return SchoolYear.parse(card.school_year).end
    except ValueError:
        return SchoolYear.containing(date.today()).end


def day_text(d: date) -> str:
    """Jun 30, 2027."""
    return f"{d:%b} {d.day}, {d.year}"


def number_text(value: float) -> str:
    """45 -> '45', 45.5 -> '45.5', 1200 -> '1,200'; at most six decimals (no float noise)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def dollars_text(value: float) -> str:
    return f"-${number_text(-value)}" if value < 0 else f"${number_text(value)}"


def amount_text(value: float, unit: str | None) -> str:
    """A measure's value as the scorecard shows it: 46%, $1,200, 12 days, 420."""
    if unit == "%":
        return f"{number_text(value)}%"
    if unit == "dollars":
        return dollars_text(value)
    if unit == "days":
        return f"{number_text(value)} days"
    return number_text(value)
