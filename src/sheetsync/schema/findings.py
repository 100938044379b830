"""Findings: what a check reports, as data.

Each rule in the catalogue has a stable code, a severity, a category and a message
template written for a superintendent, with how to fix it. A finding is a rule applied to
one place (sheet, cell, row, column); it keeps the named values its message was made from,
so it round-trips through JSON and the store (``to_dict`` / ``from_dict``) whole.
``sheetsync rules`` prints the catalogue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


FINDING_KEYS = ("code", "severity", "sheet", "cell", "row", "column", "message")


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    column: str | None = None
    # the named values the message was made from (``{"id": "A3", "due": "2027-01-15"}``)
    values: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The finding as ``check --json`` gives it: its place, its message, its values."""
        out: dict[str, Any] = {k: getattr(self, k) for k in FINDING_KEYS}
        out["severity"] = str(self.severity)
        out["values"] = dict(self.values)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """A finding from ``to_dict``'s output, or from a store written before findings kept
        their values (no ``values`` key)."""
        return cls(data["code"], Severity(data["severity"]), data["message"],
                   data.get("sheet"), data.get("cell"), data.get("row"), data.get("column"),
                   dict(data.get("values") or {}))


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: numbers, text, booleans and None as they are; dates as
    ISO text (as the message shows them); anything else as its text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    category: str
    title: str
    template: str

    def __call__(self, *, sheet: str | None = None, cell: str | None = None,
                 row: int | None = None, column: str | None = None,
                 severity: Severity | None = None, **values: Any) -> Finding:
        if cell and row is None and "row" not in values:
            row = int("".join(ch for ch in cell if ch.isdigit()) or 0) or None
        if cell and column is None:
            column = "".join(ch for ch in cell if ch.isalpha()) or None
        message = self.template.format(sheet=sheet, cell=cell, column=column, **values)
        return Finding(self.code, severity or self.severity, message, sheet, cell, row, column,
                       {k: _plain(v) for k, v in values.items()})


RULES: dict[str, Rule] = {}


def _rule(code: str, severity: Severity, category: str, title: str, template: str) -> Rule:
    rule = Rule(code, severity, category, title, template)
    RULES[code] = rule
    return rule


ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

# Structure
MISSING_SHEET = _rule("missing-sheet", ERR, "structure", "A sheet of the template is missing",
    "The workbook has no '{sheet}' sheet. Add it back from the template (or rename the sheet "
    "that holds {what} to '{sheet}').")
MISSING_COLUMN = _rule("missing-column", ERR, "structure", "A required column is missing",
    "'{sheet}' has no '{header}' column. {fix}")
MISSING_OPTIONAL_COLUMN = _rule("missing-optional-column", WARN, "structure",
    "An optional column is missing",
    "'{sheet}' has no '{header}' column, so that information cannot be read. Add it back "
    "from the template.")
NO_HEADER_ROW = _rule("no-header-row", ERR, "structure", "The header row cannot be found",
    "Could not find the header row of '{sheet}' (looked for '{headers}' in the first "
    "{rows} rows). Restore the headers from the template.")
RENAMED_HEADER = _rule("renamed-header", INFO, "structure", "A header was renamed",
    "Read the column headed '{found}' as '{header}'. Renaming it back to '{header}' "
    "avoids surprises.")
MOVED_COLUMN = _rule("moved-column", INFO, "structure", "A column was moved",
    "'{header}' is in column {found}, not {expected} as in the template; it was read "
    "from {found}.")
EXTRA_COLUMN = _rule("extra-column", INFO, "structure", "A column the template does not have",
    "Column {column} ('{header}') is not part of the template and was not read.")
TEMPLATE_VERSION = _rule("template-version", WARN, "structure",
    "The workbook was made from another template version",
    "This workbook says template version {found}; sheetsync expects {expected}. It was read "
    "by matching headers; ask your consultant for an updated copy.")
SCHOOL_YEAR_MISMATCH = _rule("school-year-mismatch", WARN, "structure",
    "The profile's school year differs from the template's months",
    "The profile says school year {profile}, but some measure columns are for {template}. "
    "Statuses are computed for {profile} and those months are left out; correct the school "
    "year in {cell} if it is wrong.")
TOO_MANY_ROWS = _rule("too-many-rows", ERR, "structure",
    "A sheet has more rows than sheetsync reads",
    "'{sheet}' has {rows:,} filled rows; sheetsync reads at most {limit:,}. Rows after "
    "row {last} were not read. Remove rows that are not part of the scorecard.")

# Values
REQUIRED_MISSING = _rule("required-missing", ERR, "values", "A required value is missing",
    "{what} has no {header}. Fill in {cell}.")
NOT_A_NUMBER = _rule("not-a-number", ERR, "values", "A number was expected",
    "{header} in {cell} is '{value}', which is not a number. Type a number such as 45.")
NOT_A_DATE = _rule("not-a-date", ERR, "values", "A date was expected",
    "{header} in {cell} is '{value}', which is not a date. Type a date such as 2027-05-31.")
NOT_A_YEAR = _rule("not-a-year", ERR, "values", "A year was expected",
    "{header} in {cell} is '{value}', which is not a year. Type a year such as 2029.")
INVALID_CHOICE = _rule("invalid-choice", ERR, "values", "A value is not one of the choices",
    "{header} in {cell} is '{value}'. Pick one of: {choices}.")
DUPLICATE_ID = _rule("duplicate-id", ERR, "values", "An id is used twice",
    "{header} '{value}' in {cell} is already used in row {first}. Give each row its own id.")
FORMULA_ERROR = _rule("formula-error", ERR, "values", "A cell shows a formula error",
    "{header} in {cell} shows {value}. Fix the formula or type the value.")
OUT_OF_RANGE = _rule("out-of-range", WARN, "values", "A number outside what its unit allows",
    "{header} of {what} in {cell} is {value}; it should be {allowed}. Check the value: it "
    "is used as typed, by this check and by the workbook's formulas.")
UNKNOWN_MONTH = _rule("unknown-month", WARN, "values", "A month outside the school year",
    "{header} in {cell} is {value}, which is not a month of the {year} school year, so this "
    "update counts for no month of it. If it is this year's update, correct the month.")
VALUE_NORMALISED = _rule("value-normalised", INFO, "values", "A value was read leniently",
    "Read {header} in {cell} '{value}' as {read}.")

# SMART
NOT_SMART = _rule("not-smart", WARN, "smart", "A goal is not SMART",
    "Goal {goal} is not {letters}: {reasons}.")
TARGET_WRONG_DIRECTION = _rule("target-wrong-direction", ERR, "smart",
    "The target moves the wrong way",
    "Measure {measure} should {direction}, but its target {target} is {relation} its "
    "baseline {baseline}. Fix the direction or the target.")
PERCENT_OUT_OF_RANGE = _rule("percent-out-of-range", ERR, "smart",
    "A percentage is outside 0-100",
    "{header} of measure {measure} in {cell} is {value}%, outside 0-100%.")

# Alignment
UNKNOWN_REFERENCE = _rule("unknown-reference", ERR, "alignment",
    "A row points to an id that does not exist",
    "{what} points to {header} '{value}' in {cell}, which is not on the '{target}' sheet. "
    "Pick an id from the dropdown.")
STRATEGIC_GOAL_UNCOVERED = _rule("strategic-goal-uncovered", WARN, "alignment",
    "A strategic goal has no annual goal",
    "Strategic goal {id} ('{title}') has no annual goal this year. Add a goal that "
    "advances it, or note why it rests this year.")
GOAL_WITHOUT_MEASURE = _rule("goal-without-measure", ERR, "alignment", "A goal has no measure",
    "Goal {id} has no progress-monitoring measure. Add a row on the Measures sheet with "
    "Goal ID {id}.")
GOAL_WITHOUT_ACTION = _rule("goal-without-action", WARN, "alignment", "A goal has no action",
    "Goal {id} has no strategic action. Add a row on the Actions sheet with Goal ID {id}.")
PRIORITY_NEED_COUNT = _rule("priority-need-count", WARN, "alignment",
    "Not two or three priority needs",
    "{count} needs are marked priority; the needs assessment should name two or three.")
NEED_UNADDRESSED = _rule("need-unaddressed", WARN, "alignment",
    "A priority need has no goal",
    "Priority need {id} is not addressed by any goal. Set a goal's Need ID to {id}.")
GOAL_WITHOUT_STRATEGY = _rule("goal-without-strategy", WARN, "alignment",
    "A goal has no strategy",
    "Goal {id} has no strategy. Add a row on the Strategies sheet with Goal ID {id}: the "
    "approach, the Key Core Work Process it rests on and its research basis.")
STRATEGY_WITHOUT_ACTION = _rule("strategy-without-action", WARN, "alignment",
    "A strategy has no action",
    "Strategy {id} has no action. Set the Strategy ID of the actions that carry it out to "
    "{id} on the Actions sheet.")
REQUIRED_GOAL_MISSING = _rule("required-goal-missing", WARN, "alignment",
    "A goal the state requires is missing",
    "The plan has no CDIP goal for {indicator}, which Kentucky requires of {whose} plans "
    "from {year}. Add a row on the CDIP Goals sheet with Area '{indicator}'.")
CDIP_GOAL_NOT_MEASURABLE = _rule("cdip-goal-not-measurable", WARN, "smart",
    "A CDIP goal has no measurable target",
    "CDIP goal {id} has no {missing}: the state's goal is a target for an indicator, from "
    "a baseline, by a year. Fill in {place}.")

# Execution
ACTION_WITHOUT_OWNER = _rule("action-without-owner", ERR, "execution", "An action has no owner",
    "Action {id} has no owner. Name the person responsible in {cell}.")
COST_WITHOUT_FUNDING = _rule("cost-without-funding", WARN, "execution",
    "A cost with no funding source",
    "Action {id} costs {cost} but names no funding source. Pick one in {cell}.")
ACTION_WITHOUT_MONITORING = _rule("action-without-monitoring", WARN, "execution",
    "An action has no monitoring method",
    "Action {id} has no monitoring method. Say in {cell} how progress will be checked.")
ACTION_OVERDUE = _rule("action-overdue", WARN, "execution", "An action is overdue",
    "Action {id} was due {due} and is {status}. Update its status or its due date.")
ACTION_LATE_START = _rule("action-late-start", INFO, "execution", "An action has not started",
    "Action {id} was to start {start} and is still Not Started.")
MEASURE_STALE = _rule("measure-stale", WARN, "execution", "A measure has no recent actual",
    "Measure {measure} is {frequency}, but its latest actual is {latest}. Enter the "
    "actual for {due}.")
UPDATE_MISSING = _rule("update-missing", WARN, "execution", "A monthly update is missing",
    "The monthly update for {month} was due {due} and has not been submitted.")
SUBMITTED_IN_FUTURE = _rule("submitted-in-future", WARN, "execution",
    "A monthly update dated after the status date",
    "The monthly update for {month} says it was submitted {submitted}, after the status "
    "date {as_of}. Correct the date in {cell}; until then the update counts as {status}.")
UPDATE_LATE = _rule("update-late", INFO, "execution", "A monthly update was late",
    "The monthly update for {month} was submitted {submitted}, after it was due {due}.")


# Reading typed values: one answer everywhere (how a number, a % and a date are read)
AMBIGUOUS_NUMBER = _rule("ambiguous-number", WARN, "values",
    "A number whose comma could be a decimal point",
    "{header} in {cell} is '{value}', which {meaning}. It was not read; type the number "
    "without separators, e.g. {example}.")
FORMULA_CANNOT_READ = _rule("formula-cannot-read", WARN, "values",
    "The workbook's own formulas cannot read a value",
    "{header} in {cell} is '{value}'. sheetsync read it as {read}, but the workbook's own "
    "formulas cannot read it, so {flagged} and the sheet's status may differ from this "
    "check. To fix it, {fix}.")
FORMAT_UNKNOWN = _rule("format-unknown", INFO, "values",
    "Excel's functions cannot see a cell's number format",
    "Excel passes {header} in {cell} to sheetsync's functions as {value}, without its "
    "number format, and they read it as {value}. If the cell shows {points}%, sheetsync "
    "check reads it from the file as {points}; type {points} to make both agree.")
FUTURE_ACTUAL = _rule("future-actual", WARN, "values",
    "An actual typed for a month that has not come yet",
    "{header} of measure {measure} in {cell} is for {month}, after the status date "
    "{as_of}; it is not used for status. If it belongs to an earlier month, move it to "
    "that month's column.")
MISSING_MONTH_COLUMN = _rule("missing-month-column", WARN, "structure",
    "A month's actual column is missing",
    "'{sheet}' has no '{header}' column, so no actual can be read for {month}. Add the "
    "column back from the template.")
EMPTY_SCORECARD = _rule("empty-scorecard", ERR, "structure", "The scorecard is empty",
    "The workbook has no goals and no measures, so there is nothing to check or report. "
    "Fill in the '{sheet}' and Measures sheets.")

# The workbook's own formulas: what they read differently from sheetsync, and rows they miss
DATE_IN_NUMBER_CELL = _rule("date-in-number-cell", WARN, "values",
    "A number cell formatted as a date, or holding a date",
    "{header} in {cell} shows {shown} because the cell is formatted as a date; sheetsync and "
    "the sheet read {reading}. {fix}")
NUMBER_IN_DATE_CELL = _rule("number-in-date-cell", WARN, "values",
    "A date cell holding a number",
    "{header} in {cell} is the number {value}, {problem}. {fix}")
MIXED_PERCENT_SCALE = _rule("mixed-percent-scale", WARN, "values",
    "A % measure's row mixes 46 and 0.46",
    "Measure {measure} mixes scales: {cell} holds {value} and {other_cell} holds {other}; "
    "{reading}. Type every % of the row one way: 46 or 46%.")
PERCENT_FORMAT_NOT_PERCENT_UNIT = _rule("percent-format-not-percent-unit", WARN, "values",
    "A percent-formatted number in a measure whose unit is not %",
    "{header} in {cell} shows {shown} (a percent format), but measure {measure}'s unit is "
    "'{unit}': sheetsync and the sheet read the stored {value}. Pick % as the unit, or "
    "format {cell} as a number and type the value it means.")
FORMULA_WITHOUT_VALUE = _rule("formula-without-value", WARN, "values",
    "A formula typed in an input cell, with no saved result",
    "{header} in {cell} holds a formula with no saved result (the file was written by a "
    "program that does not compute formulas and has not been opened and saved since), so "
    "sheetsync cannot see its value and leaves it out. Open and save the file in Excel or "
    "LibreOffice, or type the value.")
ROW_WITHOUT_FORMULAS = _rule("row-without-formulas", WARN, "structure",
    "A row without the sheet's formulas",
    "Row {row_number} of '{sheet}' holds {what} but no formulas, so the sheet computes no "
    "{computed} for it{consequence}. Rows inserted by hand get no formulas: copy the grey "
    "computed cells of the row above into row {row_number}.")

# Identity: is this the district's workbook, and is it newer than the last pull
DISTRICT_ID_MISMATCH = _rule("district-id-mismatch", ERR, "identity",
    "The workbook belongs to another district",
    "The cohort lists this file for district {expected}, but its profile ({cell}) names "
    "district {found}. It was not pulled under {expected}: point the cohort entry at "
    "{expected}'s own workbook, or correct the District ID in {cell}.")
SHARED_SOURCE = _rule("shared-source", ERR, "identity", "Two cohort entries name one file",
    "{source} is also the source of {others} in the cohort file. {outcome}")
SOURCE_OLDER = _rule("source-older", WARN, "identity",
    "The file is older than the one pulled last time",
    "{what} The newer values from the read of {read_at} were kept. If this older file is "
    "the right one, run `sheetsync pull --accept-older`.")
WRONG_SCHOOL_YEAR = _rule("wrong-school-year", ERR, "identity",
    "The workbook is for another school year",
    "This workbook is for school year {found} ({cell}), but the cohort is {expected}. It was "
    "not pulled: ask the district for its {expected} scorecard, or correct the School Year "
    "in {cell}.")

# Schools under the district: a school plan's goals nest under the district's strategic goals
SCHOOL_GOAL_NOT_IN_DISTRICT = _rule("school-goal-not-in-district", ERR, "alignment",
    "A school goal points at a strategic goal the district does not have",
    "Goal {goal} points to strategic goal '{value}' in {cell}, which the district's plan "
    "does not have (its strategic goals: {ids}). Pick one of them from the dropdown.")
SCHOOL_ID_MISMATCH = _rule("school-id-mismatch", ERR, "identity",
    "The plan belongs to another school",
    "The cohort lists this file for school {expected}, but its profile ({cell}) names "
    "school {found}. It was not pulled under {expected}: point the cohort entry at "
    "{expected}'s own plan, or correct the School ID in {cell}.")
SCHOOL_DISTRICT_MISMATCH = _rule("school-district-mismatch", ERR, "identity",
    "The school plan names another district",
    "This school plan's profile ({cell}) names district {found}, but the cohort's district "
    "is {expected}. It was not pulled: ask the school for the plan made from {expected}'s "
    "plan, or correct the District ID in {cell}.")
NOT_A_SCHOOL_PLAN = _rule("not-a-school-plan", ERR, "identity",
    "A school cohort's file is not a school plan",
    "The cohort lists this file for school {school}, but it is a District Scorecard, not a "
    "School Improvement Plan (it has no School Profile). It was not pulled: make the "
    "school's plan with `sheetsync distribute` or `sheetsync template --level school`.")
DISTRICT_GOAL_ADDED = _rule("district-goal-added", WARN, "alignment",
    "The district added a strategic goal this plan does not list",
    "The district's plan now has strategic goal {id} ('{title}'), which this plan's locked "
    "'{sheet}' sheet does not list. Run `sheetsync upgrade --district-file` on the plan, or "
    "`sheetsync distribute` again, to refresh the list (the school's own rows are kept).")
DISTRICT_GOAL_REMOVED = _rule("district-goal-removed", WARN, "alignment",
    "This plan lists a strategic goal the district has removed",
    "Strategic goal {id} ('{title}') in {cell} is no longer in the district's plan. Run "
    "`sheetsync upgrade --district-file` on the plan, or `sheetsync distribute` again, to "
    "refresh the list, and move any goal under it to one of the district's goals.")


def rules_table() -> list[dict[str, str]]:
    return [{"code": r.code, "severity": str(r.severity), "category": r.category,
             "title": r.title} for r in RULES.values()]
