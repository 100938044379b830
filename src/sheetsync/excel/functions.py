"""The six SHEETSYNC_* worksheet functions, declared for xlwings.

Each is a thin wrapper over the engine of ``sheetsync check``: ``arguments`` turns Excel's
ranges into a scorecard, and ``assess`` / ``measure_status`` / ``smart_by_row`` judge it.
Nothing here applies a rule of its own. ``sheetsync.udfs`` is the module every add-in names;
it exposes these functions.

They are declared with ``xlwings.func`` and ``xlwings.arg``, which xlwings Lite (Excel on
Windows, Mac and the web) and the classic add-in (Excel on Windows) register. On Linux and
macOS, and where xlwings is not installed, they are plain Python functions. Docstrings are
one line: Excel shows them as they are (the classic add-in cuts them at 255 characters), and
the argument docs say what to pass.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sheetsync.check.assess import CheckResult, as_of_for, assess
from sheetsync.check.rules import smart_by_row
from sheetsync.check.status import MeasureStatus, measure_status
from sheetsync.excel.arguments import (
    as_of_arg,
    grid,
    per_row,
    read_sheets,
    read_tables,
    safely,
    school_year_arg,
    settings_arg,
    sheets_arg,
    uncertain,
)
from sheetsync.read.models import Measure
from sheetsync.schema.schoolyear import SchoolYear
from sheetsync.schema.settings import AT_RISK_BAND

try:  # the classic package, or xlwings Lite's own copy
    from xlwings import arg, func
except ImportError:  # no xlwings here: the decorators change nothing

    def func(f: Any = None, **options: Any) -> Any:  # type: ignore[misc,no-redef]
        return f if f is not None else (lambda g: g)

    def arg(name: str, convert: Any = None, **options: Any) -> Any:  # type: ignore[misc,no-redef]
        return lambda g: g


_RANGE = {"ndim": 2, "err_to_str": True}
CHECK_HEADER = ["Sheet", "Cell", "Severity", "Message"]
CHECK_COLUMNS = ("sheet", "cell", "severity", "message")  # the findings' names for them
NO_ISSUES = "No issues found."


# -- Measures: status, progress, expected ------------------------------------------------


def measure_statuses(measures: list[list[Any]], as_of: Any = None, school_year: Any = None,
                     at_risk_band: Any = None) -> list[tuple[int, MeasureStatus, str | None]]:
    """Each measure read from the range (as ``grid`` gives it), as (its row index in the
    range, its status, and what the functions could not know about its numbers or None)."""
    when = as_of_arg(as_of)
    card, _, offsets = read_tables({"measures": measures}, school_year_arg(school_year), when)
    year = SchoolYear.parse(card.school_year)
    settings = settings_arg(at_risk_band)
    day = as_of_for(card, when)
    return [(m.row - 1 - offsets["measures"], measure_status(m, day, year, settings),
             _unknown_format(m)) for m in card.measures]


def _unknown_format(m: Measure) -> str | None:
    """'if 0.46 is not 46%' for a measure with a number that may be a percentage."""
    numbers = uncertain(m)
    if not numbers:
        return None
    v = numbers[0][1]
    return f"if {v:g} is not {float(f'{v * 100:.15g}'):g}%"


def _measure_column(measures: Any, as_of: Any, school_year: Any, at_risk_band: Any,
                    pick: Callable[[MeasureStatus], Any]) -> list[list[Any]]:
    rows = grid(measures)

    def value(s: MeasureStatus, unknown: str | None) -> Any:
        v = pick(s)
        if unknown is None or v is None:
            return v
        return f"{v if isinstance(v, str) else f'{v:g}'}, {unknown}"

    return safely(lambda: per_row(
        [(i, value(s, unknown))
         for i, s, unknown in measure_statuses(rows, as_of, school_year, at_risk_band)],
        len(rows)))


_MEASURES_DOC = ("The Measures table with its header row (e.g. Measures!A4:AO64), or measure "
                 "rows laid out as in the template (e.g. Measures!A5:AO5).")
_AS_OF_DOC = "The date statuses are computed for (e.g. AsOf). Blank: today."
_YEAR_DOC = "The school year, e.g. 2026-27. Blank: the one the month headers name."
_BAND_DOC = (f"At-risk band as a share of the gap (e.g. {AT_RISK_BAND.name}). "
             f"Blank: {AT_RISK_BAND.default}.")


@func
@arg("measures", doc=_MEASURES_DOC, **_RANGE)
@arg("as_of", doc=_AS_OF_DOC)
@arg("school_year", doc=_YEAR_DOC)
@arg("at_risk_band", doc=_BAND_DOC)
def SHEETSYNC_STATUS(measures: Any, as_of: Any = None, school_year: Any = None,
                     at_risk_band: Any = None) -> list[list[Any]]:
    """Each measure's status (Met, On Track, At Risk, Off Track, Not Met, No Data), one per row of the range, as sheetsync check computes it."""  # noqa: E501
    return _measure_column(measures, as_of, school_year, at_risk_band, lambda s: s.status)


@func
@arg("measures", doc=_MEASURES_DOC, **_RANGE)
@arg("as_of", doc=_AS_OF_DOC)
@arg("school_year", doc=_YEAR_DOC)
@arg("at_risk_band", doc=_BAND_DOC)
def SHEETSYNC_PROGRESS(measures: Any, as_of: Any = None, school_year: Any = None,
                       at_risk_band: Any = None) -> list[list[Any]]:
    """Each measure's progress: the share of the baseline-to-target gap closed by its latest actual (1 = target reached), one per row of the range."""  # noqa: E501
    return _measure_column(measures, as_of, school_year, at_risk_band, lambda s: s.progress)


@func
@arg("measures", doc=_MEASURES_DOC, **_RANGE)
@arg("as_of", doc=_AS_OF_DOC)
@arg("school_year", doc=_YEAR_DOC)
@arg("at_risk_band", doc=_BAND_DOC)
def SHEETSYNC_EXPECTED(measures: Any, as_of: Any = None, school_year: Any = None,
                       at_risk_band: Any = None) -> list[list[Any]]:
    """Where each measure should be by its latest actual's month: the interim target, else the straight line from baseline to target. One per row of the range."""  # noqa: E501
    return _measure_column(measures, as_of, school_year, at_risk_band, lambda s: s.expected)


# -- Goals: SMART ------------------------------------------------------------------------


@func
@arg("goals", doc="The Goals table with its header row (e.g. Goals!A4:I34), or goal rows "
                  "laid out as in the template.", **_RANGE)
@arg("measures", doc="The Measures table with its header row: Measurable and Attainable "
                     "are judged from the goals' measures.", **_RANGE)
@arg("strategic_goals", doc="Optional: the Strategic Goals table, whose end years extend "
                            "the horizon a target date may reach.", **_RANGE)
@arg("school_year", doc=_YEAR_DOC)
def SHEETSYNC_SMART(goals: Any, measures: Any, strategic_goals: Any = None,
                    school_year: Any = None) -> list[list[Any]]:
    """For each goal row: SMART, or which of Specific, Measurable, Attainable, Responsible, Time-bound it misses and why."""  # noqa: E501

    def compute() -> list[list[Any]]:
        tables = {"goals": grid(goals), "measures": grid(measures),
                  "strategic_goals": grid(strategic_goals)}
        card, _, offsets = read_tables(tables, school_year_arg(school_year), None)
        findings, letters = smart_by_row(card, SchoolYear.parse(card.school_year))
        why = [f.message for f in findings if f.code == "not-smart"]

        def reason(goal_id: str) -> str:  # the finding may point at a measure's cell
            return next((w for w in why if w.startswith(f"Goal {goal_id} is not ")), "")

        return per_row([(g.row - 1 - offsets["goals"],
                          "SMART" if all(letters[g.row].values()) else reason(g.id))
                         for g in card.goals], len(tables["goals"]))

    return safely(compute)


# -- Whole sheets: check and alignment ---------------------------------------------------


def check_sheets(grids: dict[str, list[list[Any]]], as_of: date | None) -> CheckResult:
    card, found = read_sheets(grids, None, as_of)  # ``grids`` as ``sheets_arg`` gives them
    return assess(card, found, as_of)


def findings_table(result: CheckResult, sheets: set[str] | None = None) -> list[list[Any]]:
    """The findings as rows (sheet, cell, severity, message) under a header row; with
    ``sheets``, only those on these sheets (and those on no sheet)."""
    rows = result.report.rows(CHECK_COLUMNS, sheets, blank="")
    return [CHECK_HEADER, *(rows or [["", "", "", NO_ISSUES]])]


@func
@arg("sheets", doc="Whole sheets from A1 (e.g. Goals!A1:I40, Measures!A1:AO70), each "
                   "optionally after its name (\"Goals\"); a date sets the status date.",
     **_RANGE)
def SHEETSYNC_CHECK(*sheets: Any) -> list[list[Any]]:
    """Everything sheetsync check finds on the sheets given: a spilled table of sheet, cell, severity and message. Pass every sheet for the full check."""  # noqa: E501

    def compute() -> list[list[Any]]:
        grids, as_of = sheets_arg(sheets)
        return findings_table(check_sheets(grids, as_of), set(grids))

    return safely(compute)


ALIGNMENT_ROWS = (  # label, key of Alignment.to_dict(), the sheet it needs besides goals
    ("Coverage", "coverage", "strategic_goals"),
    ("Strategic goals", "strategic_goals", "strategic_goals"),
    ("Strategic goals with an annual goal", "strategic_goals_covered", "strategic_goals"),
    ("Strategic goals with no annual goal", "strategic_goals_without_goals",
     "strategic_goals"),
    ("Goals with no measure", "goals_without_measures", "measures"),
    ("Goals with no action", "goals_without_actions", "actions"),
    ("Priority needs", "priority_needs", "needs"),
    ("Priority needs no goal addresses", "priority_needs_unaddressed", "needs"),
)


def alignment_table(result: CheckResult) -> list[list[Any]]:
    """Coverage and the gaps, as label/value rows, for what the sheets given can show."""
    data = result.alignment.to_dict()
    have = result.card.sheet_names
    out: list[list[Any]] = []
    for label, key, needs in ALIGNMENT_ROWS:
        if "goals" not in have or needs not in have:
            continue
        v = data[key]
        out.append([label, ", ".join(v) if isinstance(v, list) else ("" if v is None else v)])
    return out or [["sheetsync: give the Goals sheet and the Strategic Goals, Measures, "
                    "Actions or Needs sheet", ""]]


@func
@arg("sheets", doc="The Strategic Goals and Goals sheets from A1 (and Measures, Actions, "
                   "Needs to see their gaps), each optionally after its name.", **_RANGE)
def SHEETSYNC_ALIGNMENT(*sheets: Any) -> list[list[Any]]:
    """Alignment: the share of strategic goals with an annual goal this year, and which strategic goals, goals and priority needs are left without one."""  # noqa: E501

    def compute() -> list[list[Any]]:
        grids, as_of = sheets_arg(sheets)
        return alignment_table(check_sheets(grids, as_of))

    return safely(compute)


UDFS = (SHEETSYNC_STATUS, SHEETSYNC_PROGRESS, SHEETSYNC_EXPECTED, SHEETSYNC_SMART,
        SHEETSYNC_CHECK, SHEETSYNC_ALIGNMENT)
