"""The planning rules (docs/findings.md): SMART, values and execution; alignment is in
``check.alignment``.

Structure and value rules are reported by the reader as it reads; these rules look at the
scorecard as a whole. Each returns findings pointing at the cell to fix.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sheetsync.check.alignment import Alignment, check_alignment
from sheetsync.check.status import (
    StatusSettings,
    action_schedule,
    direction_of,
    stale_since,
    update_due,
    update_status,
)
from sheetsync.check.where import Where as _Where
from sheetsync.check.where import group_by as _group
from sheetsync.check.where import header_of as _header
from sheetsync.read.models import Goal, Measure, Scorecard
from sheetsync.schema import findings as F
from sheetsync.schema.findings import Finding
from sheetsync.schema.numbers import significant
from sheetsync.schema.schoolyear import SchoolYear, period_key, period_label, year_end
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.schema.vocabulary import (
    DECREASE,
    INCREASE,
    LATE,
    LATE_START,
    MISSING,
    NON_NEGATIVE_UNITS,
    NOT_STARTED,
    OVERDUE,
    PERCENT,
)

SMART_KEYS = ("specific", "measurable", "attainable", "responsible", "time_bound")
SMART_WORDS = {"specific": "Specific", "measurable": "Measurable", "attainable": "Attainable",
               "responsible": "Responsible", "time_bound": "Time-bound"}
MIN_STATEMENT_WORDS = 6


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
    if m.direction == INCREASE and m.target < m.baseline:
        return "below"
    if m.direction == DECREASE and m.target > m.baseline:
        return "above"
    return None


def _percent_problems(m: Measure) -> list[tuple[str, float]]:
    if m.unit != PERCENT:
        return []
    return [(k, v) for k in ("baseline", "target")
            if (v := getattr(m, k)) is not None and not 0 <= v <= 100]


def _smart_place(goal: Goal, missing: str, measures: list[Measure]) -> tuple[str, str, int]:
    """(entity, key, row) of the cell to fix for the first SMART letter a goal misses: the
    statement or the student group (S), the measure's missing unit, baseline or target or,
    with no measure, the goal's id (M), the target that moves the wrong way (A), the owner
    (R), the target date (T)."""
    if missing == "specific":
        words = len((goal.statement or "").split())
        return "goals", "statement" if words < MIN_STATEMENT_WORDS else "student_group", \
            goal.row
    if missing == "measurable":
        for m in measures:
            for key in ("unit", "baseline", "target"):
                if getattr(m, key) in (None, ""):
                    return "measures", key, m.row
        return "goals", "id", goal.row
    if missing == "attainable":
        wrong = next((m for m in measures if m.unit and m.baseline is not None and
                      m.target is not None and not _attainable(m)), None)
        if wrong is not None:
            problems = _percent_problems(wrong)
            return "measures", problems[0][0] if problems and not _direction_problem(wrong) \
                else "target", wrong.row
        return "goals", "id", goal.row
    return "goals", "owner" if missing == "responsible" else "target_date", goal.row


def smart_by_row(card: Scorecard, year: SchoolYear
                 ) -> tuple[list[Finding], dict[int, dict[str, bool]]]:
    """SMART findings, and each goal row's letters (a duplicated id keeps its own)."""
    where = _Where(card)
    out: list[Finding] = []
    by_goal = _group(card.measures)
    strategic = {s.id: s for s in card.strategic_goals}
    letters_by_goal: dict[int, dict[str, bool]] = {}
    for m in card.measures:
        relation = _direction_problem(m)
        if relation:
            out.append(F.TARGET_WRONG_DIRECTION(
                **where("measures", "target", m.row), measure=m.id, direction=m.direction,
                target=_num(m.target), relation=relation, baseline=_num(m.baseline)))
        for key, value in _percent_problems(m):
            out.append(F.PERCENT_OUT_OF_RANGE(
                **where("measures", key, m.row), header=_header("measures", key), measure=m.id,
                value=_num(value)))
    for g in card.goals:
        sg = strategic.get(g.strategic_goal_id or "")
        end_year = sg.end_year if sg and sg.end_year else None
        horizon = year_end(end_year) if end_year and end_year > year.end.year else year.end
        letters, reasons = smart(g, by_goal.get(g.id, []), horizon, year,
                                 "measures" in card.sheet_names)
        letters_by_goal[g.row] = letters
        if reasons:
            missing = [k for k in SMART_KEYS if not letters[k]]
            place = where(*_smart_place(g, missing[0], by_goal.get(g.id, [])))
            if place["cell"] is None:  # that column is missing (reported already)
                place = where("goals", "statement", g.row)
            out.append(F.NOT_SMART(**place, goal=g.id,
                                   letters=_and([SMART_WORDS[k] for k in missing]),
                                   reasons="; ".join(reasons)))
    return out, letters_by_goal


# -- Values: ranges and future months -------------------------------------------------------


def _allowed(unit: str | None) -> tuple[float, float] | None:
    if unit == PERCENT:
        return 0, 100
    if unit in NON_NEGATIVE_UNITS:
        return 0, float("inf")
    return None


def check_values(card: Scorecard, as_of: date) -> list[Finding]:
    """Numbers outside what their unit allows (0-100 for %, not negative for counts, %
    Complete 0-100), actuals typed for a month after the as-of month (not used for
    status), and monthly updates for a month outside the school year. A % measure's baseline
    and target are judged by SMART (percent-out-of-range)."""
    where = _Where(card)
    out: list[Finding] = []
    current = period_key(as_of)
    headers = _measure_headers(card.school_year)
    for m in card.measures:
        allowed = _allowed(m.unit)
        if allowed is not None:
            low, high = allowed
            values: list[tuple[str, float]] = [] if m.unit == PERCENT else [
                (k, v) for k in ("baseline", "target") if (v := getattr(m, k)) is not None]
            values += [(f"actual:{p}", v) for p, v in m.actuals.items() if not low <= v <= high]
            values += [(f"interim_target:{p}", v) for p, v in m.interim_targets.items()
                       if not low <= v <= high]
            out += [F.OUT_OF_RANGE(**where("measures", slot, m.row),
                                   header=headers.get(slot, slot), what=f"measure {m.id}",
                                   value=_num(v), allowed=_range_words(m.unit, allowed))
                    for slot, v in values if not low <= v <= high]
        for p in m.actuals:
            if p > current:
                out.append(F.FUTURE_ACTUAL(
                    **where("measures", f"actual:{p}", m.row), header=headers.get(
                        f"actual:{p}", p), measure=m.id, month=period_label(p),
                    as_of=as_of.isoformat()))
    for a in card.actions:
        if a.percent_complete is not None and not 0 <= a.percent_complete <= 100:
            out.append(F.OUT_OF_RANGE(
                **where("actions", "percent_complete", a.row),
                header=_header("actions", "percent_complete"),
                what=f"action {a.id}", value=_num(a.percent_complete),
                allowed="between 0 and 100"))
    out += _months_outside(card)
    if not card.goals and not card.measures and "goals" in card.sheet_names:
        out.append(F.EMPTY_SCORECARD(sheet=card.sheet_names["goals"]))
    return [f for f in out if f.cell or f.code == "empty-scorecard"]


def _months_outside(card: Scorecard) -> list[Finding]:
    """Monthly updates for a month outside the school year (Oct 2025 typed in a 2026-27
    workbook): they count for no month, so say so where the month was typed."""
    year = SchoolYear.parse(card.school_year)
    where = _Where(card)
    header = scorecard_layout(year.label).sheet("monthly_updates").column("month").header
    return [F.UNKNOWN_MONTH(**where("monthly_updates", "month", u.row), header=header,
                            value=period_label(u.month), year=year.label)
            for u in card.monthly_updates if u.month and u.month not in year.periods]


@lru_cache(maxsize=16)
def _measure_headers(school_year: str) -> dict[str, str]:
    return {c.slot: c.header for c in scorecard_layout(school_year).sheet("measures").columns}


def _range_words(unit: str | None, allowed: tuple[float, float]) -> str:
    if allowed[1] == float("inf"):
        return f"not negative (a {unit} cannot go below 0)"
    return "between 0 and 100 (a percentage)"


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
        if schedule == OVERDUE:
            out.append(F.ACTION_OVERDUE(**where("actions", "due_date", a.row), id=a.id,
                                        due=a.due_date, status=a.status or NOT_STARTED))
        elif schedule == LATE_START:
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
        if u and u.submitted_on and u.submitted_on > as_of:
            out.append(F.SUBMITTED_IN_FUTURE(**place, month=period_label(p),
                                             submitted=u.submitted_on, as_of=as_of,
                                             status=status))
        elif status == MISSING:
            out.append(F.UPDATE_MISSING(**place, month=period_label(p), due=due))
        elif status == LATE:
            out.append(F.UPDATE_LATE(**place, month=period_label(p), due=due,
                                     submitted=u.submitted_on if u else None))
    return out


def _num(v: float | None) -> str:
    return "" if v is None else significant(v)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


__all__ = ["Alignment", "check_alignment", "check_execution", "check_values",
           "direction_of", "smart", "smart_by_row"]
