"""The template's native formulas, built from the layout.

They implement ``status.py``'s rule with functions Excel, Google Sheets and LibreOffice 7.4
share (no LET, LAMBDA, XLOOKUP, FILTER or dynamic arrays): SUMPRODUCT(MAX(...)) finds the
latest month with an actual, INDEX/MATCH picks values, COUNTIFS rolls statuses up. The
arithmetic is done in the same order as in Python so the two agree to the last bit.

Workbook-level names (defined by ``template``): AsOf, SchoolStart, SchoolEnd, AtRiskBand,
UpdateDueDay and PeriodEnds (a row of the twelve month-end dates).
"""

from __future__ import annotations

from collections.abc import Callable

from .layout import Layout, SheetLayout

NAMES = ("AsOf", "SchoolStart", "SchoolEnd", "AtRiskBand", "UpdateDueDay", "PeriodEnds")


def _q(sheet: str) -> str:
    return f"'{sheet}'" if not sheet.isalnum() else sheet


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
    expr = '"No Data"'
    for status in ("Met", "On Track", "At Risk", "Off Track", "Not Met"):
        expr = f'IF(COUNTIFS({keys},{id_cell},{statuses},"{status}")>0,"{status}",{expr})'
    return expr


def latest_period(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    """The month-end date of the latest actual not after the as-of month; 0 when none.

    Month ends increase along the row, so the largest qualifying one is the latest.
    """
    return (f'=IF({r.id}="","",SUMPRODUCT(MAX(ISNUMBER({r.span("actual")})'
            f"*(PeriodEnds<=EOMONTH(AsOf,0))*PeriodEnds)))")


def latest_actual(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    return (f'=IF(N({r.latest_period})=0,"",'
            f"INDEX({r.span('actual')},MATCH({r.latest_period},PeriodEnds,0)))")


def expected(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t, m = r.baseline, r.target, r.latest_period
    start = f"IF(ISNUMBER({r.baseline_date}),{r.baseline_date},SchoolStart)"
    end = f"IF(ISNUMBER({r.target_date}),{r.target_date},SchoolEnd)"
    interim = f"INDEX({r.span('interim_target')},MATCH({m},PeriodEnds,0))"
    share = f"IF({end}-{start}<=0,1,MIN(1,MAX(0,({m}-{start})/({end}-{start}))))"
    return (f'=IF(OR(N({m})=0,NOT(ISNUMBER({b})),NOT(ISNUMBER({t}))),"",'
            f"IF({t}={b},{t},IF(ISNUMBER({interim}),{interim},{b}+({t}-{b})*{share})))")


def progress(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t = r.baseline, r.target
    return f'=IF(OR({r.expected}="",{t}={b}),"",({r.latest_actual}-{b})/({t}-{b}))'


def measure_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    b, t, a, p = r.baseline, r.target, r.latest_actual, r.progress
    end = f"IF(ISNUMBER({r.target_date}),{r.target_date},SchoolEnd)"
    e = f"({r.expected}-{b})/({t}-{b})"
    maintained = (f'IF({r.direction}="increase",{a}>={t},'
                  f'IF({r.direction}="decrease",{a}<={t},{a}={t}))')
    judged = (f'IF({p}>=1,"Met",IF(AsOf>{end},"Not Met",IF({p}>={e},"On Track",'
              f'IF({p}>={e}-AtRiskBand,"At Risk","Off Track"))))')
    return (f'=IF({r.id}="","",IF({r.expected}="","No Data",'
            f'IF({t}={b},IF({maintained},"Met","Off Track"),{judged})))')


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
    s = r.status
    return (f'=IF({r.id}="","",IF(OR({s}="Complete",{s}="Cancelled"),{s},'
            f'IF(AND(ISNUMBER({r.due_date}),{r.due_date}<AsOf),"Overdue",'
            f'IF(AND(ISNUMBER({r.start_date}),{r.start_date}<AsOf,OR({s}="",{s}="Not Started")),'
            f'"Late Start",IF({s}="On Hold","On Hold","On Schedule")))))')


def update_status(layout: Layout, sheet: SheetLayout, r: _Row) -> str:
    m, sub = r.month, r.submitted_on
    due = f"DATE(YEAR({m}),MONTH({m}),MIN(UpdateDueDay,DAY(EOMONTH({m},0))))"
    return (f'=IF(NOT(ISNUMBER({m})),"",IF(ISNUMBER({sub}),IF({sub}>{due},"Late","On Time"),'
            f'IF(AsOf>{due},"Missing","Not Due")))')


def as_of(layout: Layout, sheet: SheetLayout, cell: str) -> str:
    return f'=IF(ISNUMBER({cell}),{cell},TODAY())'


BUILDERS: dict[str, Callable[[Layout, SheetLayout, _Row], str]] = {
    f.__name__: f for f in (latest_period, latest_actual, expected, progress, measure_status,
                            goal_status, strategic_goal_status, goal_count, action_schedule,
                            update_status)
}


def formula(layout: Layout, sheet: SheetLayout, key: str, row: int) -> str:
    """The formula of column ``key`` in ``row`` of ``sheet``."""
    return BUILDERS[sheet.column(key).formula or ""](layout, sheet, _Row(sheet, row))
