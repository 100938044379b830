"""The planning rules of domain.md: SMART, alignment and execution.

Structure and value rules are reported by the reader as it reads; these rules look at the
scorecard as a whole. Each returns findings pointing at the cell to fix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import findings as F
from .findings import Finding
from .models import Goal, Measure, Scorecard
from .schoolyear import SchoolYear, period_label
from .status import (
    StatusSettings,
    action_schedule,
    direction_of,
    stale_since,
    update_due,
    update_status,
)

SMART_KEYS = ("specific", "measurable", "attainable", "responsible", "time_bound")
SMART_WORDS = {"specific": "Specific", "measurable": "Measurable", "attainable": "Attainable",
               "responsible": "Responsible", "time_bound": "Time-bound"}
MIN_STATEMENT_WORDS = 6


class _Where:
    """Cell references in the district's file, as its columns were found."""

    def __init__(self, card: Scorecard) -> None:
        self.card = card

    def __call__(self, entity: str, key: str, row: int) -> dict[str, Any]:
        return {"sheet": self.card.sheet_names.get(entity), "row": row,
                "cell": self.card.cell(entity, key, row)}


# -- SMART -------------------------------------------------------------------------------


def smart(goal: Goal, measures: list[Measure], horizon_end: date, year: SchoolYear,
          measures_read: bool = True) -> tuple[dict[str, bool], list[str]]:
    """The SMART letters of one goal, and why each missing one is missing.

    ``measures_read`` is False when there was no Measures sheet to judge M and A by.
    """
    reasons: dict[str, str] = {}
    words = len((goal.statement or "").split())
    if words < MIN_STATEMENT_WORDS:
        reasons["specific"] = "the statement should say what changes and for whom"
    elif not goal.student_group:
        reasons["specific"] = "name the student group it is for"
    usable = [m for m in measures if m.unit and m.baseline is not None and m.target is not None]
    if measures_read and not usable:
        reasons["measurable"] = "it needs a measure with a unit, a baseline and a target"
    elif not all(_attainable(m) for m in usable):
        reasons["attainable"] = "a measure's target moves the wrong way or is out of range"
    if measures_read and not usable and "measurable" in reasons:
        reasons["attainable"] = "without a baseline and target it cannot be judged"
    if not goal.owner:
        reasons["responsible"] = "name an owner"
    if goal.target_date is None:
        reasons["time_bound"] = "give a target date"
    elif not year.start <= goal.target_date <= horizon_end:
        reasons["time_bound"] = (f"its target date {goal.target_date} is outside the plan "
                                 f"({year.start} to {horizon_end})")
    letters = {k: k not in reasons for k in SMART_KEYS}
    return letters, [reasons[k] for k in SMART_KEYS if k in reasons]


def _attainable(m: Measure) -> bool:
    return _direction_problem(m) is None and not _percent_problems(m)


def _direction_problem(m: Measure) -> str | None:
    if m.baseline is None or m.target is None or m.target == m.baseline or not m.direction:
        return None
    if m.direction == "increase" and m.target < m.baseline:
        return "below"
    if m.direction == "decrease" and m.target > m.baseline:
        return "above"
    return None


def _percent_problems(m: Measure) -> list[tuple[str, float]]:
    if m.unit != "%":
        return []
    return [(k, v) for k in ("baseline", "target")
            if (v := getattr(m, k)) is not None and not 0 <= v <= 100]


def check_smart(card: Scorecard, year: SchoolYear) -> tuple[list[Finding], dict[str, dict]]:
    where = _Where(card)
    out: list[Finding] = []
    by_goal = _group(card.measures)
    strategic = {s.id: s for s in card.strategic_goals}
    letters_by_goal: dict[str, dict[str, bool]] = {}
    for m in card.measures:
        relation = _direction_problem(m)
        if relation:
            out.append(F.TARGET_WRONG_DIRECTION(
                **where("measures", "target", m.row), measure=m.id, direction=m.direction,
                target=_num(m.target), relation=relation, baseline=_num(m.baseline)))
        for key, value in _percent_problems(m):
            out.append(F.PERCENT_OUT_OF_RANGE(
                **where("measures", key, m.row), header=key.title(), measure=m.id,
                value=_num(value)))
    for g in card.goals:
        sg = strategic.get(g.strategic_goal_id or "")
        end_year = sg.end_year if sg and sg.end_year else None
        horizon = date(end_year, 6, 30) if end_year and end_year > year.end.year else year.end
        letters, reasons = smart(g, by_goal.get(g.id, []), horizon, year,
                                 "measures" in card.sheet_names)
        letters_by_goal[g.id] = letters
        if reasons:
            missing = [SMART_WORDS[k] for k in SMART_KEYS if not letters[k]]
            out.append(F.NOT_SMART(**where("goals", "statement", g.row), goal=g.id,
                                   letters=_and(missing), reasons="; ".join(reasons)))
    return out, letters_by_goal


# -- Alignment ---------------------------------------------------------------------------


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
    where = _Where(card)
    out: list[Finding] = []
    ids = {e: {x.id for x in getattr(card, e)}
           for e in ("strategic_goals", "cdip_goals", "needs", "goals")}
    titles = {"strategic_goals": "Strategic Goals", "cdip_goals": "CDIP Goals",
              "needs": "Needs", "goals": "Goals"}
    refs = [("goals", "strategic_goal_id", "strategic_goals", "Strategic Goal ID", "Goal"),
            ("goals", "cdip_goal_id", "cdip_goals", "CDIP Goal ID", "Goal"),
            ("goals", "need_id", "needs", "Need ID", "Goal"),
            ("measures", "goal_id", "goals", "Goal ID", "Measure"),
            ("actions", "goal_id", "goals", "Goal ID", "Action")]
    for entity, key, target, header, noun in refs:
        if target not in card.sheet_names:
            continue  # the missing sheet is reported already
        for item in getattr(card, entity):
            value = getattr(item, key)
            if value and value not in ids[target]:
                out.append(F.UNKNOWN_REFERENCE(
                    **where(entity, key, item.row), what=f"{noun} {item.id}", header=header,
                    value=value, target=card.sheet_names.get(target, titles[target])))
    goals_by_sg = _group(card.goals, "strategic_goal_id")
    measures, actions = _group(card.measures), _group(card.actions)
    a = Alignment(strategic_goals=len(card.strategic_goals))
    for sg in card.strategic_goals if "goals" in card.sheet_names else ():
        if goals_by_sg.get(sg.id):
            a.covered += 1
        else:
            a.strategic_goals_without_goals.append(sg.id)
            out.append(F.STRATEGIC_GOAL_UNCOVERED(**where("strategic_goals", "id", sg.row),
                                                  id=sg.id, title=sg.title or ""))
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


# -- Execution ---------------------------------------------------------------------------


def check_execution(card: Scorecard, as_of: date, year: SchoolYear, periods: list[str],
                    settings: StatusSettings) -> list[Finding]:
    where = _Where(card)
    out: list[Finding] = []
    found = card.columns.get("actions", {})  # a missing column is reported once, already
    for a in card.actions:
        if not a.owner and "owner" in found:
            out.append(F.ACTION_WITHOUT_OWNER(**where("actions", "owner", a.row), id=a.id))
        if a.cost and a.cost > 0 and not a.funding_source and "funding_source" in found:
            out.append(F.COST_WITHOUT_FUNDING(**where("actions", "funding_source", a.row),
                                              id=a.id, cost=f"${a.cost:,.0f}"))
        if not a.evidence and "evidence" in found:
            out.append(F.ACTION_WITHOUT_MONITORING(**where("actions", "evidence", a.row),
                                                   id=a.id))
        schedule = action_schedule(a, as_of)
        if schedule == "Overdue":
            out.append(F.ACTION_OVERDUE(**where("actions", "due_date", a.row), id=a.id,
                                        due=a.due_date, status=a.status or "Not Started"))
        elif schedule == "Late Start":
            out.append(F.ACTION_LATE_START(**where("actions", "start_date", a.row), id=a.id,
                                           start=a.start_date))
    for m in card.measures:
        due = stale_since(m, as_of, year)
        if due:
            past = [p for p in m.actuals if p <= due]
            latest = f"for {period_label(max(past))}" if past else "not entered yet"
            cell_key = f"actual:{due}"
            out.append(F.MEASURE_STALE(**where("measures", cell_key, m.row), measure=m.id,
                                       frequency=m.frequency, latest=latest,
                                       due=period_label(due)))
    if "monthly_updates" in card.sheet_names:
        out += _updates(card, as_of, periods, settings, where)
    return out


def _updates(card: Scorecard, as_of: date, periods: list[str], settings: StatusSettings,
             where: _Where) -> list[Finding]:
    out = []
    by_month = {u.month: u for u in card.monthly_updates}
    sheet = card.sheet_names["monthly_updates"]
    for p in periods:
        u = by_month.get(p)
        status = update_status(p, u.submitted_on if u else None, as_of, settings.update_due_day)
        due = update_due(p, settings.update_due_day)
        place = where("monthly_updates", "submitted_on", u.row) if u else {"sheet": sheet}
        if status == "Missing":
            out.append(F.UPDATE_MISSING(**place, month=period_label(p), due=due))
        elif status == "Late":
            out.append(F.UPDATE_LATE(**place, month=period_label(p), due=due,
                                     submitted=u.submitted_on if u else None))
    return out


def _group(items: list[Any], key: str = "goal_id") -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        out[getattr(item, key) or ""].append(item)
    return out


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


__all__ = ["Alignment", "check_alignment", "check_execution", "check_smart", "direction_of",
           "smart"]
