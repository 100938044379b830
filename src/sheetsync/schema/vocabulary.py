"""The words a scorecard uses, declared once, and the colours they are shown in.

Statuses (the order the template and the master list them, and worst first), action
schedules, action and update statuses, units, directions and frequencies, the read outcomes
of a pull, and one palette: every word's (fill, font) colour as RRGGBB. The template's
formulas and conditional formats, the checks, the store's SQL, the master, the terminal
views, the reports and the Excel functions all take their words and colours from here;
``tests/schema/test_declared_once.py`` fails when one is typed again elsewhere.
"""

from __future__ import annotations

# -- a measure's (and a goal's) status -------------------------------------------------------

MET = "Met"
ON_TRACK = "On Track"
AT_RISK = "At Risk"
OFF_TRACK = "Off Track"
NOT_MET = "Not Met"
NO_DATA = "No Data"
# As the template's Lists sheet and the master's Summary columns list them.
STATUSES = (MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_MET, NO_DATA)
# Worst first: a goal takes the first of these any of its measures has (else No Data).
SEVERITY_ORDER = (NOT_MET, OFF_TRACK, AT_RISK, ON_TRACK, MET)
WORST_FIRST = (*SEVERITY_ORDER, NO_DATA)
GOOD = (ON_TRACK, MET)  # counted as "on track or met"
BAD = (OFF_TRACK, NOT_MET)

# -- an action: its status (typed) and its schedule (computed) ------------------------------

NOT_STARTED = "Not Started"
IN_PROGRESS = "In Progress"
COMPLETE = "Complete"
ON_HOLD = "On Hold"
CANCELLED = "Cancelled"
ACTION_STATUSES = (NOT_STARTED, IN_PROGRESS, COMPLETE, ON_HOLD, CANCELLED)
DONE = (COMPLETE, CANCELLED)  # an action that is no longer scheduled

OVERDUE = "Overdue"
LATE_START = "Late Start"
ON_SCHEDULE = "On Schedule"
SCHEDULES = (COMPLETE, CANCELLED, OVERDUE, LATE_START, ON_HOLD, ON_SCHEDULE)

# -- a month's update ------------------------------------------------------------------------

ON_TIME = "On Time"
LATE = "Late"
MISSING = "Missing"
NOT_DUE = "Not Due"
UPDATE_STATUSES = (ON_TIME, LATE, MISSING, NOT_DUE)
LATE_OR_MISSING = (LATE, MISSING)

# -- a district's read in a pull (the master's Read column) ----------------------------------

READ_OK = "OK"
READ_FAILED = "Failed"
READ_STALE = "Stale"

# -- choices ---------------------------------------------------------------------------------

UNITS = ("%", "count", "rate", "score", "days", "ratio", "dollars")
PERCENT = UNITS[0]
NON_NEGATIVE_UNITS = ("count", "days", "dollars")  # quantities that cannot go below 0
DIRECTIONS = ("increase", "decrease")
INCREASE, DECREASE = DIRECTIONS
# How many months a measure's frequency allows between actuals before it is stale.
FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "semester": 6, "annual": 12}
FREQUENCIES = tuple(FREQUENCY_MONTHS)

# -- a strategy: the Key Core Work Process it rests on (Kentucky's six, or another named) ---

KCWP_OTHER = "Other"
KCWPS = (
    "KCWP 1: Design and Deploy Standards",
    "KCWP 2: Design and Deliver Instruction",
    "KCWP 3: Design and Deliver Assessment Literacy",
    "KCWP 4: Review, Analyze and Apply Data",
    "KCWP 5: Design, Align and Deliver Support",
    "KCWP 6: Establishing Learning Culture and Environment",
    KCWP_OTHER,
)

# -- colours ---------------------------------------------------------------------------------

# Tones as (fill, font), RRGGBB; AA contrast on each other.
STRONG_GOOD = ("1E7B34", "FFFFFF")
GOOD_TONE = ("C6EFCE", "006100")
WARN_TONE = ("FFEB9C", "9C5700")
BAD_TONE = ("FFC7CE", "9C0006")
STRONG_BAD = ("9C0006", "FFFFFF")
NEUTRAL = ("EDEDED", "595959")
CHECK_TONE = ("FCE4D6", "833C0B")  # a Check cell with something to say

PALETTE: dict[str, tuple[str, str]] = {
    MET: STRONG_GOOD, ON_TRACK: GOOD_TONE, AT_RISK: WARN_TONE, OFF_TRACK: BAD_TONE,
    NOT_MET: STRONG_BAD, NO_DATA: NEUTRAL,
    OVERDUE: BAD_TONE, LATE_START: WARN_TONE, COMPLETE: GOOD_TONE,
    MISSING: BAD_TONE, LATE: WARN_TONE, ON_TIME: GOOD_TONE, NOT_DUE: NEUTRAL,
    READ_FAILED: BAD_TONE, READ_OK: GOOD_TONE, READ_STALE: WARN_TONE,
    "error": BAD_TONE, "warning": WARN_TONE, "info": NEUTRAL,
}
# A terminal's colour for each tone (None: plain).
TERMINAL = {STRONG_GOOD: "green", GOOD_TONE: "green", WARN_TONE: "yellow", BAD_TONE: "red",
            STRONG_BAD: "red", NEUTRAL: None}
# The workbooks' own inks.
NAVY = "1F3864"  # titles and input headers
GREY = "595959"  # guidance and computed headers
PALE = "F2F2F2"  # computed cells
WHITE = "FFFFFF"
LINK_BLUE = "0563C1"
BORDER_GREY = "BFBFBF"


def css(rgb: str) -> str:
    """'1E7B34' -> '#1E7B34', as CSS, SVG and the Sheets API write a colour."""
    return "#" + rgb


def palette_of(words: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """``PALETTE`` for ``words``, in their order."""
    return {w: PALETTE[w] for w in words}


def terminal_colours(words: tuple[str, ...]) -> dict[str, str | None]:
    """A terminal colour for each of ``words``, from its tone."""
    return {w: TERMINAL[PALETTE[w]] for w in words}


assert set(PALETTE) >= {*STATUSES, *UPDATE_STATUSES}
assert set(NON_NEGATIVE_UNITS) <= set(UNITS)
