"""The workbook's own formulas and ``check`` give one answer for every row a person can type,
or both say the row cannot be read: never a silent disagreement.

``hypothesis`` generates typed rows (numbers, percent-formatted fractions, numbers and dates
typed as text, comma decimals, rates below 1, ids typed loosely, choice synonyms, future
months, out-of-range values), writes them into the template, LibreOffice recalculates each
workbook (one soffice run per generated workbook of many rows), and each row is compared:
status, progress and expected equal at 15 significant digits (as a spreadsheet compares),
or the row's Check cell is non-empty AND ``check`` has a reading finding at a cell its
formulas read. The Check cell is non-empty only then. The examples are derandomized, so CI
runs the same corpus every time; the named tests below are issue 9's reproductions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.check.assess import CheckResult, check_workbook
from sheetsync.schema.findings import Severity
from sheetsync.schema.schoolyear import period_date
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tests.libreoffice import convert, needs_libreoffice  # noqa: E402

pytestmark = needs_libreoffice

AS_OF = date(2027, 1, 20)
LAYOUT = scorecard_layout("2026-27")
PERIODS = LAYOUT.periods
SHEETS = {s.entity: s for s in LAYOUT.sheets}
# Findings that say a value could not be read as typed: what the Check column mirrors.
READ_CODES = frozenset({"formula-cannot-read", "not-a-number", "not-a-date", "not-a-year",
                        "invalid-choice", "formula-error", "ambiguous-number"})


@dataclass(frozen=True)
class Formatted:
    """A number typed into a cell with a number format (46% is 0.46 formatted "0%")."""

    value: float
    number_format: str = "0%"


# -- writing and recalculating ----------------------------------------------------------


def write(path: Path, rows: Mapping[str, list[dict[str, Any]]]) -> Path:
    """The template filled with ``rows``; a ``Formatted`` value gets its cell's format."""
    plain = {e: [{k: (v.value if isinstance(v, Formatted) else v) for k, v in row.items()}
                 for row in rs] for e, rs in rows.items()}
    wb = build_template(LAYOUT, profile={"district_id": "KY-1", "district_name": "Test",
                                         "as_of": AS_OF}, rows=plain)
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
    return save_atomic(wb, path)


def recalculate(sources: list[Path], folder: Path) -> list[Path]:
    """Each workbook as LibreOffice recalculated and saved it: one soffice run for all."""
    return convert(sources, folder / "recalculated")


# -- comparing ----------------------------------------------------------------------------


@dataclass
class Compared:
    """One workbook: what ``check`` made of it and the values LibreOffice computed."""

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

    def flag_mismatch(self, entity: str, i: int) -> str | None:
        """Why the row is flagged in one place only; None when both or neither flag it."""
        check, sheet = self.check_flags(entity, i), self.sheet_flag(entity, i)
        if bool(check) == bool(sheet):
            return None
        return (f"{SHEETS[entity].name} row {SHEETS[entity].first_data_row + i}: "
                f"Check column {sheet!r}, check's findings {check}")

    def flagged(self, entity: str, i: int) -> bool:
        """Flagged in both places (asserting it is not flagged in one place only)."""
        mismatch = self.flag_mismatch(entity, i)
        assert mismatch is None, mismatch
        return bool(self.sheet_flag(entity, i))


def compare(source: Path, recalculated: Path, rows: Mapping[str, list[dict[str, Any]]]
            ) -> Compared:
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    computed = {}
    for entity, rs in rows.items():
        sheet = SHEETS[entity]
        ws = wb[sheet.name]
        computed[entity] = [{c.key: ws[f"{c.letter}{sheet.first_data_row + i}"].value
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


def disagreements(c: Compared, rows: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    """Every row that is not equal in both and not flagged in both, and every row flagged
    in one place only, each said in a line."""
    out: list[str] = []
    result = c.result

    def flagged(entity: str, i: int) -> bool:
        mismatch = c.flag_mismatch(entity, i)
        if mismatch:
            out.append(f"{mismatch}; typed {rows[entity][i]}")
        return bool(c.sheet_flag(entity, i) or c.check_flags(entity, i))

    flagged_measures = set()
    first = SHEETS["measures"].first_data_row
    for i, row in enumerate(rows.get("measures", [])):
        if flagged("measures", i):
            flagged_measures.add(row["id"])
            continue
        ours, theirs = result.measures[row["id"]], c.computed["measures"][i]
        numbers = ("expected", "progress", "latest_actual")
        got = {"status": theirs["status"], **{k: sig15(theirs[k]) for k in numbers}}
        want = {"status": ours.status, **{k: sig15(getattr(ours, k)) for k in numbers}}
        if got["status"] != want["status"] or not all(
                same_at_15_digits(theirs[k], getattr(ours, k)) for k in numbers):
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
        if not flagged("actions", i) and \
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


def _names(raw: Any, read: str | None, parent_raw: Any, parent_read: str) -> bool:
    """Whether a child row's key names the parent, to the reader or to the formulas."""
    return read == parent_read or str(raw).lower() == str(parent_raw).lower()


def assert_agree(c: Compared, rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Every row: equal, or flagged in both places; and never flagged in one place only."""
    found = disagreements(c, rows)
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
        as_text, with_time, st.sampled_from([*BLANK_WORDS, "next spring", "#N/A"])), 2)


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
    return row


@st.composite
def action_rows(draw: st.DrawFn, i: int) -> dict[str, Any]:
    return {"id": f"A{i}", "goal_id": "G1", "description": f"Action {i}",
            "status": draw(choices(
                [None, "Not Started", "In Progress", "Complete", "On Hold", "Cancelled"],
                ["Done", "complete", "Complete ", "canceled", "N/A", "started", 1])),
            "start_date": draw(st.one_of(st.none(), typed_dates())),
            "due_date": draw(typed_dates())}


@st.composite
def update_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    months = draw(st.lists(st.sampled_from(LAYOUT.update_periods), unique=True, max_size=9))
    return [{"month": draw(weighted(st.just(period_date(p).replace(day=1)),
                                    st.just(f"{period_date(p):%b %Y}"), 4)),
             "submitted_on": draw(st.one_of(st.none(), typed_dates(
                 period_date(p).replace(day=1), date(2027, 7, 31))))}
            for p in months]


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """One workbook of typed rows: goals G1-G4 (some typed loosely), 10-60 measures,
    5-40 actions and some monthly updates."""
    goals = [{"id": draw(weighted(st.just(f"G{k}"), st.sampled_from(
                  [f"g{k}", f"G{k} ", f"Goal {k}", f"GOAL{k}"]), 5)),
              "strategic_goal_id": draw(loose_ids("SG", 2)), "cdip_goal_id": "CG1",
              "statement": f"Goal {k}"} for k in range(1, 5)]
    n_measures = draw(st.integers(10, 60))
    n_actions = draw(st.integers(5, 40))
    return {"strategic_goals": [{"id": "SG1", "title": "x"}, {"id": "SG2", "title": "y"}],
            "cdip_goals": [{"id": "CG1", "area": "Proficiency", "statement": "x"}],
            "goals": goals,
            "measures": [draw(measure_rows(i)) for i in range(1, n_measures + 1)],
            "actions": [draw(action_rows(i)) for i in range(1, n_actions + 1)],
            "monthly_updates": draw(update_rows())}


# -- the differential test ----------------------------------------------------------------

# CI runs the same six workbooks every time; SHEETSYNC_DIFFERENTIAL_EXAMPLES=100 hunts longer.
EXAMPLES = int(os.environ.get("SHEETSYNC_DIFFERENTIAL_EXAMPLES", "6"))
PHASES = (Phase.explicit, Phase.generate,
          *((Phase.shrink,) if os.environ.get("SHEETSYNC_SHRINK") else ()))


@settings(derandomize=True, max_examples=EXAMPLES, deadline=None, phases=PHASES, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(rows=workbooks())
def test_the_workbook_and_check_agree_on_every_typed_row(rows, tmp_path_factory):
    """Each generated workbook is one LibreOffice run; shrinking a failure takes one run
    per step, so it is on only with SHEETSYNC_SHRINK=1."""
    folder = tmp_path_factory.mktemp("differential")
    source = write(folder / "typed.xlsx", rows)
    (recalculated,) = recalculate([source], folder)
    assert_agree(compare(source, recalculated, rows), rows)


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


@pytest.fixture(scope="module")
def reproductions(tmp_path_factory: pytest.TempPathFactory) -> Compared:
    folder = tmp_path_factory.mktemp("reproductions")
    source = write(folder / "reproductions.xlsx", REPRODUCTIONS)
    (recalculated,) = recalculate([source], folder)
    return compare(source, recalculated, REPRODUCTIONS)


def _row(entity: str, row_id: str) -> int:
    return next(i for i, r in enumerate(REPRODUCTIONS[entity]) if r["id"] == row_id)


def _measure_agrees(c: Compared, mid: str) -> dict[str, Any]:
    i = _row("measures", mid)
    assert not c.flagged("measures", i)
    theirs, ours = c.computed["measures"][i], c.result.measures[mid]
    assert theirs["status"] == ours.status
    assert same_at_15_digits(theirs["progress"], ours.progress)
    return theirs


def _flagged_in_both(c: Compared, entity: str, i: int, names: str) -> None:
    assert c.flagged(entity, i)
    assert names in c.sheet_flag(entity, i)


def test_baseline_40_actual_typed_46_percent_is_46_in_the_sheet_and_in_check(reproductions):
    assert _measure_agrees(reproductions, "M1")["status"] == "On Track"
    assert reproductions.result.measures["M1"].latest_actual == pytest.approx(46)


@pytest.mark.parametrize(("mid", "column"), [("M2", "Baseline Date"), ("M3", "Target Date"),
                                             ("M4", "Target Date")])
def test_text_dates_9_1_2026_june_1_2027_and_2026_12_15_are_flagged_in_the_row_and_by_check(
        reproductions, mid, column):
    _flagged_in_both(reproductions, "measures", _row("measures", mid), f"Text in {column}")


def test_goal_id_g1_with_a_space_is_flagged_in_the_row_and_by_check(reproductions):
    _flagged_in_both(reproductions, "measures", _row("measures", "M5"), "Goal ID 'g1 '")


def test_action_status_done_is_flagged_in_the_row_and_by_check(reproductions):
    _flagged_in_both(reproductions, "actions", 0, "Status 'Done': pick from the list")


def test_submitted_on_typed_12_5_2026_is_flagged_in_the_row_and_by_check(reproductions):
    _flagged_in_both(reproductions, "monthly_updates", 0, "Text in Submitted On")


def test_band_edge_baseline_10_target_20_interim_18_actual_17_is_at_risk_in_both(
        reproductions):
    assert _measure_agrees(reproductions, "M6")["status"] == "At Risk"


def test_rate_below_one_is_the_same_rate_in_the_sheet_and_in_check(reproductions):
    assert _measure_agrees(reproductions, "M7")["status"] == "On Track"


def test_comma_decimal_226_5_is_flagged_in_the_row_and_by_check(reproductions):
    _flagged_in_both(reproductions, "measures", _row("measures", "M8"),
                     "Text in Actual Dec 2026")


def test_number_typed_as_text_is_flagged_in_the_row_and_by_check(reproductions):
    _flagged_in_both(reproductions, "measures", _row("measures", "M9"),
                     "Text in Actual Dec 2026")


def test_every_reproduction_row_agrees_or_is_flagged_in_both(reproductions):
    assert_agree(reproductions, REPRODUCTIONS)


def test_blank_words_are_blank_to_the_formulas_and_not_flagged(reproductions):
    assert _measure_agrees(reproductions, "M10")["status"] == "On Track"
    assert not reproductions.flagged("actions", 1)
    assert reproductions.computed["actions"][1]["schedule"] == "Late Start"  # N/A: no status
    assert reproductions.result.schedules["A2"] == "Late Start"


def test_a_date_typed_with_a_time_of_day_counts_as_its_day_in_both(reproductions):
    """Submitted 2026-10-30 14:30, due the 30th: on time in the sheet and in check."""
    assert not reproductions.flagged("monthly_updates", 1)
    assert reproductions.computed["monthly_updates"][1]["update_status"] == "On Time"
    assert reproductions.result.updates["2026-10"] == "On Time"
