"""The planning model as data: what a district's scorecard holds once it has been read.

Values are already cleaned by the reader (ids normalised, dates as dates, numbers as typed:
a percent-formatted cell in the points it shows, 46 for 0.46 shown as 46%). Every row
keeps ``row``, its row number in the district's sheet, so a finding or a master row can
point back at the cell a value came from.

The classes are plain typed data (``read.record``): made with keywords, each value is
read by its field's type as pydantic, which this model was until it cost a pull a tenth of
a second to load, read it; ``model_validate``, ``model_dump`` and ``model_copy`` keep their
names.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date
from typing import ClassVar

from sheetsync.read.record import Record


class Row(Record):
    forbid: ClassVar[bool] = True  # a keyword a row does not have is an error
    row: int = 0


class Profile(Record):
    """A district's profile; a school plan's names the school too (and its district)."""

    school_id: str | None = None
    school_name: str | None = None
    district_id: str | None = None
    district_name: str | None = None
    school_year: str | None = None
    as_of: date | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    template_version: str | None = None
    school_level: str | None = None  # a school plan's: elementary, middle or high


class StrategicGoal(Row):
    id: str
    title: str | None = None
    description: str | None = None
    start_year: int | None = None
    end_year: int | None = None


class CdipGoal(Row):
    id: str
    area: str | None = None
    statement: str | None = None
    indicator: str | None = None
    baseline: float | None = None
    target: float | None = None
    target_year: int | None = None


class Need(Row):
    id: str
    description: str | None = None
    data_source: str | None = None
    priority: bool = False
    cause: str | None = None
    practice_area: str | None = None


class Goal(Row):
    id: str
    strategic_goal_id: str | None = None
    cdip_goal_id: str | None = None
    need_id: str | None = None
    statement: str | None = None
    student_group: str | None = None
    owner: str | None = None
    target_date: date | None = None


class Strategy(Row):
    id: str
    goal_id: str | None = None
    kcwp: str | None = None
    other_approach: str | None = None
    description: str | None = None
    research_basis: str | None = None


class Measure(Row):
    id: str
    goal_id: str | None = None
    name: str | None = None
    unit: str | None = None
    direction: str | None = None
    baseline: float | None = None
    baseline_date: date | None = None
    target: float | None = None
    target_date: date | None = None
    frequency: str | None = None
    data_source: str | None = None
    owner: str | None = None
    actuals: dict[str, float] = field(default_factory=dict)  # period "YYYY-MM" -> value
    interim_targets: dict[str, float] = field(default_factory=dict)


class Action(Row):
    id: str
    goal_id: str | None = None
    description: str | None = None
    owner: str | None = None
    start_date: date | None = None
    due_date: date | None = None
    resources: str | None = None
    funding_source: str | None = None
    cost: float | None = None
    status: str | None = None
    percent_complete: float | None = None
    evidence: str | None = None
    strategy_id: str | None = None


class MonthlyUpdate(Row):
    month: str  # period "YYYY-MM"
    milestones: str | None = None
    successes: str | None = None
    roadblocks: str | None = None
    changes: str | None = None
    support_needed: str | None = None
    submitted_by: str | None = None
    submitted_on: date | None = None


class Scorecard(Record):
    """One district's workbook, read. ``columns`` maps each sheet's keys to the letters
    they were found under in this file (columns can move), for cell references."""

    source: str
    template_version: str | None = None
    school_year: str
    level: str = "district"  # "school" for a School Improvement Plan
    profile: Profile = field(default_factory=Profile)
    strategic_goals: list[StrategicGoal] = field(default_factory=list)
    cdip_goals: list[CdipGoal] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    strategies: list[Strategy] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    monthly_updates: list[MonthlyUpdate] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)  # entity -> sheet name found
    settings: dict[str, float] = field(default_factory=dict)  # the workbook's own, if any

    def cell(self, entity: str, key: str, row: int) -> str | None:
        """The A1 reference of ``key`` in ``row`` of ``entity``'s sheet, as found."""
        letter = self.columns.get(entity, {}).get(key)
        return f"{letter}{row}" if letter else None
