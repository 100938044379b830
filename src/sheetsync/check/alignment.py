"""Alignment: every goal, measure and action points at something that exists, and every
goal is measured and acted on (docs/findings.md lists the findings). What the alignment
sheets of the master and the reports draw comes from ``Alignment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sheetsync.check.where import Where, group_by
from sheetsync.read.models import Scorecard
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.sheets import scorecard_layout


@dataclass
class Alignment:
    strategic_goals: int = 0
    covered: int = 0
    strategic_goals_without_goals: list[str] = field(default_factory=list)
    goals_without_measures: list[str] = field(default_factory=list)
    goals_without_actions: list[str] = field(default_factory=list)
    priority_needs: int = 0
    priority_needs_unaddressed: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        return round(self.covered / self.strategic_goals, 4) if self.strategic_goals else None

    def to_dict(self) -> dict[str, Any]:
        return {"coverage": self.coverage, "strategic_goals": self.strategic_goals,
                "strategic_goals_covered": self.covered,
                "strategic_goals_without_goals": self.strategic_goals_without_goals,
                "goals_without_measures": self.goals_without_measures,
                "goals_without_actions": self.goals_without_actions,
                "priority_needs": self.priority_needs,
                "priority_needs_unaddressed": self.priority_needs_unaddressed}


def check_alignment(card: Scorecard) -> tuple[list[Finding], Alignment]:
    where = Where(card)
    out: list[Finding] = []
    ids = {e: {x.id for x in getattr(card, e)}
           for e in ("strategic_goals", "cdip_goals", "needs", "goals", "strategies")}
    layout = scorecard_layout()
    refs = [("goals", "strategic_goal_id", "Goal"), ("goals", "cdip_goal_id", "Goal"),
            ("goals", "need_id", "Goal"), ("measures", "goal_id", "Measure"),
            ("actions", "goal_id", "Action"), ("strategies", "goal_id", "Strategy"),
            ("actions", "strategy_id", "Action")]
    for entity, key, noun in refs:
        column = layout.sheet(entity).column(key)
        target, header = column.ref or "", column.header
        if target not in card.sheet_names:
            continue  # the missing sheet is reported already
        for item in getattr(card, entity):
            value = getattr(item, key)
            if value and value not in ids[target] and card.level == "school" and \
                    target == "strategic_goals":  # the locked list is the district's
                out.append(F.SCHOOL_GOAL_NOT_IN_DISTRICT(
                    **where(entity, key, item.row), goal=item.id, value=value,
                    ids=", ".join(sorted(ids[target])) or "none"))
            elif value and value not in ids[target]:
                out.append(F.UNKNOWN_REFERENCE(
                    **where(entity, key, item.row), what=f"{noun} {item.id}", header=header,
                    value=value, target=card.sheet_names.get(target, layout.sheet(target).name)))
    goals_by_sg = group_by(card.goals, "strategic_goal_id")
    measures, actions = group_by(card.measures), group_by(card.actions)
    a = Alignment(strategic_goals=len(card.strategic_goals))
    for sg in card.strategic_goals if "goals" in card.sheet_names else ():
        if goals_by_sg.get(sg.id):
            a.covered += 1
        else:
            a.strategic_goals_without_goals.append(sg.id)
            out.append(F.STRATEGIC_GOAL_UNCOVERED(  # a school nests under a few of them
                **where("strategic_goals", "id", sg.row), id=sg.id, title=sg.title or "",
                severity=F.INFO if card.level == "school" else None))
    for g in card.goals:
        if "measures" in card.sheet_names and not measures.get(g.id):
            a.goals_without_measures.append(g.id)
            out.append(F.GOAL_WITHOUT_MEASURE(**where("goals", "id", g.row), id=g.id))
        if "actions" in card.sheet_names and not actions.get(g.id):
            a.goals_without_actions.append(g.id)
            out.append(F.GOAL_WITHOUT_ACTION(**where("goals", "id", g.row), id=g.id))
    priority = [n for n in card.needs if n.priority]
    a.priority_needs = len(priority)
    if "needs" in card.sheet_names and not 2 <= len(priority) <= 3:
        out.append(F.PRIORITY_NEED_COUNT(sheet=card.sheet_names["needs"], count=len(priority)))
    addressed = {g.need_id for g in card.goals}
    for n in priority if "goals" in card.sheet_names else ():
        if n.id not in addressed:
            a.priority_needs_unaddressed.append(n.id)
            out.append(F.NEED_UNADDRESSED(**where("needs", "id", n.row), id=n.id))
    return out, a
