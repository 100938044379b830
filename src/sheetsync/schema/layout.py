"""The District Scorecard template, declared once.

Everything that knows where a value lives in a district's workbook reads it from here: the
workbook builder (``template``), the reader, the cell references in findings, the Google
Sheets version and ``sheetsync schema``. Change the layout here and all of them follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache
from typing import Any, Literal

from sheetsync.schema.cells import cell_range, column_letter, split_cell
from sheetsync.schema.level import Level, LevelKey, level_of
from sheetsync.schema.schoolyear import SchoolYear, period_label
from sheetsync.schema.settings import WORKBOOK_SETTINGS
from sheetsync.schema.vocabulary import (
    ACTION_STATUSES,
    DIRECTIONS,
    FREQUENCIES,
    FREQUENCY_MONTHS,
    SCHEDULES,
    STATUSES,
    UNITS,
    UPDATE_STATUSES,
)

TEMPLATE_VERSION = "1.0"

ColumnType = Literal[
    "id", "text", "number", "integer", "date", "year", "choice", "reference", "formula"
]
Entity = Literal[
    "profile", "strategic_goals", "cdip_goals", "needs", "goals", "measures", "actions",
    "monthly_updates",
]

# Choices: the template's Lists sheet holds one column per list, in this order.
CHOICES: dict[str, tuple[str, ...]] = {
    "units": UNITS,
    "directions": DIRECTIONS,
    "frequencies": FREQUENCIES,
    "action_statuses": ACTION_STATUSES,
    "funding_sources": (
        "Title I", "Title II", "Title III", "Title IV", "IDEA", "General Fund", "Section 7",
        "ESSER", "State Grant", "Local Grant", "Other", "None",
    ),
    "cdip_areas": (
        "Proficiency", "Separate Academic Indicator", "Achievement Gap", "Graduation Rate",
        "Growth", "Transition Readiness", "Other",
    ),
    "yes_no": ("yes", "no"),
}

# How ids are written on each sheet: the prefix, and words people use instead of it.
ID_PREFIXES: dict[str, tuple[str, tuple[str, ...]]] = {
    "strategic_goals": ("SG", ("STRATEGICGOAL", "STRATEGIC")),
    "cdip_goals": ("CG", ("CDIPGOAL", "CDIP")),
    "needs": ("N", ("NEED",)),
    "goals": ("G", ("GOAL", "ANNUALGOAL", "SMARTGOAL")),
    "measures": ("M", ("MEASURE",)),
    "actions": ("A", ("ACTION", "ACT")),
}
# A form (the district profile): labels in column A, values beside them; a reader looks for
# the labels in the first FORM_SCAN_ROWS rows.
FORM_LABEL_COLUMN = "A"
FORM_SCAN_ROWS = 40
# Months the monthly status report is due (the SPIE cycle runs October to June).
UPDATE_MONTHS = ("10", "11", "12", "01", "02", "03", "04", "05", "06")


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def norm(text: Any) -> str:
    """A header or sheet name as compared: lower case, letters and digits only."""
    return _norm(text) if isinstance(text, str) else _norm(str(text)) if text is not None \
        else ""


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:  # the same headers come back in every workbook
    return _NON_ALNUM.sub("", text.lower())


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: ColumnType = "text"
    required: bool = False
    choices: str | None = None  # a key of CHOICES
    ref: str | None = None  # the entity whose ids this column names
    help: str = ""
    width: int = 14
    aliases: tuple[str, ...] = ()
    period: str | None = None  # "YYYY-MM" for the monthly columns of the measures sheet
    formula: str | None = None  # the name of a builder in ``formulas``
    number_format: str | None = None
    # The template's own formulas read this column's value (not only whether it is blank):
    # a value they cannot read as the reader does (text in a number or date cell, an id
    # typed loosely, a choice not on the list) flags the row's Check column.
    feeds_formulas: bool = False
    letter: str = ""

    @property
    def is_input(self) -> bool:
        return self.type != "formula"

    @property
    def slot(self) -> str:
        """How rows name this column's value: its key, or "actual:2026-10" for a month's."""
        return f"{self.key}:{self.period}" if self.period else self.key

    def to_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key, "header": self.header, "letter": self.letter,
            "type": self.type, "required": self.required,
        }
        if self.choices:
            out["choices"] = list(CHOICES[self.choices])
        if self.ref:
            out["ref"] = self.ref
        if self.period:
            out["period"] = self.period
        return out


@dataclass(frozen=True)
class Field:
    """One labelled cell of a form-style sheet (the district profile)."""

    key: str
    label: str
    cell: str
    type: ColumnType = "text"
    required: bool = False
    help: str = ""
    formula: str | None = None
    locked: bool = False  # filled in by sheetsync (a school plan's district) and locked

    @property
    def column(self) -> str:
        """The value's column letter ('B')."""
        return split_cell(self.cell)[0]

    @property
    def row(self) -> int:
        return split_cell(self.cell)[1]

    @property
    def label_cell(self) -> str:
        """Where its label stands: left of the value, in the form's label column."""
        return f"{FORM_LABEL_COLUMN}{self.row}"

    def to_schema(self) -> dict[str, Any]:
        out = {"key": self.key, "label": self.label, "cell": self.cell, "type": self.type,
               "required": self.required}
        return out | ({"locked": True} if self.locked else {})


@dataclass(frozen=True)
class SheetLayout:
    name: str
    entity: Entity
    title: str
    guidance: str
    header_row: int = 0
    first_data_row: int = 0
    capacity: int = 0  # rows prepared with dropdowns and formulas
    columns: tuple[Column, ...] = ()
    fields: tuple[Field, ...] = ()
    aliases: tuple[str, ...] = ()
    # Rows filled in by sheetsync and locked (a school plan's district strategic goals).
    locked: bool = False

    @property
    def last_data_row(self) -> int:
        return self.first_data_row + self.capacity - 1

    def column(self, key: str, period: str | None = None) -> Column:
        for col in self.columns:
            if col.key == key and col.period == period:
                return col
        raise KeyError(f"{self.name} has no column {key!r}{' for ' + period if period else ''}")

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @property
    def value_column(self) -> str:
        """A form's value column ('B'): where its fields' values stand."""
        columns = {f.column for f in self.fields}
        assert len(columns) == 1, f"{self.name}: a form's values stand in one column"
        return columns.pop()

    @property
    def form_range(self) -> str:
        """The block a reader of a form reads: its labels and values ('A1:B40')."""
        return cell_range(f"{FORM_LABEL_COLUMN}1", f"{self.value_column}{FORM_SCAN_ROWS}")

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_input)

    @cached_property
    def by_header(self) -> dict[str, Column]:
        """Each column by its header and by its aliases, as compared (``norm``); a header
        wins over another column's alias."""
        aliases = {norm(a): c for c in self.columns for a in c.aliases}
        return aliases | {norm(c.header): c for c in self.columns}

    @cached_property
    def input_headers(self) -> frozenset[str]:
        """The headers and aliases of the input columns, as compared (``norm``)."""
        return frozenset(norm(n) for c in self.input_columns for n in (c.header, *c.aliases))

    def to_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "entity": self.entity}
        if self.locked:
            out["locked"] = True
        if self.fields:
            out["fields"] = [f.to_schema() for f in self.fields]
        else:
            out |= {"header_row": self.header_row, "first_data_row": self.first_data_row,
                    "columns": [c.to_schema() for c in self.columns]}
        return out


@dataclass(frozen=True)
class Layout:
    school_year: SchoolYear
    sheets: tuple[SheetLayout, ...]
    template_version: str = TEMPLATE_VERSION
    instructions_sheet: str = "Instructions"
    lists_sheet: str = "Lists"
    level: LevelKey = "district"

    @property
    def words(self) -> Level:
        return level_of(self.level)

    def sheet(self, entity: str) -> SheetLayout:
        for s in self.sheets:
            if s.entity == entity:
                return s
        raise KeyError(entity)

    @property
    def periods(self) -> list[str]:
        return self.school_year.periods

    @property
    def update_periods(self) -> list[str]:
        return [p for p in self.periods if p[5:7] in UPDATE_MONTHS]

    def to_schema(self) -> dict[str, Any]:
        return {
            "template_version": self.template_version,
            "level": self.level,
            "school_year": self.school_year.label,
            "sheets": [s.to_schema() for s in self.sheets],
        }


def _lettered(columns: list[Column]) -> tuple[Column, ...]:
    return tuple(replace(c, letter=column_letter(i)) for i, c in enumerate(columns, 1))


CHECK_HELP = ("Computed: empty while the sheet's formulas can read every value in the row. "
              "Otherwise it names the first one they cannot (text in a number or date "
              "column, an id or choice not as on the list) and the row's computed columns "
              "leave it out; fix that cell.")


def _with_check(columns: list[Column]) -> list[Column]:
    """A sheet whose formulas read typed values ends with its Check column."""
    if not any(c.feeds_formulas for c in columns):
        return columns
    return [*columns, Column("row_check", "Check", "formula", formula="row_check", width=30,
                             help=CHECK_HELP)]


def _table(name: str, entity: Entity, title: str, guidance: str, capacity: int,
           columns: list[Column], aliases: tuple[str, ...] = ()) -> SheetLayout:
    columns = _with_check(columns)
    return SheetLayout(name=name, entity=entity, title=title, guidance=guidance, header_row=4,
                       first_data_row=5, capacity=capacity, columns=_lettered(columns),
                       aliases=aliases)


C = Column
DATE = "yyyy-mm-dd"


def _measure_columns(year: SchoolYear) -> list[Column]:
    cols = [
        C("id", "Measure ID", "id", True, help="M1, M2 … one row per measure.", width=11,
          aliases=("measure", "measure #", "measure no")),
        C("goal_id", "Goal ID", "reference", True, ref="goals",
          help="The annual goal this measure monitors.", width=9, feeds_formulas=True),
        C("name", "Measure", required=True, width=34,
          help="What is measured, e.g. 'Grade 3 students at proficient in reading'.",
          aliases=("measure name", "description")),
        C("unit", "Unit", "choice", True, choices="units", width=9,
          help="% for percentages (type 45 or 45%)."),
        C("direction", "Direction", "choice", choices="directions", width=10,
          help="increase or decrease; left blank it is read from target against baseline.",
          feeds_formulas=True),
        C("baseline", "Baseline", "number", True, width=10,
          help="Where the measure stood at the start.", feeds_formulas=True),
        C("baseline_date", "Baseline Date", "date", number_format=DATE, width=12,
          help="Blank means the first day of the school year.", feeds_formulas=True),
        C("target", "Target", "number", True, width=10,
          help="Where it must be by the target date.", feeds_formulas=True),
        C("target_date", "Target Date", "date", number_format=DATE, width=12,
          help="Blank means the last day of the school year.", feeds_formulas=True),
        C("frequency", "Frequency", "choice", True, choices="frequencies", width=11,
          help="How often a new actual is expected."),
        C("data_source", "Data Source", width=18, help="Where the numbers come from."),
        C("owner", "Owner", width=16, help="Who reports this measure."),
        C("latest_period", "Latest Month", "formula", formula="latest_period",
          number_format='mmm yyyy;;""', width=11,
          help="Computed: the month of the latest actual."),
        C("latest_actual", "Latest Actual", "formula", formula="latest_actual", width=10,
          help="Computed."),
        C("expected", "Expected Now", "formula", formula="expected", number_format="0.0",
          width=10, help="Computed: the interim target, or the straight line to the target."),
        C("progress", "Progress", "formula", formula="progress", number_format="0%", width=9,
          help="Computed: share of the baseline-to-target gap closed."),
        C("status", "Status", "formula", formula="measure_status", width=11,
          help="Computed: Met, On Track, At Risk (within {band} of the gap below the "
               "expected progress), Off Track, Not Met or No Data."),
    ]
    for p in year.periods:
        cols.append(C("actual", f"Actual {period_label(p)}", "number", period=p, width=9,
                      help=f"The value for {period_label(p)}, once that month's data is in.",
                      feeds_formulas=True))
    for p in year.periods:
        cols.append(C("interim_target", f"Interim {period_label(p)}", "number", period=p,
                      width=9, help=f"Optional: where the measure should be by {period_label(p)}.",
                      feeds_formulas=True))
    return cols


@cache
def scorecard_layout(school_year: str = "2026-27", level: LevelKey = "district") -> Layout:
    """The District Scorecard layout for ``school_year``; ``level="school"`` gives the School
    Improvement Plan: the same sheets, a school profile naming its district, and the
    district's strategic goals filled in and locked (``school_parts``)."""
    level_of(level)  # an unknown level is refused
    if level == "district":
        return _district_layout(school_year)
    layout = scorecard_layout(school_year)
    profile, strategic = school_parts(layout)
    sheets = tuple(profile if s.entity == "profile" else strategic
                   if s.entity == "strategic_goals" else s for s in layout.sheets)
    return replace(layout, sheets=sheets, level=level)


def school_parts(district: Layout) -> tuple[SheetLayout, SheetLayout]:
    """What a school plan changes of the district's layout: its profile (the school, then
    its district, locked) and its Strategic Goals (the district's, locked)."""
    fields = {f.key: f for f in district.sheet("profile").fields}
    profile = SheetLayout(
        name="School Profile", entity="profile", title="School Profile",
        guidance="Which school this plan belongs to, its district, and the date statuses "
                 "are computed for.",
        fields=(
            Field("school_id", "School ID", "B4", "id", True,
                  "The id your district gave your school."),
            Field("school_name", "School name", "B5", "text", True),
            *(fields[k] for k in ("school_year", "as_of", "contact_name", "contact_email",
                                  "template_version", "status_date")),
            Field("district_id", "District ID", "B12", "id", True,
                  "Filled in from the district's plan; do not change.", locked=True),
            Field("district_name", "District name", "B13", "text", False,
                  "Filled in from the district's plan; do not change.", locked=True),
        ))
    strategic = replace(
        district.sheet("strategic_goals"), locked=True,
        guidance="The district's strategic goals, filled in from its plan and locked: every "
                 "school goal nests under one of them.")
    return profile, strategic


def _district_layout(school_year: str) -> Layout:
    year = SchoolYear.parse(school_year)
    profile = SheetLayout(
        name="District Profile", entity="profile", title="District Profile",
        guidance="Who this scorecard belongs to and the date statuses are computed for.",
        fields=(
            Field("district_id", "District ID", "B4", "id", True,
                  "The id your consultant gave your district."),
            Field("district_name", "District name", "B5", "text", True),
            Field("school_year", "School year", "B6", "text", True, "e.g. 2026-27"),
            Field("as_of", "Status date", "B7", "date", False,
                  "Leave blank to compute statuses for today."),
            Field("contact_name", "Contact name", "B8"),
            Field("contact_email", "Contact email", "B9"),
            Field("template_version", "Template version", "B10", "text", False,
                  "Filled in by sheetsync; do not change."),
            Field("status_date", "Statuses computed for", "B11", "formula", formula="as_of"),
        ),
    )
    sheets = (
        profile,
        _table("Strategic Goals", "strategic_goals", "Strategic Plan Goals",
               "The long-range goals of your board-approved strategic plan.", 15, [
                   C("id", "Strategic Goal ID", "id", True, help="SG1, SG2 …", width=12,
                     aliases=("strategic goal", "sg id", "sg"), feeds_formulas=True),
                   C("title", "Title", required=True, width=30),
                   C("description", "Description", width=48),
                   C("start_year", "Start Year", "year", width=10, help="e.g. 2024"),
                   C("end_year", "End Year", "year", width=10, help="e.g. 2029"),
                   C("goal_count", "Annual Goals", "formula", formula="goal_count", width=10,
                     help="Computed: annual goals aligned to this strategic goal."),
                   C("status", "Status", "formula", formula="strategic_goal_status", width=11,
                     help="Computed: the worst status of its annual goals."),
               ]),
        _table("CDIP Goals", "cdip_goals", "CDIP Goals",
               "The improvement-plan (CDIP) goals your annual goals map to.", 15, [
                   C("id", "CDIP Goal ID", "id", True, help="CG1, CG2 …", width=12,
                     aliases=("cdip goal", "cg id")),
                   C("area", "Area", "choice", True, choices="cdip_areas", width=24),
                   C("statement", "Statement", required=True, width=60),
               ]),
        _table("Needs", "needs", "Needs Assessment",
               "Findings of the needs assessment; mark two or three as priorities.", 20, [
                   C("id", "Need ID", "id", True, help="N1, N2 …", width=9),
                   C("description", "Description", required=True, width=48),
                   C("data_source", "Data Source", width=20),
                   C("priority", "Priority", "choice", True, choices="yes_no", width=9,
                     help="yes for the two or three needs this year's goals address."),
                   C("cause", "Root Cause", width=32),
                   C("practice_area", "Practice Area", width=20),
               ]),
        _table("Goals", "goals", "Annual SMART Goals",
               "One row per SMART goal: specific, measurable, attainable, responsible, "
               "time-bound.", 30, [
                   C("id", "Goal ID", "id", True, help="G1, G2 …", width=9,
                     aliases=("goal", "goal #", "goal no", "annual goal id"),
                     feeds_formulas=True),
                   C("strategic_goal_id", "Strategic Goal ID", "reference", True,
                     ref="strategic_goals", width=12,
                     help="The strategic-plan goal this goal advances.", feeds_formulas=True),
                   C("cdip_goal_id", "CDIP Goal ID", "reference", True, ref="cdip_goals",
                     width=11, help="The CDIP goal this goal maps to."),
                   C("need_id", "Need ID", "reference", ref="needs", width=9,
                     help="The priority need this goal addresses."),
                   C("statement", "SMART Goal Statement", "text", True, width=60,
                     help="What will change, for whom, by how much and by when.",
                     aliases=("goal statement", "smart goal", "statement")),
                   C("student_group", "Student Group", width=16,
                     help="Who the goal is for, e.g. 'All students', 'Grade 3'."),
                   C("owner", "Owner", width=18, help="The person responsible (the R of SMART)."),
                   C("target_date", "Target Date", "date", number_format=DATE, width=12,
                     help="When the goal is to be met (the T of SMART)."),
                   C("status", "Status", "formula", formula="goal_status", width=11,
                     help="Computed: the worst status of its measures."),
               ]),
        _table("Measures", "measures", "Progress-Monitoring Measures",
               "One row per measure. Enter each month's actual in its column; interim "
               "targets (grouped on the right) are optional.", 60, _measure_columns(year)),
        _table("Actions", "actions", "Strategic Actions",
               "What the district will do toward each goal, who leads it, when and with "
               "what funding.", 100, [
                   C("id", "Action ID", "id", True, help="A1, A2 …", width=9),
                   C("goal_id", "Goal ID", "reference", True, ref="goals", width=9),
                   C("description", "Action", required=True, width=44),
                   C("owner", "Owner", width=16, help="Who leads this action."),
                   C("start_date", "Start Date", "date", number_format=DATE, width=12,
                     feeds_formulas=True),
                   C("due_date", "Due Date", "date", True, number_format=DATE, width=12,
                     feeds_formulas=True),
                   C("resources", "Resources", width=20),
                   C("funding_source", "Funding Source", "choice", choices="funding_sources",
                     width=14, help="Required when the action has a cost."),
                   C("cost", "Cost", "number", number_format="#,##0", width=10),
                   C("status", "Status", "choice", True, choices="action_statuses", width=12,
                     feeds_formulas=True),
                   C("percent_complete", "% Complete", "number", number_format="0", width=10,
                     help="0 to 100."),
                   C("evidence", "Monitoring Method", width=28,
                     help="How progress on this action is checked (evidence).",
                     aliases=("evidence", "monitoring")),
                   C("schedule", "Schedule", "formula", formula="action_schedule", width=12,
                     help="Computed: Overdue, Late Start, On Schedule …"),
               ]),
        _table("Monthly Updates", "monthly_updates", "Monthly Status Report",
               "One row per month, due by the {due_day} (or the month's last day, if "
               "sooner).", 12, [
                   C("month", "Month", "date", True, number_format="mmm yyyy", width=11,
                     feeds_formulas=True),
                   C("milestones", "Milestones", width=36),
                   C("successes", "Successes", width=30),
                   C("roadblocks", "Roadblocks", width=30),
                   C("changes", "Changes", width=24),
                   C("support_needed", "Support Needed", width=24),
                   C("submitted_by", "Submitted By", width=16),
                   C("submitted_on", "Submitted On", "date", number_format=DATE, width=12,
                     feeds_formulas=True),
                   C("update_status", "Update Status", "formula", formula="update_status",
                     width=12, help="Computed: On Time when submitted by the {due_day}, "
                                    "Late after it, Missing when past due, or Not Due."),
               ]),
    )
    return Layout(school_year=year, sheets=sheets)


def entity_sheets(layout: Layout) -> list[SheetLayout]:
    """The table sheets (every entity but the profile form)."""
    return [s for s in layout.sheets if not s.fields]


__all__ = [
    "CHOICES", "FORM_LABEL_COLUMN", "FORM_SCAN_ROWS", "FREQUENCY_MONTHS", "ID_PREFIXES",
    "SCHEDULES", "STATUSES", "TEMPLATE_VERSION", "UPDATE_STATUSES", "WORKBOOK_SETTINGS",
    "Column", "Field", "Layout", "SheetLayout", "column_letter", "entity_sheets", "school_parts",
    "scorecard_layout",
]
