"""The template's native formulas, built from the layout.

They implement ``status.py``'s rule with functions Excel, Google Sheets and LibreOffice 7.4
share (no LET, LAMBDA, XLOOKUP, FILTER or dynamic arrays): SUMPRODUCT(MAX(...)) finds the
latest month with an actual, INDEX/MATCH picks values, COUNTIFS rolls statuses up. The
arithmetic is done in the same order as in Python so the two agree to the last bit; a date
typed with a time of day counts as its day (INT), as the reader reads it.

Every number they read is in points as the reader reads it: a cell formatted as a percent
(0.46 shown as 46%) counts as 46, found with CELL("format", X), whose code starts with "P"
for a percent format in Excel and LibreOffice. Google Sheets has no CELL("format"): its
formulas (``without_percent_formats``) read numbers as stored, as the Google reader does.

Each sheet whose formulas read typed values ends with a Check column (``row_check``) that
names the first value in its row the formulas cannot read as the reader does: text in a
number or date column, a choice or an id not typed as on the list. Blank words (N/A, TBD,
-) are blank to both and are not flagged.

Workbook-level names (defined by ``template``): AsOf, SchoolStart, SchoolEnd, AtRiskBand,
UpdateDueDay, PeriodEnds (a row of the twelve month-end dates) and BlankWords (the text
read as blank).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sheetsync.schema.cells import column_letter, quoted
from sheetsync.schema.layout import CHOICES, ID_PREFIXES, Column, Layout, SheetLayout
from sheetsync.schema.settings import AT_RISK_BAND, UPDATE_DUE_DAY, WORKBOOK_SETTINGS
from sheetsync.schema.vocabulary import (
    AT_RISK,
    CANCELLED,
    COMPLETE,
    DECREASE,
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

NAMES = ("AsOf", *(name for name, _ in WORKBOOK_SETTINGS), "PeriodEnds", "BlankWords")
LISTS_FIRST_ROW = 2  # the Lists sheet: one column per choice list, values from row 2


def _q(sheet: str) -> str:
    return quoted(sheet) if not sheet.isalnum() else sheet


class _Row:
    """Cell references of one row of a sheet, by column key: ``r.baseline`` -> '$F5'."""

    def __init__(self, sheet: SheetLayout, row: int) -> None:
        self.sheet = sheet
        self.row = row

    def __getattr__(self, key: str) -> str:
        return f"${self.sheet.column(key).letter}{self.row}"

    def points(self, ref: str) -> str:
        """A number cell's value in points: a percent-formatted 0.46 is 46."""
        return scaled(ref)

    def span(self, key: str) -> str:
        cols = [c for c in self.sheet.columns if c.key == key and c.period]
        return f"${cols[0].letter}{self.row}:${cols[-1].letter}{self.row}"


def scaled(ref: str) -> str:
    """``ref`` times 100 when its cell has a percent format, as the reader reads it."""
    return f'{ref}*IF(LEFT(CELL("format",{ref}),1)="P",100,1)'


_NESTED = r"(?:[^()]|\((?:[^()]|\([^()]*\))*\))*"  # a reference, INDEX(...MATCH(...)) at most
_SCALED = re.compile(r'\*IF\(LEFT\(CELL\("format",' + _NESTED + r'\),1\)="P",100,1\)')


def without_percent_formats(text: str) -> str:
    """A formula of this module reading numbers as stored: for Google Sheets, which has no
    CELL("format") (its reader reads unformatted values, so the two still agree)."""
    return _SCALED.sub("", text)


def _column_range(sheet: SheetLayout, key: str) -> str:
    col = sheet.column(key)
    return (f"{_q(sheet.name)}!${col.letter}${sheet.first_data_row}:"
            f"${col.letter}${sheet.last_data_row}")


def _worst(id_cell: str, keys: str, statuses: str) -> str:
    """The worst status among child rows whose key column equals ``id_cell``."""
    expr = f'"{NO_DATA}"'
    for status in reversed(SEVERITY_ORDER):  # the worst is tested first
        expr = f'IF(COUNTIFS({keys},{id_cell},{statuses},"{status}")>0,"{status}",{expr})'
    return expr


def latest_period(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """The month-end date of the latest actual not after the as-of month; 0 when none.

    Month ends increase along the row, so the largest qualifying one is the latest.
    """
    return (f'=IF({r.id}="","",SUMPRODUCT(MAX(ISNUMBER({r.span("actual")})'
            f"*(PeriodEnds<=EOMONTH(AsOf,0))*PeriodEnds)))")


def latest_actual(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    picked = f"INDEX({r.span('actual')},MATCH({r.latest_period},PeriodEnds,0))"
    return f'=IF(N({r.latest_period})=0,"",{r.points(picked)})'


def expected(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t, m = r.points(r.baseline), r.points(r.target), r.latest_period
    start = f"IF(ISNUMBER({r.baseline_date}),INT({r.baseline_date}),SchoolStart)"
    end = f"IF(ISNUMBER({r.target_date}),INT({r.target_date}),SchoolEnd)"
    interim = f"INDEX({r.span('interim_target')},MATCH({m},PeriodEnds,0))"
    share = f"IF({end}-{start}<=0,1,MIN(1,MAX(0,({m}-{start})/({end}-{start}))))"
    return (f'=IF(OR(N({m})=0,NOT(ISNUMBER({r.baseline})),NOT(ISNUMBER({r.target}))),"",'
            f"IF({t}={b},{t},IF(ISNUMBER({interim}),{r.points(interim)},"
            f"{b}+({t}-{b})*{share})))")


def progress(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t = r.points(r.baseline), r.points(r.target)
    return f'=IF({r.expected}="","",IF({t}={b},"",({r.latest_actual}-{b})/({t}-{b})))'


def measure_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t = r.points(r.baseline), r.points(r.target)
    a, p = r.latest_actual, r.progress
    end = f"IF(ISNUMBER({r.target_date}),INT({r.target_date}),SchoolEnd)"
    e = f"({r.expected}-{b})/({t}-{b})"
    d = f"TRIM({r.direction})"  # a choice is read ignoring case and spacing, as typed
    maintained = (f'IF({d}="{INCREASE}",{a}>={t},'
                  f'IF({d}="{DECREASE}",{a}<={t},{a}={t}))')
    judged = (f'IF({p}>=1,"{MET}",IF(AsOf>{end},"{NOT_MET}",IF({p}>={e},"{ON_TRACK}",'
              f'IF({p}>={e}-{AT_RISK_BAND.name},"{AT_RISK}","{OFF_TRACK}"))))')
    return (f'=IF({r.id}="","",IF({r.expected}="","{NO_DATA}",'
            f'IF({t}={b},IF({maintained},"{MET}","{OFF_TRACK}"),{judged})))')


def goal_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    measures = layout.sheet("measures")
    worst = _worst(r.id, _column_range(measures, "goal_id"), _column_range(measures, "status"))
    return f'=IF({r.id}="","",{worst})'


def strategic_goal_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    goals = layout.sheet("goals")
    worst = _worst(r.id, _column_range(goals, "strategic_goal_id"),
                   _column_range(goals, "status"))
    return f'=IF({r.id}="","",{worst})'


def goal_count(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    keys = _column_range(layout.sheet("goals"), "strategic_goal_id")
    return f'=IF({r.id}="","",COUNTIF({keys},{r.id}))'


def action_schedule(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    s = f"TRIM({r.status})"  # a choice is read ignoring case and spacing, as typed
    unset = f'OR({s}="",{_blank_word(r.status)},{s}="{NOT_STARTED}")'  # N/A is blank, as read
    return (f'=IF({r.id}="","",IF({s}="{COMPLETE}","{COMPLETE}",'
            f'IF({s}="{CANCELLED}","{CANCELLED}",'
            f'IF(IF(ISNUMBER({r.due_date}),INT({r.due_date})<AsOf,FALSE),"{OVERDUE}",'
            f'IF(AND(IF(ISNUMBER({r.start_date}),INT({r.start_date})<AsOf,FALSE),{unset}),'
            f'"{LATE_START}",IF({s}="{ON_HOLD}","{ON_HOLD}","{ON_SCHEDULE}"))))))')


def update_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    m, sub = r.month, r.submitted_on
    due = f"DATE(YEAR({m}),MONTH({m}),MIN({UPDATE_DUE_DAY.name},DAY(EOMONTH({m},0))))"
    return (f'=IF(NOT(ISNUMBER({m})),"",IF(ISNUMBER({sub}),'
            f'IF(INT({sub})>{due},"{LATE}","{ON_TIME}"),'
            f'IF(AsOf>{due},"{MISSING}","{NOT_DUE}")))')


# -- the Check column ----------------------------------------------------------------------


def _blank_word(ref: str) -> str:
    """TRUE when the text in ``ref`` is a blank word (N/A, TBD, -): compared with "=", which
    ignores case and knows no wildcards (COUNTIF would read '?' and '*' as patterns)."""
    return f"SUMPRODUCT(--(BlankWords=TRIM({ref})))>0"


def _typed_text(ref: str) -> str:
    """Text in ``ref`` that is not blank to the reader (not spaces, not a blank word)."""
    return f'AND(TRIM({ref})<>"",NOT({_blank_word(ref)}))'


def _choice_range(layout: Layout, choices: str) -> str:
    col = list(CHOICES).index(choices) + 1
    letter = column_letter(col)
    last = LISTS_FIRST_ROW + len(CHOICES[choices]) - 1
    return f"{_q(layout.lists_sheet)}!${letter}${LISTS_FIRST_ROW}:${letter}${last}"


def _loose_id(ref: str, entity: str) -> str:
    """An id the reader reads as another (spaces, a bare number, 'Goal1', 'G#1'); the
    formulas match ids as typed, ignoring case only."""
    prefix, long_names = ID_PREFIXES[entity]
    words = [prefix + sep for sep in ("#", "NO", "NO.", "NUMBER")]
    words += [w + sep for w in long_names for sep in ("", "#")]
    named = ",".join(f'AND(LEFT({ref},{len(w)})="{w}",ISNUMBER(--MID({ref},{len(w) + 1},99)))'
                     for w in words)
    return f'OR(ISNUMBER(FIND(" ",{ref})),ISNUMBER(--{ref}),{named})'


def _unreadable(layout: Layout, col: Column, ref: str) -> tuple[str, str]:
    """(condition, message) for a value in ``ref`` the formulas cannot read as the reader
    does. Conditions never raise: an error value in the cell is caught first."""
    text = _typed_text(ref)
    h = col.header
    if col.type == "number":
        return (f"IF(ISTEXT({ref}),{text},ISNUMBER({ref})+ISBLANK({ref})=0)",
                f'IF(ISTEXT({ref}),"Text in {h}","{h}")&": type a number"')
    if col.type == "date":
        return (f"IF(ISTEXT({ref}),{text},IF(ISNUMBER({ref}),OR({ref}<=0,{ref}>2958465),"
                f"NOT(ISBLANK({ref}))))",
                f'IF(ISTEXT({ref}),"Text in {h}","{h}")&": type a date"')
    shown = f'"{h} \'"&IFERROR({ref}&"","?")&"\''  # Status 'Done'...
    if col.choices:
        listed = f"SUMPRODUCT(--({_choice_range(layout, col.choices)}=TRIM({ref})))>0"
        return (f"IF(ISTEXT({ref}),AND({text},NOT({listed})),NOT(ISBLANK({ref})))",
                f'{shown}: pick from the list"')
    entity = col.ref or sheet_entity(layout, col)
    prefix = ID_PREFIXES[entity][0]
    fix = ": pick from the list" if col.ref else f": type it as {prefix}1, {prefix}2 …"
    return (f"IF(ISTEXT({ref}),AND({text},{_loose_id(ref, entity)}),NOT(ISBLANK({ref})))",
            f'{shown}{fix}"')


def sheet_entity(layout: Layout, col: Column) -> str:
    return next(s.entity for s in layout.sheets if col in s.columns)


def row_check(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """The first value in the row the formulas cannot read, as a short reason; else ""."""
    expr = '""'
    for col in reversed([c for c in sheet.columns if c.feeds_formulas]):
        condition, message = _unreadable(layout, col, f"${col.letter}{r.row}")
        expr = f"IF({condition},{message},{expr})"
    return "=" + expr


def as_of(layout: Layout, sheet: SheetLayout, cell: str) -> str:
    return f'=IF(ISNUMBER({cell}),INT({cell}),TODAY())'


BUILDERS: dict[str, Callable[[Layout, SheetLayout, _Row], str]] = {
    f.__name__: f for f in (latest_period, latest_actual, expected, progress, measure_status,
                            goal_status, strategic_goal_status, goal_count, action_schedule,
                            update_status, row_check)
}


def formula(layout: Layout, sheet: SheetLayout, key: str, row: int) -> str:
    """The formula of column ``key`` in ``row`` of ``sheet``."""
    return BUILDERS[sheet.column(key).formula or ""](layout, sheet, _Row(sheet, row))
