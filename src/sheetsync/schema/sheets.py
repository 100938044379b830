"""The District Scorecard's sheets and their columns, declared once.

``scorecard_layout`` builds the layout from ``district_layout`` (and, for a school plan,
``school_parts``); the classes the declarations are made of (``Column``, ``Field``,
``SheetLayout``, ``Layout``) live in ``layout``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from sheetsync.schema.cells import column_letter
from sheetsync.schema.layout import Column, Entity, Field, Layout, SheetLayout
from sheetsync.schema.level import LevelKey, level_of
from sheetsync.schema.schoolyear import SchoolYear, period_label


def _lettered(columns: list[Column]) -> tuple[Column, ...]:
    return tuple(replace(c, letter=column_letter(i)) for i, c in enumerate(columns, 1))


CHECK_HELP = ("Computed: empty while the sheet's formulas can read every value in the row. "
              "Otherwise it names the first one they cannot (text in a number or date "
              "column, a number that is not a date, an id or choice not as on the list, a % "
              "measure typed partly as 58 and partly as 58%) and the row's computed columns "
              "leave it out; fix that cell.")


def _with_check(columns: list[Column]) -> list[Column]:
    """A sheet whose formulas read typed values ends with its Check column."""
    if not any(c.feeds_formulas for c in columns):
        return columns
    return [*columns, Column("row_check", "Check", "formula", formula="row_check", width=24,
                             help=CHECK_HELP)]


def _table(name: str, entity: Entity, title: str, guidance: str, capacity: int,
           columns: list[Column], aliases: tuple[str, ...] = (),
           since: str | None = None) -> SheetLayout:
    columns = _with_check(columns)
    return SheetLayout(name=name, entity=entity, title=title, guidance=guidance, header_row=4,
                       first_data_row=5, capacity=capacity, columns=_lettered(columns),
                       aliases=aliases, since=since)


C = Column
DATE = "yyyy-mm-dd"


def _measure_columns(year: SchoolYear) -> list[Column]:
    cols = [
        C("id", "Measure ID", "id", True, help="M1, M2 … one row per measure.", width=8,
          aliases=("measure", "measure #", "measure no")),
        C("goal_id", "Goal ID", "reference", True, ref="goals",
          help="The annual goal this measure monitors.", width=7, feeds_formulas=True),
        C("name", "Measure", required=True, width=24,
          help="What is measured, e.g. 'Grade 3 students at proficient in reading'.",
          aliases=("measure name", "description")),
        C("unit", "Unit", "choice", True, choices="units", width=8,
          help="% for percentages: type 45 or 45%, the same way for the whole row.",
          feeds_formulas=True),
        C("direction", "Direction", "choice", choices="directions", width=9,
          help="increase or decrease; left blank it is read from target against baseline.",
          feeds_formulas=True),
        C("baseline", "Baseline", "number", True, width=8,
          help="Where the measure stood at the start.", feeds_formulas=True),
        C("baseline_date", "Baseline Date", "date", number_format=DATE, width=10,
          help="Blank means the first day of the school year.", feeds_formulas=True),
        C("target", "Target", "number", True, width=8,
          help="Where it must be by the target date.", feeds_formulas=True),
        C("target_date", "Target Date", "date", number_format=DATE, width=10,
          help="Blank means the last day of the school year.", feeds_formulas=True),
        C("frequency", "Frequency", "choice", True, choices="frequencies", width=11,
          help="How often a new actual is expected."),
        C("data_source", "Data Source", width=15, help="Where the numbers come from."),
        C("owner", "Owner", width=10, help="Who reports this measure."),
        C("latest_period", "Latest Month", "formula", formula="latest_period",
          number_format='mmm yyyy;;""', width=9,
          help="Computed: the month of the latest actual."),
        C("latest_actual", "Latest Actual", "formula", formula="latest_actual", width=8,
          help="Computed."),
        C("expected", "Expected Now", "formula", formula="expected", width=10,
          help="Computed: the interim target, or the straight line to the target."),
        C("progress", "Progress", "formula", formula="progress", number_format="0%", width=10,
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
    # The Check column's reading of the month columns, one helper each (grouped and hidden
    # with the interim targets): the Check column stays short enough to read.
    cols += [C("actual_check", "Actuals Check", "formula", formula="period_check", width=24,
               help="Computed: the first month's actual the formulas cannot read, if any."),
             C("interim_check", "Interims Check", "formula", formula="period_check", width=24,
               help="Computed: the first interim target the formulas cannot read, if any.")]
    return cols


def district_layout(school_year: str) -> Layout:
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
                   C("indicator", "Indicator", width=30,
                     help="What is measured, e.g. '% of students scoring proficient or "
                          "distinguished in reading and math (KSA)'."),
                   C("baseline", "Baseline", "number", width=10,
                     help="Where the indicator stands now, from the needs assessment."),
                   C("target", "Target", "number", width=10,
                     help="Where it is to be by the target year (a 3-5 year goal)."),
                   C("target_year", "Target Year", "year", width=11,
                     help="The year the target is to be met, e.g. 2030."),
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
                   C("statement", "SMART Goal Statement", "text", True, width=50,
                     help="What will change, for whom, by how much and by when.",
                     aliases=("goal statement", "smart goal", "statement")),
                   C("student_group", "Student Group", width=16,
                     help="Who the goal is for, e.g. 'All students', 'Grade 3'."),
                   C("owner", "Owner", width=18, help="The person responsible (the R of SMART)."),
                   C("target_date", "Target Date", "date", number_format=DATE, width=10,
                     help="When the goal is to be met (the T of SMART)."),
                   C("status", "Status", "formula", formula="goal_status", width=11,
                     help="Computed: the worst status of its measures."),
               ]),
        _table("Measures", "measures", "Progress-Monitoring Measures",
               "One row per measure. Enter each month's actual in its column; interim "
               "targets (grouped on the right) are optional.", 60, _measure_columns(year)),
        _table("Strategies", "strategies", "Strategies",
               "The approaches the district will take toward each goal: each rests on one of "
               "Kentucky's Key Core Work Processes (or another approach, named) and on "
               "research. Actions name the strategy they carry out.", 40, [
                   C("id", "Strategy ID", "id", True, help="S1, S2 …", width=10,
                     aliases=("strategy #", "strategy no")),
                   C("goal_id", "Goal ID", "reference", True, ref="goals", width=9,
                     help="The annual goal this strategy serves."),
                   C("kcwp", "KCWP", "choice", True, choices="kcwps", width=30,
                     help="The Key Core Work Process it rests on, or Other (name it beside).",
                     aliases=("key core work process",)),
                   C("other_approach", "Other Approach", width=20,
                     help="When the KCWP is Other: the approach's name."),
                   C("description", "Strategy", required=True, width=44,
                     help="The research-based approach, in a sentence.",
                     aliases=("strategy description",)),
                   C("research_basis", "Research Basis", width=36,
                     help="The evidence it rests on: a study, a clearinghouse rating, a "
                          "source.", aliases=("research", "evidence base")),
               ], since="2.1"),
        _table("Actions", "actions", "Strategic Actions",
               "What the district will do toward each goal, who leads it, when and with "
               "what funding.", 100, [
                   C("id", "Action ID", "id", True, help="A1, A2 …", width=9),
                   C("goal_id", "Goal ID", "reference", True, ref="goals", width=9),
                   C("description", "Action", required=True, width=32),
                   C("owner", "Owner", width=14, help="Who leads this action."),
                   C("start_date", "Start Date", "date", number_format=DATE, width=10,
                     feeds_formulas=True),
                   C("due_date", "Due Date", "date", True, number_format=DATE, width=10,
                     feeds_formulas=True),
                   C("resources", "Resources", width=16),
                   C("funding_source", "Funding Source", "choice", choices="funding_sources",
                     width=14, help="Required when the action has a cost."),
                   C("cost", "Cost", "number", number_format="#,##0", width=9),
                   C("status", "Status", "choice", True, choices="action_statuses", width=12,
                     feeds_formulas=True),
                   C("percent_complete", "% Complete", "number", number_format="0", width=9,
                     help="0 to 100."),
                   C("evidence", "Monitoring Method", width=26,
                     help="How progress on this action is checked (evidence).",
                     aliases=("evidence", "monitoring")),
                   C("strategy_id", "Strategy ID", "reference", ref="strategies", width=9,
                     help="The strategy this action carries out."),
                   C("schedule", "Schedule", "formula", formula="action_schedule", width=12,
                     help="Computed: Overdue, Late Start, On Schedule …"),
               ]),
        _table("Monthly Updates", "monthly_updates", "Monthly Status Report",
               "One row per month, due by the {due_day} (or the month's last day, if "
               "sooner).", 12, [
                   C("month", "Month", "date", True, number_format="mmm yyyy", width=11,
                     feeds_formulas=True),
                   C("milestones", "Milestones", width=30),
                   C("successes", "Successes", width=26),
                   C("roadblocks", "Roadblocks", width=26),
                   C("changes", "Changes", width=20),
                   C("support_needed", "Support Needed", width=20),
                   C("submitted_by", "Submitted By", width=16),
                   C("submitted_on", "Submitted On", "date", number_format=DATE, width=10,
                     feeds_formulas=True),
                   C("update_status", "Update Status", "formula", formula="update_status",
                     width=12, help="Computed: On Time when submitted by the {due_day}, "
                                    "Late after it, Missing when past due, or Not Due."),
               ]),
    )
    return Layout(school_year=year, sheets=sheets)


@cache
def scorecard_layout(school_year: str = "2026-27", level: LevelKey = "district") -> Layout:
    """The District Scorecard layout for ``school_year``; ``level="school"`` gives the School
    Improvement Plan: the same sheets, a school profile naming its district, and the
    district's strategic goals filled in and locked (``school_parts``)."""
    level_of(level)  # an unknown level is refused
    if level == "district":
        return district_layout(school_year)
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
            Field("school_level", "School level", "B14", "text", False,
                  "elementary, middle or high: which goals the state requires of the plan."),
        ))
    strategic = replace(
        district.sheet("strategic_goals"), locked=True,
        guidance="The district's strategic goals, filled in from its plan and locked: every "
                 "school goal nests under one of them.")
    return profile, strategic


__all__ = ["CHECK_HELP", "district_layout", "school_parts", "scorecard_layout"]
