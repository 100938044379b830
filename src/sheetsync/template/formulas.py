"""The template's native formulas, built from the layout.

They implement ``status.py``'s rule with functions that Excel (Windows, Mac, the web and
mobile, any language), Google Sheets and LibreOffice 7.4 all have: no CELL, no INFO, no LET,
LAMBDA, XLOOKUP, FILTER, dynamic arrays or other ``_xlfn.`` functions
(``tests/template/test_portable_functions.py`` holds the list). SUMPRODUCT(MAX(...)) finds the
latest month with an actual, INDEX/MATCH picks values, COUNTIFS rolls statuses up. The
arithmetic is done in the same order as in Python so the two agree to the last bit; a date
typed with a time of day counts as its day (INT), as the reader reads it.

Numbers are read as stored: a formula cannot see a cell's number format in every
application. A measure's status is scale-free (progress is a ratio of differences), so a row
typed one way, 46 or 46% (stored 0.46), has the status ``check`` gives it (``check`` reads a
percent-formatted 0.46 as the 46 it shows). A % row that mixes the two cannot be read by the
formulas as ``check`` reads it: its Check column says so (``mixes_percent_scales``, mirrored by
``check``'s ``mixed-percent-scale``). See ``docs/values.md``.

Each sheet whose formulas read typed values ends with a Check column (``row_check``) that
names the first value in its row the formulas cannot read as the reader does: text in a
number or date column, a number too small to be a date, a choice or an id not typed as on the
list, a % row mixing scales (or a date typed into one of its number cells). Blank words
(N/A, TBD, -) are blank to both and are not flagged.
A row inserted by hand has no formulas: ``missing_formulas`` names it in a banner above the
sheet's header (A3), and the Check column of the goal (and strategic goal) it feeds says so.

Workbook-level names (defined by ``template``): AsOf, SchoolStart, SchoolEnd, AtRiskBand,
UpdateDueDay, PeriodEnds (a row of the twelve month-end dates) and BlankWords (the text
read as blank).
"""

from __future__ import annotations

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
    PERCENT,
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

    def span(self, key: str) -> str:
        cols = [c for c in self.sheet.columns if c.key == key and c.period]
        return f"${cols[0].letter}{self.row}:${cols[-1].letter}{self.row}"


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
    return f'=IF(N({r.latest_period})=0,"",{picked})'


def expected(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t, m = r.baseline, r.target, r.latest_period
    start = f"IF(ISNUMBER({r.baseline_date}),INT({r.baseline_date}),SchoolStart)"
    end = f"IF(ISNUMBER({r.target_date}),INT({r.target_date}),SchoolEnd)"
    interim = f"INDEX({r.span('interim_target')},MATCH({m},PeriodEnds,0))"
    share = f"IF({end}-{start}<=0,1,MIN(1,MAX(0,({m}-{start})/({end}-{start}))))"
    return (f'=IF(OR(N({m})=0,NOT(ISNUMBER({r.baseline})),NOT(ISNUMBER({r.target}))),"",'
            f"IF({t}={b},{t},IF(ISNUMBER({interim}),{interim},"
            f"{b}+({t}-{b})*{share})))")


def progress(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t = r.baseline, r.target
    return f'=IF({r.expected}="","",IF({t}={b},"",({r.latest_actual}-{b})/({t}-{b})))'


def measure_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t = r.baseline, r.target
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
    # A submission dated after the as-of does not count yet (as an actual after it does not)
    return (f'=IF(NOT(ISNUMBER({m})),"",IF(IF(ISNUMBER({sub}),INT({sub})<=AsOf,FALSE),'
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
    if col.type == "date":  # a number before 2000 is not a date a plan means (45 is 1900)
        return (f"IF(ISTEXT({ref}),{text},IF(ISNUMBER({ref}),OR({ref}<{FIRST_DATE},"
                f"{ref}>{LAST_DATE}),NOT(ISBLANK({ref}))))",
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
    """The first value in the row the formulas cannot read, as a short reason; else "".
    Month columns are read by their helper columns (``period_check``), in column order."""
    expr = _ROW_RULES.get(sheet.entity, lambda *_: '""')(layout, sheet, r)
    helpers = [c for c in sheet.columns if c.formula == "period_check"]
    for helper in reversed(helpers):
        ref = f"${helper.letter}{r.row}"
        expr = f'IF({ref}<>"",{ref},{expr})'
    by_helper = {_PERIOD_KEYS[h.key] for h in helpers}
    for col in reversed([c for c in sheet.columns
                         if c.feeds_formulas and not (c.period and c.key in by_helper)]):
        condition, message = _unreadable(layout, col, f"${col.letter}{r.row}")
        expr = f"IF({condition},{message},{expr})"
    return "=" + expr


_PERIOD_KEYS = {"actual_check": "actual", "interim_check": "interim_target"}  # helper -> months


def period_check(layout: Layout, sheet: SheetLayout, r: _Row, key: str) -> str:
    """The first of a row's month columns ``key`` (actual, interim_target) the formulas
    cannot read, as the Check column words it; else ""."""
    expr = '""'
    for col in reversed([c for c in sheet.columns if c.key == key and c.period]):
        condition, message = _unreadable(layout, col, f"${col.letter}{r.row}")
        expr = f"IF({condition},{message},{expr})"
    return "=" + expr


# A % row mixes scales when one of its positive values is at most 1/MIX_FACTOR of its
# largest: 0.58 (58% typed) beside 50, or 0.006 (0.6%) beside 0.8. Values typed one way
# differ less (a rate from 0.8 to 1.2, a share from 30 to 90).
MIX_FACTOR = 20
FIRST_DATE = 36526  # 2000-01-01: a number below it in a date column is not a plan's date
LAST_DATE = 2958465  # 9999-12-31


def _percent_values(r: _Row) -> list[str]:
    """The cells of a measure row whose numbers share the measure's scale."""
    return [r.baseline, r.target, r.span("actual"), r.span("interim_target")]


def mixes_percent_scales(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """A % row's check after its cells' own: two scales in one row (see MIX_FACTOR) — a %
    typed as 58% (0.58) beside 58, or a date typed into a number cell (46341 beside 58);
    ``check`` mirrors it (``mixed-percent-scale``)."""
    cells = _percent_values(r)
    largest = f"MAX({','.join(cells)})"
    small = "+".join(f'COUNTIFS({c},">0",{c},"<="&{largest}/{MIX_FACTOR})' for c in cells)
    return (f'IF(TRIM({r.unit})<>"{PERCENT}","",IF(AND({largest}>0,{small}>0),'
            f'"{MIXED_SCALES}",""))')


MIXED_SCALES = ("Values 20 times apart (58% typed beside 58, or a date?): type every % of "
                "this measure one way")


def _no_formula_rows(sheet: SheetLayout, other: str = "") -> str:
    """1 for each row of ``sheet`` that holds its key but none of its formulas (a row a
    person inserted), as a SUMPRODUCT term; ``other`` narrows it (``*(...)``)."""
    key, sentinel, check = (_column_range(sheet, k) for k in
                            (_KEYS[sheet.entity], _SENTINELS[sheet.entity], "row_check"))
    return f'({key}<>"")*({sentinel}="")*({check}=""){other}'


def _children_without_formulas(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """A goal's check after its cells' own: a measure of it in a row with no formulas."""
    measures = layout.sheet("measures")
    rows = _no_formula_rows(measures, f"*({_column_range(measures, 'goal_id')}={r.id})")
    first_row = f"SUMPRODUCT(MAX({rows}*ROW({_column_range(measures, 'goal_id')})))"
    return (f'IF(SUMPRODUCT({rows})>0,"{MEASURES_ROW} "&{first_row}&'
            f'" has no formulas: this status leaves it out","")')


def _goals_without_formulas(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """A strategic goal's check after its cells' own: a goal of it flagged for a measure
    row with no formulas."""
    goals = layout.sheet("goals")
    flagged = (f"SUMPRODUCT(({_column_range(goals, 'strategic_goal_id')}={r.id})*"
               f'(LEFT({_column_range(goals, "row_check")},{len(MEASURES_ROW)})='
               f'"{MEASURES_ROW}"))')
    return (f'IF({flagged}>0,"A goal of it has a measure row with no formulas: see Goals",'
            '"")')


MEASURES_ROW = "Measures row"
_ROW_RULES: dict[str, Callable[[Layout, SheetLayout, _Row], str]] = {
    "measures": mixes_percent_scales, "goals": _children_without_formulas,
    "strategic_goals": _goals_without_formulas}
# Each sheet with formulas: the column that names a row, and a computed column that is never
# empty in a row with that name and its formulas (a row without them is empty there).
_KEYS = {"strategic_goals": "id", "goals": "id", "measures": "id", "actions": "id",
         "monthly_updates": "month"}
_SENTINELS = {"strategic_goals": "status", "goals": "status", "measures": "status",
              "actions": "schedule", "monthly_updates": "update_status"}
BANNER_CELL = "A3"


def missing_formulas(sheet: SheetLayout) -> str | None:
    """The banner above a sheet's header naming the last row that holds values but no
    formulas (a row inserted by hand); None for a sheet without formulas."""
    if sheet.entity not in _SENTINELS or not any(c.key == "row_check" for c in sheet.columns):
        return None
    rows = _no_formula_rows(sheet)
    key = _column_range(sheet, _KEYS[sheet.entity])
    return (f'=IFERROR(IF(SUMPRODUCT({rows})=0,"","Row "&SUMPRODUCT(MAX({rows}*ROW({key})))&'
            f'" holds values but no formulas (a row inserted by hand): copy the grey computed '
            f'cells of a prepared row into it."),"")')


def unreadable_date(layout: Layout, cell: str) -> str:
    """Beside a profile date the formulas read (the status date): why they cannot read it."""
    return (f'=IF(ISTEXT({cell}),IF({_typed_text(cell)},"The formulas cannot read this date: '
            f'type it as a date such as 2027-01-31. Until then they use today.",""),'
            f'IF(ISNUMBER({cell}),IF(OR({cell}<{FIRST_DATE},{cell}>{LAST_DATE}),'
            f'"Not a date: type a date such as 2027-01-31.",""),""))')


def as_of(layout: Layout, sheet: SheetLayout, cell: str) -> str:
    return f'=IF(ISNUMBER({cell}),INT({cell}),TODAY())'


BUILDERS: dict[str, Callable[[Layout, SheetLayout, _Row], str]] = {
    f.__name__: f for f in (latest_period, latest_actual, expected, progress, measure_status,
                            goal_status, strategic_goal_status, goal_count, action_schedule,
                            update_status, row_check)
}


def formula(layout: Layout, sheet: SheetLayout, key: str, row: int) -> str:
    """The formula of column ``key`` in ``row`` of ``sheet``."""
    build = sheet.column(key).formula or ""
    if build == "period_check":
        return period_check(layout, sheet, _Row(sheet, row), _PERIOD_KEYS[key])
    return BUILDERS[build](layout, sheet, _Row(sheet, row))
