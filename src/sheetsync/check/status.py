"""Progress status: the rule of docs/status.md, every threshold a setting.

For a measure with baseline B, target T and the latest actual A (the latest period whose
month is not after the as-of month): expected value E is the period's interim target, else
the straight line from B at the baseline date to T at the target date, clamped to [B, T];
p = (A-B)/(T-B), e = (E-B)/(T-B). Met when p >= 1; Not Met when past the target date;
On Track when p >= e; At Risk when p >= e - band; Off Track otherwise; No Data with no
actual. T = B ("maintain"): Met when A is at T or better, else Off Track. Comparisons are
made at 15 significant digits, as a spreadsheet makes them.

The template's native formulas (``formulas.py``) compute the same thing in the same order,
so that Excel, Google Sheets, LibreOffice and sheetsync agree.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from sheetsync.schema.schoolyear import SchoolYear, period_date, period_key
from sheetsync.schema.settings import DEFAULT_SETTINGS, UPDATE_DUE_DAY, StatusSettings
from sheetsync.schema.vocabulary import (
    AT_RISK,
    DECREASE,
    DONE,
    FREQUENCY_MONTHS,
    INCREASE,
    LATE,
    LATE_START,
    MET,
    MISSING,
    NO_DATA,
    NOT_DUE,
    NOT_MET,
    NOT_STARTED,
    OFF_TRACK,
    ON_HOLD,
    ON_SCHEDULE,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    SEVERITY_ORDER,
)

if TYPE_CHECKING:  # annotations only: the cohort file's settings need no scorecard models
    from sheetsync.read.models import Action, Measure


@dataclass(frozen=True)
class MeasureStatus:
    status: str
    latest_period: str | None = None
    latest_actual: float | None = None
    expected: float | None = None
    progress: float | None = None
    expected_progress: float | None = None
    future_periods: tuple[str, ...] = ()  # actuals entered for months after the as-of month

    def to_dict(self) -> dict[str, object]:
        return {"status": self.status, "latest_period": self.latest_period,
                "latest_actual": self.latest_actual, "expected": self.expected,
                "progress": self.progress}


def direction_of(m: Measure) -> str | None:
    """The stated direction, else read from target against baseline."""
    if m.direction:
        return m.direction
    if m.baseline is None or m.target is None or m.target == m.baseline:
        return None
    return INCREASE if m.target > m.baseline else DECREASE


def measure_status(m: Measure, as_of: date, year: SchoolYear,
                   settings: StatusSettings = DEFAULT_SETTINGS) -> MeasureStatus:
    current = period_key(as_of)
    future = tuple(sorted(p for p in m.actuals if p > current))
    past = [p for p in m.actuals if p <= current]
    if not past:
        return MeasureStatus(NO_DATA, future_periods=future)
    latest = max(past)
    a = m.actuals[latest]
    if m.baseline is None or m.target is None:
        return MeasureStatus(NO_DATA, latest, a, future_periods=future)
    b, t = m.baseline, m.target
    if t == b:
        direction = m.direction
        ok = _at_least(a, t) if direction == INCREASE else _at_least(t, a) \
            if direction == DECREASE else _at_least(a, t) and _at_least(t, a)
        return MeasureStatus(MET if ok else OFF_TRACK, latest, a, t, None, None, future)
    expected = m.interim_targets.get(latest)
    if expected is None:
        expected = b + (t - b) * elapsed(latest, m, year)
    p = (a - b) / (t - b)
    e = (expected - b) / (t - b)
    target_date = m.target_date or year.end
    if _at_least(p, 1):
        status = MET
    elif as_of > target_date:
        status = NOT_MET
    elif _at_least(p, e):
        status = ON_TRACK
    elif _at_least(p, e - settings.at_risk_band):
        status = AT_RISK
    else:
        status = OFF_TRACK
    return MeasureStatus(status, latest, a, expected, p, e, future)


def _at_least(x: float, y: float) -> bool:
    """``x >= y`` as a spreadsheet compares, to 15 significant digits: p = 0.7 is at least
    e - band = 0.7000000000000001, as Excel, Google Sheets and LibreOffice find. Rounding
    keeps order, so only numbers closer than a 15-digit step need rounding."""
    return x >= y or (y - x < 1e-13 * abs(y) and float(f"{x:.15g}") >= float(f"{y:.15g}"))


def elapsed(period: str, m: Measure, year: SchoolYear) -> float:
    """Share of the baseline-to-target time gone by the period's date, within [0, 1]."""
    start = m.baseline_date or year.start
    end = m.target_date or year.end
    span = (end - start).days
    if span <= 0:
        return 1.0
    return min(1.0, max(0.0, (period_date(period) - start).days / span))


def worst(statuses: list[str]) -> str:
    """A goal's status from its measures' (or a strategic goal's from its goals')."""
    for status in SEVERITY_ORDER:
        if status in statuses:
            return status
    return NO_DATA


def action_schedule(a: Action, as_of: date) -> str:
    status = a.status or NOT_STARTED
    if status in DONE:
        return status
    if a.due_date and a.due_date < as_of:
        return OVERDUE
    if a.start_date and a.start_date < as_of and status == NOT_STARTED:
        return LATE_START
    return ON_HOLD if status == ON_HOLD else ON_SCHEDULE


@lru_cache(maxsize=4096)
def update_due(period: str, due_day: int) -> date:
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def update_status(period: str, submitted_on: date | None, as_of: date,
                  due_day: int = UPDATE_DUE_DAY.default) -> str:
    due = update_due(period, due_day)
    if submitted_on is not None and submitted_on <= as_of:  # later: not yet, as of then
        return LATE if submitted_on > due else ON_TIME
    return MISSING if as_of > due else NOT_DUE


def stale_since(m: Measure, as_of: date, year: SchoolYear) -> str | None:
    """The period whose actual is overdue for a measure of this frequency, or None."""
    allowed = FREQUENCY_MONTHS.get(m.frequency or "")
    if allowed is None:
        return None
    # The actual for a month is expected once that month is over.
    last_complete = _add_months(period_key(as_of), -1)
    if last_complete < year.periods[0]:
        return None
    past = [p for p in m.actuals if p <= period_key(as_of)]
    latest = max(past) if past else _add_months(year.periods[0], -1)
    if _months_between(latest, last_complete) >= allowed:
        return last_complete
    return None


@lru_cache(maxsize=4096)
def _add_months(period: str, n: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _months_between(a: str, b: str) -> int:
    return (int(b[:4]) * 12 + int(b[5:7])) - (int(a[:4]) * 12 + int(a[5:7]))

