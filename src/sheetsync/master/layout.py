"""The cohort master's layout: its sheets and their columns, the trend table beside the
Summary, the status colours, and where the Summary's charts go.

Both masters (.xlsx in ``master.write``, Google Sheets in ``master.google``) are laid out
from these declarations. Every sheet's header row 1 starts with District ID; a cohort of a
district's schools heads those columns School ID and School (``headed``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sheetsync.schema.level import level_of
from sheetsync.schema.vocabulary import (
    AT_RISK,
    LATE,
    MET,
    MISSING,
    NO_DATA,
    NOT_MET,
    OFF_TRACK,
    ON_TIME,
    ON_TRACK,
    OVERDUE,
    PALETTE,
    READ_FAILED,
    READ_OK,
    READ_STALE,
    STATUSES,
    css,
)

STATUS_COLUMNS = STATUSES
# The words the master colours, in this order (conditional formats), as "#RRGGBB".
COLOURS = {w: (css(PALETTE[w][0]), css(PALETTE[w][1])) for w in (
    MET, ON_TRACK, AT_RISK, OFF_TRACK, NOT_MET, NO_DATA, READ_FAILED, READ_OK, READ_STALE,
    OVERDUE, MISSING, LATE, ON_TIME, "error", "warning")}


@dataclass(frozen=True)
class Col:
    header: str
    width: int = 12
    kind: str = "text"  # text, number, int, date, percent, status, link


SHEETS: dict[str, tuple[Col, ...]] = {
    "Summary": (
        Col("District ID", 11), Col("District", 22), Col("Read Status", 11, "status"),
        Col("Reason", 30), Col("Source", 28), Col("Last Modified", 11, "date"),
        Col("Pulled At", 11, "date"), Col("Template Version", 9),
        Col("Goals", 7, "int"), Col("Measures", 10, "int"),
        *(Col(s, 9, "int") for s in STATUS_COLUMNS),
        Col("Overdue Actions", 9, "int"), Col("Alignment Coverage", 11, "percent"),
        Col("SMART Goals", 8, "int"), Col("Errors", 7, "int"), Col("Warnings", 10, "int"),
        Col("Update This Month", 11, "status"), Col("Late or Missing Updates", 10, "int"),
    ),
    "Goals": (Col("District ID", 11), Col("Goal ID", 8), Col("Strategic Goal ID", 10),
              Col("CDIP Goal ID", 9), Col("Statement", 60), Col("Owner", 16),
              Col("Target Date", 11, "date"), Col("Status", 10, "status"),
              Col("SMART", 8), Col("Source Cell", 14, "link")),
    "Measures": (Col("District ID", 11), Col("Measure ID", 9), Col("Goal ID", 8),
                 Col("Measure", 40), Col("Unit", 7), Col("Direction", 9),
                 Col("Baseline", 9, "number"), Col("Target", 9, "number"),
                 Col("Target Date", 11, "date"), Col("Latest Month", 10),
                 Col("Latest Actual", 9, "number"), Col("Expected", 9, "number"),
                 Col("Progress", 9, "percent"), Col("Status", 10, "status"),
                 Col("Source Cell", 14, "link")),
    "Strategies": (Col("District ID", 11), Col("Strategy ID", 9), Col("Goal ID", 8),
                   Col("KCWP", 30), Col("Strategy", 44), Col("Research Basis", 36),
                   Col("Actions", 8, "int"), Col("Source Cell", 14, "link")),
    "Actions": (Col("District ID", 11), Col("Action ID", 8), Col("Goal ID", 8),
                Col("Strategy ID", 9), Col("Action", 44), Col("Owner", 16),
                Col("Due Date", 11, "date"), Col("Status", 11), Col("Schedule", 11, "status"),
                Col("Funding Source", 13), Col("Cost", 10, "number"),
                Col("Source Cell", 14, "link")),
    "Updates": (Col("District ID", 11), Col("Month", 9), Col("Status", 9, "status"),
                Col("Submitted On", 11, "date"), Col("Submitted By", 16),
                Col("Milestones", 40), Col("Successes", 40), Col("Roadblocks", 40),
                Col("Changes", 40), Col("Support Needed", 30), Col("Source Cell", 14, "link")),
    "Issues": (Col("District ID", 11), Col("Sheet", 16), Col("Cell", 7),
               Col("Severity", 9, "status"), Col("Code", 22), Col("Message", 90),
               Col("Source Cell", 14, "link")),
    "History": (Col("District ID", 11), Col("Measure ID", 9), Col("Month", 9),
                Col("Goal ID", 8), Col("Latest Month", 10), Col("Latest Actual", 9, "number"),
                Col("Expected", 9, "number"), Col("Progress", 9, "percent"),
                Col("Status", 10, "status"), Col("Note", 40)),
}
# The Issues sheet's columns after District ID (and before Source Cell), as findings name them
ISSUE_COLUMNS = ("sheet", "cell", "severity", "code", "message")
TREND_COLUMNS = (Col("Month", 9), Col("On Track or Met", 9, "int"),
                 Col("Measures with Data", 9, "int"), Col("Share On Track", 9, "percent"))
TREND = tuple(c.header for c in TREND_COLUMNS)


# Excel's limits. Module constants, so a test can lower them and run fast.
MAX_ROWS = 1_048_576  # rows a worksheet holds, its header row included
HISTORY = "History"


class ExcelLimitWarning(UserWarning):
    """The master kept within one of Excel's limits by changing its layout (History split
    by term, one link per district row): written, but not as usual. The pull and
    ``master rebuild`` print it as a warning line."""


def history_sheets(counts: dict[str, int]) -> dict[str, str]:
    """Which History sheet each month's rows go to, given the rows each month has.

    All in one History sheet while they fit under ``MAX_ROWS`` (with its header row);
    past it, one sheet per school term (three months: Jul–Sep, Oct–Dec, Jan–Mar, Apr–Jun,
    named "History 2026-07 to 2026-09"); when a term is still too long, one sheet per month
    ("History 2026-07"; a month longer still keeps the rows that fit, and the writer says
    how many it left out). The store always keeps the whole year (``sheetsync export
    tables`` gives it all)."""
    room = MAX_ROWS - 1
    if sum(counts.values()) <= room:
        return dict.fromkeys(counts, HISTORY)
    terms: dict[tuple[int, int], list[str]] = {}
    for period in counts:
        year, month = (int(x) for x in period.split("-")[:2])
        terms.setdefault((year, (month - 1) // 3), []).append(period)
    if all(sum(counts[p] for p in months) <= room for months in terms.values()):
        return {p: _history_name(f"{y}-{q * 3 + 1:02d}", f"{y}-{q * 3 + 3:02d}")
                for (y, q), months in terms.items() for p in months}
    return {p: _history_name(p, p) for p in counts}


def _history_name(first: str, last: str) -> str:
    return f"{HISTORY} {first}" if first == last else f"{HISTORY} {first} to {last}"


def headed(cols: tuple[Col, ...], level: str) -> tuple[Col, ...]:
    """A sheet's columns as a cohort of ``level`` heads them ("School ID", "School")."""
    say = level_of(level).say
    return tuple(Col(say(c.header), c.width, c.kind) for c in cols)


CHART_WIDTH, LINE_HEIGHT, ROW_PIXELS = 540, 288, 20  # pixels; rows of the default height


@dataclass(frozen=True)
class ChartPlace:
    row: int  # 0-based, in the trend table's first column
    width: int
    height: int


def chart_places(districts: int, months: int) -> dict[str, ChartPlace]:
    """Where the Summary's charts go (both masters): under the trend table, one below the
    other, the share on track by month first, then the status mix per district (as tall as
    the districts need); by computed rows, so they never overlap."""
    places = {}
    top = months + 2  # a blank row under the trend table
    if months:
        places["trend"] = ChartPlace(top, CHART_WIDTH, LINE_HEIGHT)
        top += -(-LINE_HEIGHT // ROW_PIXELS) + 1
    if districts:
        places["status"] = ChartPlace(top, CHART_WIDTH, max(320, 18 * districts + 80))
    return places
