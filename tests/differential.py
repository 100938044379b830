"""The differential test's parts, shared by its engines: the typed rows ``hypothesis``
generates, the workbook they are written into, and the comparison of a workbook's computed
values with ``check``'s.

``tests/check/test_differential.py`` has LibreOffice recalculate each workbook;
``tests/check/test_formula_engine.py`` has the ``formulas`` package (``tests/formula_engine.py``)
do it. Both compare the same way: status, progress and expected equal at 15 significant digits
(as a spreadsheet compares), or the row's Check cell is non-empty AND ``check`` has a reading
finding at a cell its formulas read; never a row flagged in one place only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel

from sheetsync.check.assess import CheckResult, check_workbook
from sheetsync.schema.findings import Severity
from sheetsync.schema.layout import Layout
from sheetsync.schema.schoolyear import period_date
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic

AS_OF = date(2027, 1, 20)
LAYOUT = scorecard_layout("2026-27")
PERIODS = LAYOUT.periods
SHEETS = {s.entity: s for s in LAYOUT.sheets}
# Findings that say a value could not be read as typed: what the Check column mirrors.
READ_CODES = frozenset({"formula-cannot-read", "not-a-number", "not-a-date", "not-a-year",
                        "invalid-choice", "formula-error", "ambiguous-number",
                        "number-in-date-cell", "mixed-percent-scale"})
# A row a person inserted by hand: written, then its computed cells emptied (no formulas).
INSERTED = "_inserted"
# The Check column of a goal (and its strategic goal) whose measure row has no formulas.
NO_FORMULAS_FLAGS = ("Measures row", "A goal of it has")
MIX_FACTOR = 20  # the sheet's rule for a % row mixing scales (template/formulas.py)


@dataclass(frozen=True)
class Formatted:
    """A number typed into a cell with a number format (46% is 0.46 formatted "0%")."""

    value: float
    number_format: str = "0%"


# -- writing and recalculating ----------------------------------------------------------


def plain(rows: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``rows`` with each ``Formatted`` value as the number stored in its cell (0.46)."""
    return {e: [{k: (v.value if isinstance(v, Formatted) else v) for k, v in row.items()
                 if not k.startswith("_")} for row in rs] for e, rs in rows.items()}


def is_percent(value: Any) -> bool:
    """A value typed so that its cell shows a percentage (46% is 0.46 formatted "0%")."""
    return isinstance(value, Formatted) and "%" in value.number_format.replace('"%"', "")


def number_cells(row: Mapping[str, Any]) -> list[Any]:
    """A measure row's values that share its scale: baseline, target, interims, actuals."""
    return [v for k, v in row.items()
            if k in ("baseline", "target") or k.startswith(("actual:", "interim_target:"))]


def stored(value: Any) -> float | None:
    """The number a formula reads in the cell ``value`` was typed into (None: text, blank)."""
    v = value.value if isinstance(value, Formatted) else value
    if isinstance(v, datetime | date):  # a date typed into a number cell: its serial
        return float(to_excel(datetime(v.year, v.month, v.day)))  # Excel's 1900 leap day
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def serial(value: Any) -> Any:
    """A computed number the engine formatted as a date (a formula picking a date-formatted
    cell takes its format) as the number it is."""
    if isinstance(value, datetime | date):
        return stored(value)
    return value


def sheet_sees_mixed_scales(row: Mapping[str, Any]) -> bool:
    """The sheet's rule (template/formulas.py ``mixes_percent_scales``), on what is stored."""
    positive = [v for v in map(stored, number_cells(row)) if v is not None and v > 0]
    return bool(positive) and min(positive) * MIX_FACTOR <= max(positive)


def percent_scale(row: Mapping[str, Any]) -> float:
    """What the sheet's Latest Actual and Expected are multiplied by to read as ``check``
    reads them: 100 in a % measure typed as percentages (0.46 is 46%), else 1."""
    numbers = [v for v in number_cells(row) if stored(v)]
    if str(row.get("unit")).strip() == "%" and numbers and all(map(is_percent, numbers)):
        return 100.0
    return 1.0


def fitted(rows: Mapping[str, list[dict[str, Any]]], layout: Layout = LAYOUT) -> Layout:
    """``layout`` with as many prepared rows on each sheet as ``rows`` fill (one at least):
    the same columns and cells, fewer formulas for an engine to read."""
    sheets = tuple(s if s.fields else replace(s, capacity=max(1, len(rows.get(s.entity, ()))))
                   for s in layout.sheets)
    return replace(layout, sheets=sheets)


def write(path: Path, rows: Mapping[str, list[dict[str, Any]]], layout: Layout = LAYOUT,
          edit: Callable[[openpyxl.Workbook], None] | None = None) -> Path:
    """The template filled with ``rows``; a ``Formatted`` value gets its cell's format.
    ``layout`` may prepare fewer rows (``fitted``); ``edit`` changes the workbook before it
    is saved."""
    wb = build_template(layout, profile={"district_id": "KY-1", "district_name": "Test",
                                         "as_of": AS_OF}, rows=plain(rows))
    for entity, rs in rows.items():
        sheet = SHEETS[entity]
        ws = wb[sheet.name]
        for i, row in enumerate(rs):
            for slot, value in row.items():
                if isinstance(value, Formatted):
                    key, _, period = slot.partition(":")
                    col = sheet.column(key, period or None)
                    ws[f"{col.letter}{sheet.first_data_row + i}"].number_format = \
                        value.number_format
    for entity, rs in rows.items():  # rows inserted by hand: values, no formulas
        sheet = SHEETS[entity]
        for i, row in enumerate(rs):
            if row.get(INSERTED):
                for col in sheet.columns:
                    if not col.is_input:
                        wb[sheet.name][f"{col.letter}{sheet.first_data_row + i}"] = None
    if edit:
        edit(wb)
    return save_atomic(wb, path)


# -- comparing ----------------------------------------------------------------------------


@dataclass
class Compared:
    """One workbook: what ``check`` made of it and the values an engine computed."""

    result: CheckResult
    computed: dict[str, list[dict[str, Any]]]  # entity -> one dict per written row

    def check_flags(self, entity: str, i: int) -> list[str]:
        """The reading findings ``check`` has at cells the formulas read in row ``i``."""
        sheet = SHEETS[entity]
        letters = {c.letter for c in sheet.columns if c.feeds_formulas}
        row = sheet.first_data_row + i
        return [f"{f.code} {f.cell}" for f in self.result.findings
                if f.sheet == sheet.name and f.row == row and f.column in letters
                and f.code in READ_CODES and f.severity != Severity.INFO]

    def sheet_flag(self, entity: str, i: int) -> str:
        return str(self.computed[entity][i].get("row_check") or "")

    def without_formulas(self, entity: str) -> list[int]:
        """The rows of ``entity`` ``check`` says hold values but no formulas."""
        sheet = SHEETS[entity]
        return [int(f.row) for f in self.result.findings
                if f.sheet == sheet.name and f.code == "row-without-formulas"]

    def flag_mismatch(self, entity: str, i: int) -> str | None:
        """Why the row is flagged in one place only; None when both or neither flag it."""
        check, sheet = self.check_flags(entity, i), self.sheet_flag(entity, i)
        if sheet.startswith(NO_FORMULAS_FLAGS) and self.without_formulas("measures"):
            return None  # a goal's measure row has no formulas: check says it at that row
        if bool(check) == bool(sheet):
            return None
        return (f"{SHEETS[entity].name} row {SHEETS[entity].first_data_row + i}: "
                f"Check column {sheet!r}, check's findings {check}")

    def flagged(self, entity: str, i: int) -> bool:
        """Flagged in both places (asserting it is not flagged in one place only)."""
        mismatch = self.flag_mismatch(entity, i)
        assert mismatch is None, mismatch
        return bool(self.sheet_flag(entity, i))


Values = Callable[[str, str], Any]  # (sheet name, cell such as "Q5") -> the computed value


def compare(source: Path, recalculated: Path, rows: Mapping[str, list[dict[str, Any]]]
            ) -> Compared:
    """``check`` on ``source`` and the values in ``recalculated`` (a workbook an engine
    recalculated and saved)."""
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    return compare_values(source, lambda sheet, cell: wb[sheet][cell].value, rows)


def compare_values(source: Path, value: Values, rows: Mapping[str, list[dict[str, Any]]]
                   ) -> Compared:
    """``check`` on ``source`` and the computed cells of every written row, as ``value``
    gives them."""
    computed = {}
    for entity, rs in rows.items():
        sheet = SHEETS[entity]
        computed[entity] = [{c.key: value(sheet.name, f"{c.letter}{sheet.first_data_row + i}")
                             for c in sheet.columns if not c.is_input}
                            for i in range(len(rs))]
    return Compared(check_workbook(str(source)), computed)


def sig15(value: Any) -> str | None:
    """A number as a spreadsheet shows it at full precision (15 significant digits)."""
    if value in (None, ""):
        return None
    return f"{float(value):.15g}"


def same_at_15_digits(sheet: Any, ours: Any) -> bool:
    """LibreOffice saves a value rounded to 15 significant digits, half up from its
    17-digit form (1.025041736227045 is saved as ...705, while Python's correctly rounded
    15 digits are ...704): equal, or one unit of the 15th digit apart."""
    a, b = sig15(sheet), sig15(ours)
    if a is None or b is None:
        return a == b
    return math.isclose(float(a), float(b), rel_tol=1e-14, abs_tol=1e-13)


Excuse = Callable[[Compared, int], bool]  # (compared, measure row index) -> excused


def disagreements(c: Compared, rows: Mapping[str, list[dict[str, Any]]],
                  excuse: Excuse | None = None) -> list[str]:
    """Every row that is not equal in both and not flagged in both, and every row flagged
    in one place only, each said in a line. A measure whose statuses differ where
    ``excuse`` says why an engine may differ is left out, with its goal, as a flagged one."""
    out: list[str] = []
    result = c.result

    def flagged(entity: str, i: int) -> bool:
        mismatch = c.flag_mismatch(entity, i)
        if mismatch:
            out.append(f"{mismatch}; typed {rows[entity][i]}")
        return bool(c.sheet_flag(entity, i) or c.check_flags(entity, i))

    for entity, rs in rows.items():  # a row inserted by hand: nothing computed, check says so
        sheet = SHEETS[entity]
        if all(row.get(INSERTED) for row in rs):
            continue  # no row of the sheet has formulas: a values-only sheet, said nowhere
        for i, row in enumerate(rs):
            r = sheet.first_data_row + i
            if row.get(INSERTED) and r not in c.without_formulas(entity):
                out.append(f"{sheet.name} row {r} has no formulas and check does not say so")

    flagged_measures = set()
    first = SHEETS["measures"].first_data_row
    for i, row in enumerate(rows.get("measures", [])):
        if row.get(INSERTED):
            flagged_measures.add(row["id"])
            continue
        if _check_only_scales(c, i, row):
            flagged_measures.add(row["id"])  # the one case the sheet cannot see (README)
            continue
        if flagged("measures", i):
            flagged_measures.add(row["id"])
            continue
        ours, theirs = result.measures[row["id"]], c.computed["measures"][i]
        scale = percent_scale(row)
        scaled = {k: (v * scale if isinstance(v := serial(theirs[k]), int | float) else v)
                  for k in ("expected", "latest_actual")} | {"progress": theirs["progress"]}
        numbers = ("expected", "progress", "latest_actual")
        got = {"status": theirs["status"], **{k: sig15(scaled[k]) for k in numbers}}
        want = {"status": ours.status, **{k: sig15(getattr(ours, k)) for k in numbers}}
        if got["status"] != want["status"] and excuse and excuse(c, i):
            flagged_measures.add(row["id"])
            continue
        if got["status"] != want["status"] or not all(
                same_at_15_digits(scaled[k], getattr(ours, k)) for k in numbers):
            out.append(f"Measures row {first + i}: sheet {got}, check {want}; typed {row}")
    measures_read = {m.id: m.goal_id for m in result.card.measures}
    tainted_goals: set[int] = set()  # goal rows whose roll-up takes in a flagged row
    for i, row in enumerate(rows.get("goals", [])):
        if flagged("goals", i) or i >= len(result.card.goals):
            tainted_goals.add(i)
            continue
        gid = result.card.goals[i].id
        if any(_names(r["goal_id"], measures_read.get(r["id"]), row["id"], gid)
               for r in rows.get("measures", []) if r["id"] in flagged_measures):
            tainted_goals.add(i)  # that measure's row says so
            continue
        if c.computed["goals"][i]["status"] != result.goals[gid]:
            out.append(f"Goals row {i + 5}: sheet {c.computed['goals'][i]['status']}, "
                       f"check {result.goals[gid]}; typed {row}")
    goals_read = [g.strategic_goal_id for g in result.card.goals]
    for i, row in enumerate(rows.get("strategic_goals", [])):
        if flagged("strategic_goals", i) or i >= len(result.card.strategic_goals):
            continue
        sid = result.card.strategic_goals[i].id
        if any(_names(g["strategic_goal_id"], goals_read[j] if j < len(goals_read) else None,
                      row["id"], sid)
               for j, g in enumerate(rows.get("goals", [])) if j in tainted_goals):
            continue
        sheet = c.computed["strategic_goals"][i]["status"]
        if sheet != result.strategic_goals[sid]:
            out.append(f"Strategic Goals row {i + 5}: sheet {sheet}, "
                       f"check {result.strategic_goals[sid]}; typed {row}")
    for i, row in enumerate(rows.get("actions", [])):
        if not row.get(INSERTED) and not flagged("actions", i) and \
                c.computed["actions"][i]["schedule"] != result.schedules[row["id"]]:
            out.append(f"Actions row {i + 5}: sheet {c.computed['actions'][i]['schedule']}, "
                       f"check {result.schedules[row['id']]}; typed {row}")
    for i, row in enumerate(rows.get("monthly_updates", [])):
        if flagged("monthly_updates", i) or not isinstance(row["month"], date):
            continue
        sheet, period = c.computed["monthly_updates"][i], row["month"].strftime("%Y-%m")
        if period in result.updates and sheet["update_status"] != result.updates[period]:
            out.append(f"Monthly Updates row {i + 5}: sheet {sheet['update_status']}, "
                       f"check {result.updates[period]}; typed {row}")
    return out


def _check_only_scales(c: Compared, i: int, row: Mapping[str, Any]) -> bool:
    """A % row whose cells' formats mix 46 and 46% while its values are too close for the
    sheet's rule to see it (0.8 beside 5%): ``check`` alone says `mixed-percent-scale`, the
    one flag the sheet cannot raise (it cannot see formats). Asserted to be exactly that."""
    flags = c.check_flags("measures", i)
    if c.sheet_flag("measures", i) or not flags:
        return False
    if not all(f.startswith("mixed-percent-scale") for f in flags):
        return False
    typed = [v for v in number_cells(row) if stored(v)]
    mixed_formats = any(map(is_percent, typed)) and not all(map(is_percent, typed))
    return mixed_formats and not sheet_sees_mixed_scales(row)


def _names(raw: Any, read: str | None, parent_raw: Any, parent_read: str) -> bool:
    """Whether a child row's key names the parent, to the reader or to the formulas."""
    return read == parent_read or str(raw).lower() == str(parent_raw).lower()


def assert_agree(c: Compared, rows: Mapping[str, list[dict[str, Any]]],
                 excuse: Excuse | None = None) -> None:
    """Every row: equal, or flagged in both places; and never flagged in one place only."""
    found = disagreements(c, rows, excuse)
    assert not found, "\n".join(["The workbook and check disagree:", *found])


# -- generating typed rows -----------------------------------------------------------------

BLANK_WORDS = ["N/A", "TBD", "-", "—", "n/a", "  "]


def weighted(common: st.SearchStrategy[Any], odd: st.SearchStrategy[Any],
             common_share: int = 3) -> st.SearchStrategy[Any]:
    return st.one_of(*[common] * common_share, odd)


def typed_numbers(low: int = 0, high: int = 100) -> st.SearchStrategy[Any]:
    tenths = st.integers(low * 10, high * 10).map(lambda n: n / 10)
    plain = st.one_of(st.integers(low, high), tenths)
    odd = st.one_of(
        st.none(),
        st.builds(lambda n, f: Formatted(n / 100, f), st.integers(0, 100),  # 46% typed
                  st.sampled_from(["0%", "0%", "0.0%", "#,##0.0%", '0"%"', "0.00"])),
        st.sampled_from([0.5, 0.8, 0.25, 0.05]),  # rates below 1 are rates
        st.sampled_from(["45", "45%", " 46 ", "226,5", "1,200", "12,500.50", "$500", "40.5"]),
        st.sampled_from(BLANK_WORDS),
        st.sampled_from([450, -5, 150, 1e6, "soon", "#N/A"]),
        st.sampled_from([Formatted(45, "yyyy-mm-dd"),  # a number in a date-formatted cell
                         datetime(2026, 11, 15)]),  # 11/15 typed: Excel makes it a date
    )
    return weighted(plain, odd)


def typed_dates(low: date = date(2026, 7, 1), high: date = date(2027, 8, 31)
                ) -> st.SearchStrategy[Any]:
    days = st.dates(low, high)
    as_text = st.builds(lambda d, f: f(d), days, st.sampled_from([
        lambda d: f"{d.month}/{d.day}/{d.year}", lambda d: f"{d:%B} {d.day}, {d.year}",
        lambda d: d.isoformat(), lambda d: f"{d:%b} {d.day}, {d.year}",
        lambda d: f"{d:%d.%m.%Y}", lambda d: f"{d.day} {d:%B %Y}"]))
    with_time = st.builds(lambda d, h: datetime(d.year, d.month, d.day, h, 30), days,
                          st.integers(0, 23))  # exported with a time of day: its day counts
    return weighted(st.one_of(st.none(), days), st.one_of(
        as_text, with_time, st.sampled_from([*BLANK_WORDS, "next spring", "#N/A"]),
        st.sampled_from([45, 3, 2027])), 2)  # a number where a date belongs


def loose_ids(prefix: str, n: int) -> st.SearchStrategy[Any]:
    """An id as typed: 'G1', or as people type it: 'g1', 'g1 ', 'Goal 1', 'GOAL1', 1."""
    long_name = {"G": "Goal", "SG": "Strategic Goal"}[prefix]
    return st.integers(1, n).flatmap(lambda k: weighted(st.just(f"{prefix}{k}"), st.sampled_from(
        [f"{prefix.lower()}{k}", f"{prefix.lower()}{k} ", f" {prefix}{k}", f"{long_name} {k}",
         f"{long_name.replace(' ', '').upper()}{k}", f"{prefix} {k}", k, str(k),
         f"{prefix}#{k}"])))


def choices(listed: list[str], odd: list[Any]) -> st.SearchStrategy[Any]:
    return weighted(st.sampled_from(listed), st.sampled_from(odd))


@st.composite
def measure_rows(draw: st.DrawFn, i: int) -> dict[str, Any]:
    row = {"id": f"M{i}", "goal_id": draw(loose_ids("G", 5)), "name": f"Measure {i}",
           "unit": draw(st.sampled_from(["%", "count", "rate", "score", "percent"])),
           "direction": draw(choices([None, "increase", "decrease"],
                                     ["Increase", "up", "down", "N/A", "decrease "])),
           "baseline": draw(typed_numbers()), "target": draw(typed_numbers()),
           "baseline_date": draw(st.one_of(st.none(), st.none(), typed_dates())),
           "target_date": draw(st.one_of(st.none(), st.none(), typed_dates())),
           "frequency": "monthly"}
    if draw(st.integers(0, 4)) == 0:  # the flat case: target equals baseline
        row["target"] = row["baseline"]
    for p in draw(st.sets(st.sampled_from(PERIODS), max_size=5)):  # future months too
        row[f"actual:{p}"] = draw(typed_numbers())
    for p in draw(st.sets(st.sampled_from(PERIODS[:7]), max_size=2)):
        row[f"interim_target:{p}"] = draw(typed_numbers())
    if draw(st.integers(0, 14)) == 14:  # inserted by hand: no formulas
        row[INSERTED] = True
    return row


@st.composite
def action_rows(draw: st.DrawFn, i: int) -> dict[str, Any]:
    return {"id": f"A{i}", "goal_id": "G1", "description": f"Action {i}",
            "status": draw(choices(
                [None, "Not Started", "In Progress", "Complete", "On Hold", "Cancelled"],
                ["Done", "complete", "Complete ", "canceled", "N/A", "started", 1])),
            "start_date": draw(st.one_of(st.none(), typed_dates())),
            "due_date": draw(typed_dates()),
            **({INSERTED: True} if draw(st.integers(0, 14)) == 14 else {})}


@st.composite
def update_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    months = draw(st.lists(st.sampled_from(LAYOUT.update_periods), unique=True, max_size=9))
    return [{"month": draw(weighted(st.just(period_date(p).replace(day=1)),
                                    st.just(f"{period_date(p):%b %Y}"), 4)),
             "submitted_on": draw(st.one_of(st.none(), typed_dates(
                 period_date(p).replace(day=1), date(2027, 7, 31))))}
            for p in months]


@st.composite
def workbooks(draw: st.DrawFn, measures: tuple[int, int] = (10, 60),
              actions: tuple[int, int] = (5, 40)) -> dict[str, list[dict[str, Any]]]:
    """One workbook of typed rows: goals G1-G4 (some typed loosely), 10-60 measures,
    5-40 actions (or as many as given) and some monthly updates."""
    goals = [{"id": draw(weighted(st.just(f"G{k}"), st.sampled_from(
                  [f"g{k}", f"G{k} ", f"Goal {k}", f"GOAL{k}"]), 5)),
              "strategic_goal_id": draw(loose_ids("SG", 2)), "cdip_goal_id": "CG1",
              "statement": f"Goal {k}"} for k in range(1, 5)]
    n_measures = draw(st.integers(*measures))
    n_actions = draw(st.integers(*actions))
    return {"strategic_goals": [{"id": "SG1", "title": "x"}, {"id": "SG2", "title": "y"}],
            "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "x"}],
            "goals": goals,
            "measures": [draw(measure_rows(i)) for i in range(1, n_measures + 1)],
            "actions": [draw(action_rows(i)) for i in range(1, n_actions + 1)],
            "monthly_updates": draw(update_rows())}


# -- issue 9's reproductions, each a row of one workbook ---------------------------------

def _measure(mid: str, b: Any, t: Any, actuals: Mapping[str, Any], goal: Any = "G1",
             unit: str = "%", **more: Any) -> dict[str, Any]:
    return {"id": mid, "goal_id": goal, "name": mid, "unit": unit, "baseline": b,
            "target": t, "frequency": "monthly",
            **{f"actual:{p}": v for p, v in actuals.items()}, **more}


REPRODUCTIONS = {
    "measures": [
        _measure("M1", 40, 50, {"2026-12": Formatted(0.46)}),
        _measure("M2", 40, 50, {"2026-12": 46}, baseline_date="9/1/2026"),
        _measure("M3", 40, 50, {"2026-12": 46}, target_date="June 1, 2027"),
        _measure("M4", 40, 50, {"2026-12": 46}, target_date="2026-12-15"),
        _measure("M5", 40, 50, {"2026-12": 46}, goal="g1 "),
        _measure("M6", 10, 20, {"2026-12": 17}, unit="count",
                 **{"interim_target:2026-12": 18}),
        _measure("M7", 2, 0.5, {"2026-12": 0.8}, direction="decrease"),
        _measure("M8", 200, 250, {"2026-12": "226,5"}, unit="score"),
        _measure("M9", 40, 50, {"2026-12": "46"}),
        _measure("M10", 40, 50, {"2026-11": "N/A", "2026-12": 46}, direction="—",
                 target_date="TBD"),
    ],
    "goals": [{"id": "G1", "strategic_goal_id": "SG1", "cdip_goal_id": "CG1",
               "statement": "x"}],
    "strategic_goals": [{"id": "SG1", "title": "x"}],
    "actions": [{"id": "A1", "goal_id": "G1", "description": "x", "status": "Done",
                 "due_date": date(2026, 12, 1)},
                {"id": "A2", "goal_id": "G1", "description": "x", "status": "N/A",
                 "start_date": date(2026, 12, 1), "due_date": date(2027, 5, 1)}],
    "monthly_updates": [{"month": date(2026, 11, 1), "submitted_on": "12/5/2026"},
                        {"month": date(2026, 10, 1),
                         "submitted_on": datetime(2026, 10, 30, 14, 30)}],
}
