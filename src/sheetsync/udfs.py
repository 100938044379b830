"""sheetsync in the district's own Excel: worksheet functions for xlwings.

Each function is a thin wrapper over the engine of ``sheetsync check``: the ranges Excel
passes become a workbook (``source.rows_from_grids``), ``reader.read_rows`` reads it the
way it reads a file, and ``assess`` / ``measure_status`` / ``check_smart`` judge it. Nothing
here applies a rule of its own; this module only turns Excel's arguments into sheets and
the engine's results into arrays.

The functions are declared with ``xlwings.func`` and ``xlwings.arg``, which xlwings Lite
(Excel on Windows, Mac and the web) and the classic add-in (Excel on Windows) register. On
Linux and macOS, and where xlwings is not installed, they are plain Python functions. The
module starts no threads and opens no sockets, so it runs in xlwings Lite's Pyodide.

How Excel passes arguments: ranges arrive as 2-D lists with ``None`` for empty cells
(``ndim=2``); dates as datetimes (classic add-in) or serial numbers (Lite); error values as
strings such as ``"#DIV/0!"`` (``err_to_str=True``), Office.js error objects or COM error
codes. All of them are read as the reader reads a file's cells.

What Excel does not pass is a cell's number format: a typed 46% arrives as 0.46, which
``sheetsync check`` reads from the file as 46. The functions read it as passed, and where a
measure's number could be such a percentage (a number between -1 and 1 other than 0) they
say they could not tell: SHEETSYNC_CHECK adds a ``format-unknown`` note at the cell, and the
status, progress and expected functions add "if 0.46 is not 46%" to that row's value.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any

from sheetsync.check import findings as F
from sheetsync.check.assess import CheckResult, as_of_for, assess
from sheetsync.check.findings import Finding
from sheetsync.check.rules import SMART_KEYS, SMART_WORDS, smart_by_row
from sheetsync.check.status import DEFAULT_SETTINGS, MeasureStatus, StatusSettings, measure_status
from sheetsync.errors import BadArgument, WorkbookUnreadable
from sheetsync.read import coerce
from sheetsync.read.models import Measure, Scorecard
from sheetsync.read.scorecard import HEADER_SCAN_ROWS, PROFILE_SCAN_ROWS, read_rows
from sheetsync.read.source import rows_from_grids
from sheetsync.schema.layout import Layout, SheetLayout, norm, scorecard_layout
from sheetsync.schema.schoolyear import SchoolYear, period_date, period_label

try:  # the classic package, or xlwings Lite's own copy
    from xlwings import arg, func
except ImportError:  # no xlwings here: the decorators change nothing

    def func(f: Any = None, **options: Any) -> Any:  # type: ignore[misc,no-redef]
        return f if f is not None else (lambda g: g)

    def arg(name: str, convert: Any = None, **options: Any) -> Any:  # type: ignore[misc,no-redef]
        return lambda g: g


SOURCE = "Excel"  # the workbook name findings and the scorecard carry
# Lite passes dates as serial numbers; the reader would note each one it reads as a date.
DATES_AS_NUMBERS = sys.platform == "emscripten"
UDF_MODULE = __name__  # what the classic add-in's "UDF Modules" setting names

# Excel's error values as COM codes (classic add-in without err_to_str) and Office.js types.
_COM_ERRORS = {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?",
               -2146826288: "#NULL!", -2146826252: "#NUM!", -2146826265: "#REF!",
               -2146826273: "#VALUE!"}
_OFFICE_ERRORS = {"Div0": "#DIV/0!", "NotAvailable": "#N/A", "Name": "#NAME?",
                  "Null": "#NULL!", "Num": "#NUM!", "Ref": "#REF!", "Value": "#VALUE!",
                  "Spill": "#SPILL!", "Calc": "#CALC!", "GettingData": "#GETTING_DATA",
                  "Busy": "#BUSY!", "Field": "#FIELD!", "Connect": "#CONNECT!",
                  "Blocked": "#BLOCKED!", "Unknown": "#UNKNOWN!"}
_RANGE = {"ndim": 2, "err_to_str": True}
CHECK_HEADER = ["Sheet", "Cell", "Severity", "Message"]
CHECK_COLUMNS = ("sheet", "cell", "severity", "message")  # the findings' names for them
NO_ISSUES = "No issues found."



# Docstrings of the functions are one line: Excel shows them as they are (the classic
# add-in cuts them at 255 characters), and the argument docs say what to pass.

# -- Excel's arguments -------------------------------------------------------------------


def cell_value(value: Any) -> Any:
    """One cell as Excel passed it, as the reader expects it: errors as '#DIV/0!' text."""
    kind = value.__class__
    if kind is str:
        return value or None
    if kind is dict:  # an Office.js error or entity value
        if value.get("type") == "Error":
            return value.get("basicValue") or _OFFICE_ERRORS.get(str(value.get("errorType")),
                                                                   "#VALUE!")
        return value.get("basicValue")
    if kind is int and value in _COM_ERRORS:
        return _COM_ERRORS[value]
    return value


def grid(value: Any) -> list[list[Any]]:
    """A range as a rectangular 2-D list (a single cell or a 1-D list becomes one row)."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        return [[cell_value(value)]]
    if value and not isinstance(value[0], list | tuple):
        return [[cell_value(v) for v in value]]
    rows = [[cell_value(v) for v in row] for row in value]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Without trailing empty rows, so a whole-column range does not read as 1,048,576 rows."""
    end = len(rows)
    while end and all(v is None for v in rows[end - 1]):
        end -= 1
    return rows[:end]


def _scalar(value: Any) -> Any:
    while isinstance(value, list | tuple):
        if len(value) != 1:
            raise BadArgument("expected a single cell, got a range")
        value = value[0]
    return cell_value(value)


def as_of_arg(value: Any) -> date | None:
    """The status date: a date, a serial number or text such as 2027-01-31; blank is None."""
    v = _scalar(value)
    try:
        d, _ = coerce.read_date(v)
    except coerce.Unreadable:
        raise BadArgument(f"as_of {v!r} is not a date; give one such as 2027-01-31") from None
    return d


def school_year_arg(value: Any) -> str | None:
    """'2026-27' (or its start year, 2026); blank is None."""
    v = _scalar(value)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    try:
        if isinstance(v, int | float) and not isinstance(v, bool):
            if not (float(v).is_integer() and 1900 < v < 2200):
                raise ValueError(v)
            return SchoolYear(int(v)).label
        return SchoolYear.parse(str(v)).label
    except ValueError:
        raise BadArgument(f"school_year {v!r} is not a school year like 2026-27") from None


def settings_arg(at_risk_band: Any) -> StatusSettings:
    """The at-risk band as a share of the gap (0.1 or 10%); blank is the default."""
    try:
        band, _ = coerce.read_number(_scalar(at_risk_band))
    except coerce.Unreadable:
        raise BadArgument(f"at_risk_band {at_risk_band!r} is not a number") from None
    if band is None:
        return DEFAULT_SETTINGS
    return StatusSettings(at_risk_band=band / 100 if band > 1 else band)


def _safely(compute: Callable[[], list[list[Any]]]) -> list[list[Any]]:
    """The function's array, or its argument problem as a one-cell message."""
    try:
        return compute()
    except BadArgument as exc:
        return [[f"sheetsync: {exc}"]]
    except WorkbookUnreadable as exc:  # none of the ranges is a scorecard sheet
        return [[f"sheetsync: {exc.reason}"]]


# -- Ranges as a scorecard ---------------------------------------------------------------


def read_grids(grids: dict[str, list[list[Any]]], school_year: str | None = None,
               as_of: date | None = None) -> tuple[Scorecard, list[Finding]]:
    """Read sheets given as 2-D lists (A1 at [0][0]), as ``read_scorecard`` reads a file.

    Without a District Profile among them, the school year is the one the measures' month
    headers name, else the one containing ``as_of`` (or today).
    """
    return _read({name: _trimmed(grid(rows)) for name, rows in grids.items()}, school_year,
                 as_of)


def _read(grids: dict[str, list[list[Any]]], school_year: str | None,
          as_of: date | None) -> tuple[Scorecard, list[Finding]]:
    rows = rows_from_grids(SOURCE, grids, serial_dates=DATES_AS_NUMBERS)
    card, found = read_rows(rows, school_year)
    if school_year is None and "profile" not in card.sheet_names:
        guess = _year_of(card) or SchoolYear.containing(as_of or date.today()).label
        if guess != card.school_year:
            card, found = read_rows(rows, guess)
    return card, found + format_unknown(card)


def maybe_percent(value: float | None) -> bool:
    """Whether a number Excel passed could be a percentage stored as a fraction (46% is
    0.46): the functions cannot see the cell's format to tell."""
    return value is not None and value != 0 and -1 < value < 1


def _uncertain(m: Measure) -> list[tuple[str, float]]:
    """A measure's numbers (slot, value) that could be percentages stored as fractions."""
    values = [("baseline", m.baseline), ("target", m.target),
              *((f"actual:{p}", v) for p, v in m.actuals.items()),
              *((f"interim_target:{p}", v) for p, v in m.interim_targets.items())]
    return [(slot, v) for slot, v in values if v is not None and maybe_percent(v)]


def format_unknown(card: Scorecard) -> list[Finding]:
    """A note at each measure number the functions read without knowing its format."""
    sheet = card.sheet_names.get("measures")
    header = {c.slot: c.header for c in scorecard_layout(card.school_year).sheet(
        "measures").columns}
    return [F.FORMAT_UNKNOWN(sheet=sheet, cell=card.cell("measures", slot, m.row),
                             header=header.get(slot, slot), value=f"{v:g}",
                             points=f"{float(f'{v * 100:.15g}'):g}")
            for m in card.measures for slot, v in _uncertain(m)]


def _year_of(card: Scorecard) -> str | None:
    periods = {p for m in card.measures for p in (*m.actuals, *m.interim_targets)}
    years = {SchoolYear.containing(period_date(p)).label for p in periods}
    return years.pop() if len(years) == 1 else None



def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _template_header(sheet: SheetLayout, width: int) -> list[Any]:
    headers: list[Any] = [c.header for c in sheet.columns][:width]
    return headers + [None] * (width - len(headers))


def _read_tables(tables: dict[str, list[list[Any]]], school_year: str | None,
                 as_of: date | None) -> tuple[Scorecard, list[Finding], dict[str, int]]:
    """Read table ranges (as ``grid`` gives them) keyed by entity. A range without a header
    row is read as laid out in the template (columns in the template's order, from its
    first column); ``offsets`` says how many rows were put above each range for that."""
    layout = scorecard_layout(school_year or
                              SchoolYear.containing(as_of or date.today()).label)
    grids: dict[str, list[list[Any]]] = {}
    offsets = dict.fromkeys(tables, 0)
    for entity, rows in tables.items():
        sheet = layout.sheet(entity)
        rows = _trimmed(rows)
        if rows and header_score(sheet, rows) < 2:  # the reader needs two known headers
            width = max(len(rows[0]), len(sheet.columns))
            rows = [_template_header(sheet, width), *(r + [None] * (width - len(r))
                                                      for r in rows)]
            offsets[entity] = 1
        if rows:
            grids[sheet.name] = rows
    if not grids:  # nothing typed yet: nothing to read
        return Scorecard(source=SOURCE, school_year=layout.school_year.label), [], offsets
    card, found = _read(grids, school_year, as_of)
    return card, found, offsets


def _per_row(pairs: list[tuple[int, Any]], rows: int) -> list[list[Any]]:
    """One value per row of the range Excel passed (``pairs``: row index, value); ``""``
    where no item was read (the header, blank rows, rows without an id)."""
    out: list[list[Any]] = [[""] for _ in range(max(rows, 1))]
    for i, v in pairs:
        if 0 <= i < rows:
            out[i] = [v if v is not None else ""]
    return out


# -- Measures: status, progress, expected ------------------------------------------------


def measure_statuses(measures: list[list[Any]], as_of: Any = None, school_year: Any = None,
                     at_risk_band: Any = None) -> list[tuple[int, MeasureStatus, str | None]]:
    """Each measure read from the range (as ``grid`` gives it), as (its row index in the
    range, its status, and what the functions could not know about its numbers or None)."""
    when = as_of_arg(as_of)
    card, _, offsets = _read_tables({"measures": measures}, school_year_arg(school_year), when)
    year = SchoolYear.parse(card.school_year)
    settings = settings_arg(at_risk_band)
    day = as_of_for(card, when)
    return [(m.row - 1 - offsets["measures"], measure_status(m, day, year, settings),
             _unknown_format(m)) for m in card.measures]


def _unknown_format(m: Measure) -> str | None:
    """'if 0.46 is not 46%' for a measure with a number that may be a percentage."""
    uncertain = _uncertain(m)
    if not uncertain:
        return None
    v = uncertain[0][1]
    return f"if {v:g} is not {float(f'{v * 100:.15g}'):g}%"


def _measure_column(measures: Any, as_of: Any, school_year: Any, at_risk_band: Any,
                    pick: Callable[[MeasureStatus], Any]) -> list[list[Any]]:
    rows = grid(measures)

    def value(s: MeasureStatus, unknown: str | None) -> Any:
        v = pick(s)
        if unknown is None or v is None:
            return v
        return f"{v if isinstance(v, str) else f'{v:g}'}, {unknown}"

    return _safely(lambda: _per_row(
        [(i, value(s, unknown))
         for i, s, unknown in measure_statuses(rows, as_of, school_year, at_risk_band)],
        len(rows)))


_MEASURES_DOC = ("The Measures table with its header row (e.g. Measures!A4:AO64), or measure "
                 "rows laid out as in the template (e.g. Measures!A5:AO5).")
_AS_OF_DOC = "The date statuses are computed for (e.g. AsOf). Blank: today."
_YEAR_DOC = "The school year, e.g. 2026-27. Blank: the one the month headers name."
_BAND_DOC = "At-risk band as a share of the gap (e.g. AtRiskBand). Blank: 0.1."


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
        card, _, offsets = _read_tables(tables, school_year_arg(school_year), None)
        findings, letters = smart_by_row(card, SchoolYear.parse(card.school_year))
        why = [f.message for f in findings if f.code == "not-smart"]

        def reason(goal_id: str) -> str:  # the finding may point at a measure's cell
            return next((w for w in why if w.startswith(f"Goal {goal_id} is not ")), "")

        return _per_row([(g.row - 1 - offsets["goals"],
                          "SMART" if all(letters[g.row].values()) else reason(g.id))
                         for g in card.goals], len(tables["goals"]))

    return _safely(compute)


# -- Whole sheets: check and alignment ---------------------------------------------------


def sheets_arg(args: tuple[Any, ...], layout: Layout | None = None
               ) -> tuple[dict[str, list[list[Any]]], date | None]:
    """Sheets from SHEETSYNC_CHECK's arguments: ranges, each optionally after its sheet's
    name; a range without a name is recognised by its headers. A date is the as-of date."""
    layout = layout or scorecard_layout()
    grids: dict[str, list[list[Any]]] = {}
    name: str | None = None
    as_of: date | None = None
    for n, value in enumerate(args, 1):
        rows = grid(value)
        if not rows:
            continue
        if len(rows) == 1 and len(rows[0]) == 1:  # one cell: a sheet name or the as-of date
            v = rows[0][0]
            if isinstance(v, str) and v.strip():
                name = v.strip()
            elif v is not None:
                as_of = as_of_arg(v)
            continue
        sheet = name or identify(rows, layout)
        if sheet is None:
            raise BadArgument(f"range {n}: cannot tell which scorecard sheet it is; put the "
                              "sheet's name before it, e.g. \"Goals\", Goals!A1:I40")
        if sheet in grids:
            raise BadArgument(f"range {n}: sheet '{sheet}' is given twice")
        grids[sheet] = _trimmed(rows)
        name = None
    if name is not None:
        raise BadArgument(f"sheet name '{name}' has no range after it")
    if not grids:
        raise BadArgument("give the sheets to check, e.g. Goals!A1:I40, Measures!A1:AO70")
    return grids, as_of


def identify(rows: list[list[Any]], layout: Layout) -> str | None:
    """The template sheet a range holds, by its header row (or the profile's labels)."""
    best, best_score = None, 1
    for sheet in layout.sheets:
        score = header_score(sheet, rows)
        if score > best_score:
            best, best_score = sheet.name, score
    return best


def header_score(sheet: SheetLayout, rows: list[list[Any]]) -> int:
    """How many of the sheet's headers (or the profile's labels) the best row of ``rows``
    holds, where the reader looks for them."""
    if sheet.fields:
        labels = {norm(f.label) for f in sheet.fields}
        return sum(1 for r in rows[:PROFILE_SCAN_ROWS] if r and norm(r[0]) in labels)
    known = sheet.input_headers
    return max((sum(1 for v in r if isinstance(v, str) and norm(v) in known)
                for r in rows[:HEADER_SCAN_ROWS]), default=0)


def check_grids(grids: dict[str, list[list[Any]]], as_of: date | None = None,
                settings: StatusSettings = DEFAULT_SETTINGS) -> CheckResult:
    """``sheetsync check`` on sheets given as 2-D lists: the same ``CheckResult``."""
    card, found = read_grids(grids, None, as_of)
    return assess(card, found, as_of, settings)


def _check(grids: dict[str, list[list[Any]]], as_of: date | None) -> CheckResult:
    card, found = _read(grids, None, as_of)  # ``grids`` as ``sheets_arg`` gives them
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
        return findings_table(_check(grids, as_of), set(grids))

    return _safely(compute)


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
        return alignment_table(_check(grids, as_of))

    return _safely(compute)


# -- For the add-in's scripts ------------------------------------------------------------


def status_table(result: CheckResult) -> list[list[Any]]:
    """``check --json``'s statuses as one sheet: measures, goals, strategic goals, actions
    and monthly updates, each under its own header row; rectangular, blanks as ``""``."""
    data = result.to_json()
    blocks: list[list[Any]] = [["Statuses as of", result.as_of], []]
    blocks.append(["Measure", "Goal", "Latest Month", "Latest Actual", "Expected Now",
                   "Progress", "Status"])
    blocks += [[m["id"], m["goal_id"], period_label(m["latest_period"])
                if m["latest_period"] else None, m["latest_actual"], m["expected"],
                m["progress"], m["status"]] for m in data["measures"]]
    blocks += [[], ["Goal", "Strategic Goal", "Status", "SMART"]]
    blocks += [[g["id"], g["strategic_goal_id"], g["status"], _smart_words(g["smart"])]
               for g in data["goals"]]
    blocks += [[], ["Strategic Goal", "Status"]]
    blocks += [[s["id"], s["status"]] for s in data["strategic_goals"]]
    blocks += [[], ["Action", "Goal", "Status", "Schedule"]]
    blocks += [[a["id"], a["goal_id"], a["status"], a["schedule"]] for a in data["actions"]]
    blocks += [[], ["Month", "Monthly Update"]]
    blocks += [[period_label(u["month"]), u["status"]] for u in data["updates"]]
    width = max(len(r) for r in blocks)
    return [[("" if v is None else v) for v in r] + [""] * (width - len(r)) for r in blocks]


def _smart_words(letters: dict[str, bool]) -> str:
    missing = [SMART_WORDS[k] for k in SMART_KEYS if not letters.get(k, True)]
    return "Not " + ", ".join(missing) if missing else "SMART"


def xlwings_conf_rows() -> list[tuple[str, str]]:
    """The key/value rows of a workbook's ``xlwings.conf`` sheet for the classic add-in:
    "Import Functions" then imports these functions. Only keys sheetsync needs: an empty
    value on that sheet would override the district's own add-in settings."""
    return [("UDF Modules", UDF_MODULE)]


UDFS = (SHEETSYNC_STATUS, SHEETSYNC_PROGRESS, SHEETSYNC_EXPECTED, SHEETSYNC_SMART,
        SHEETSYNC_CHECK, SHEETSYNC_ALIGNMENT)

__all__ = [
    "SHEETSYNC_ALIGNMENT", "SHEETSYNC_CHECK", "SHEETSYNC_EXPECTED", "SHEETSYNC_PROGRESS",
    "SHEETSYNC_SMART", "SHEETSYNC_STATUS", "UDFS", "BadArgument", "alignment_table",
    "check_grids", "findings_table", "measure_statuses", "read_grids", "sheets_arg", "status_table",
    "xlwings_conf_rows",
]
