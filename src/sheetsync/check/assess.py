"""One district's scorecard assessed: findings, statuses, SMART letters and alignment.

``assess(card, ...)`` is what ``sheetsync check``, the monthly pull and the Excel functions
all call, so they cannot disagree. ``CheckResult.to_json()`` is ``check --json``; its
findings are ``CheckResult.report`` (``check.report.FindingsReport``), the rows every output
flattens them to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetsync.check.alignment import Alignment, check_alignment
from sheetsync.check.kde import check_cdip_goals, check_strategies
from sheetsync.check.report import FindingsReport
from sheetsync.check.rules import check_execution, check_values, smart_by_row
from sheetsync.check.schools import district_findings
from sheetsync.check.status import (
    MeasureStatus,
    StatusSettings,
    action_schedule,
    measure_status,
    update_status,
    worst,
)
from sheetsync.read.district import DistrictPlan
from sheetsync.read.models import Action, Goal, Measure, Scorecard, StrategicGoal
from sheetsync.read.scorecard import read_scorecard
from sheetsync.schema.findings import Finding, Severity
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.sheets import scorecard_layout

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass
class CheckResult:
    card: Scorecard
    as_of: date
    findings: list[Finding]
    measures: dict[str, MeasureStatus]
    goals: dict[str, str]
    strategic_goals: dict[str, str]
    smart: dict[str, dict[str, bool]]
    schedules: dict[str, str]
    updates: dict[str, str]  # period -> On Time / Late / Missing / Not Due
    alignment: Alignment = field(default_factory=Alignment)
    # the same, by row: each row its own, a duplicated id too ("measures", "goals", ...)
    rows: dict[str, dict[int, Any]] = field(default_factory=dict)

    def measure(self, m: Measure) -> MeasureStatus:
        """The status of measure ``m``'s own row."""
        return self._own("measures", m)  # type: ignore[no-any-return]

    def goal(self, g: Goal) -> str:
        """The status of goal ``g``'s own row."""
        return self._own("goals", g)  # type: ignore[no-any-return]

    def smart_of(self, g: Goal) -> dict[str, bool]:
        """Goal ``g``'s SMART criteria, met or not (``rules.SMART_KEYS``)."""
        return self._own("smart", g)  # type: ignore[no-any-return]

    def strategic_goal(self, s: StrategicGoal) -> str:
        """The status of strategic goal ``s``'s own row."""
        return self._own("strategic_goals", s)  # type: ignore[no-any-return]

    def schedule(self, a: Action) -> str:
        """Action ``a``'s schedule (On Schedule, Overdue, ...)."""
        return self._own("schedules", a)  # type: ignore[no-any-return]

    def _own(self, what: str, item: Goal | Measure | StrategicGoal | Action) -> Any:
        """``item``'s result by its row (a duplicated id has one per row), else by its id."""
        by_row = self.rows.get(what)
        if by_row is not None and item.row in by_row:
            return by_row[item.row]
        return getattr(self, what)[item.id]

    @property
    def report(self) -> FindingsReport:
        """The findings as one report: ``check --json``'s, the Excel functions' and the
        master's Issues rows all come from it."""
        return FindingsReport.of(self.findings)

    @property
    def valid(self) -> bool:
        return self.report.valid

    def count(self, severity: Severity) -> int:
        return self.report.count(severity)

    def to_json(self) -> dict[str, Any]:
        card = self.card
        return {
            "file": card.source,
            "district_id": card.profile.district_id,
            **({"level": "school", "school_id": card.profile.school_id}
               if card.level == "school" else {}),
            "template_version": card.template_version,
            "school_year": card.school_year,
            "as_of": self.as_of.isoformat(),
            "valid": self.valid,
            "findings": self.report.to_dicts(),
            "goals": [{"id": g.id, "row": g.row, "strategic_goal_id": g.strategic_goal_id,
                       "status": self.goal(g), "smart": self.smart_of(g)}
                      for g in card.goals],
            "strategic_goals": [{"id": s.id, "row": s.row,
                                 "status": self.strategic_goal(s)}
                                for s in card.strategic_goals],
            "measures": [{"id": m.id, "row": m.row, "goal_id": m.goal_id,
                          **self.measure(m).to_dict()} for m in card.measures],
            "actions": [{"id": a.id, "row": a.row, "goal_id": a.goal_id, "status": a.status,
                         "schedule": self.schedule(a)} for a in card.actions],
            "updates": [{"month": p, "status": s} for p, s in self.updates.items()],
            "alignment": self.alignment.to_dict(),
        }


def as_of_for(card: Scorecard, as_of: date | None) -> date:
    """The date statuses are computed for: given, else the profile's, else today."""
    return as_of or card.profile.as_of or date.today()


def settings_for(card: Scorecard, settings: StatusSettings | None) -> StatusSettings:
    """Given settings (a cohort's) win; else the workbook's own; else the defaults."""
    if settings is not None:
        return settings
    return StatusSettings.from_mapping(card.settings)


def assess(card: Scorecard, read_findings: list[Finding], as_of: date | None = None,
           settings: StatusSettings | None = None,
           district: DistrictPlan | None = None) -> CheckResult:
    """``district``: the plan a school plan nests under, to check it against."""
    when = as_of_for(card, as_of)
    settings = settings_for(card, settings)
    year = SchoolYear.parse(card.school_year)
    layout = scorecard_layout(year.label)
    smart_findings, letters = smart_by_row(card, year)
    align_findings, alignment = check_alignment(card)
    align_findings += check_strategies(card) + check_cdip_goals(card)
    exec_findings = check_execution(card, when, year, layout.update_periods, settings)
    value_findings = check_values(card, when)
    if district is not None:
        align_findings += district_findings(card, district)

    # Each row keeps its own status, a duplicated id too; by id is the first row's.
    measures = {m.row: measure_status(m, when, year, settings) for m in card.measures}
    by_goal: dict[str, list[str]] = {}
    for m in card.measures:
        by_goal.setdefault(m.goal_id or "", []).append(measures[m.row].status)
    goals = {g.row: worst(by_goal.get(g.id, [])) for g in card.goals}
    by_sg: dict[str, list[str]] = {}
    for g in card.goals:
        by_sg.setdefault(g.strategic_goal_id or "", []).append(goals[g.row])
    strategic = {s.row: worst(by_sg.get(s.id, [])) for s in card.strategic_goals}
    submitted = {u.month: u.submitted_on for u in card.monthly_updates}
    updates = {p: update_status(p, submitted.get(p), when, settings.update_due_day)
               for p in layout.update_periods}
    found = read_findings + value_findings + smart_findings + align_findings + exec_findings
    found.sort(key=lambda f: (_SEVERITY_RANK[f.severity], _sheet_order(card, f.sheet),
                              f.row or 0, f.column or ""))
    schedules = {a.row: action_schedule(a, when) for a in card.actions}
    return CheckResult(
        card=card, as_of=when, findings=found, measures=_first(card.measures, measures),
        goals=_first(card.goals, goals), strategic_goals=_first(card.strategic_goals, strategic),
        smart=_first(card.goals, letters), schedules=_first(card.actions, schedules),
        updates=updates, alignment=alignment,
        rows={"measures": measures, "goals": goals, "strategic_goals": strategic,
              "smart": letters, "schedules": schedules})


def _first(items: list[Any], by_row: dict[int, Any]) -> dict[str, Any]:
    """By id, the first row's (a duplicated id is an error already)."""
    out: dict[str, Any] = {}
    for item in items:
        out.setdefault(item.id, by_row[item.row])
    return out


def _sheet_order(card: Scorecard, sheet: str | None) -> int:
    names = list(card.sheet_names.values())
    return names.index(sheet) if sheet in names else -1


def check_workbook(path: str, as_of: date | None = None,
                   settings: StatusSettings | None = None,
                   district: DistrictPlan | None = None) -> CheckResult:
    """Read and assess the workbook at ``path`` (raises ``WorkbookUnreadable``); a school
    plan against ``district``'s plan when given."""
    card, found = read_scorecard(path)
    return assess(card, found, as_of, settings, district)
