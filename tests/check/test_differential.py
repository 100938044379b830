"""The workbook's own formulas and ``check`` give one answer for every row a person can type,
or both say the row cannot be read: never a silent disagreement.

``hypothesis`` generates typed rows (numbers, percent-formatted fractions, numbers and dates
typed as text, comma decimals, rates below 1, ids typed loosely, choice synonyms, future
months, out-of-range values), writes them into the template, LibreOffice recalculates each
workbook (one soffice run per generated workbook of many rows), and each row is compared:
status, progress and expected equal at 15 significant digits (as a spreadsheet compares),
or the row's Check cell is non-empty AND ``check`` has a reading finding at a cell its
formulas read. The Check cell is non-empty only then. The examples are derandomized, so CI
runs the same corpus every time; the named tests below are issue 9's reproductions. The rows,
the workbook and the comparison are ``tests/differential.py``'s, shared with the second engine
(``test_formula_engine.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from sheetsync.template.formulas import MIXED_SCALES  # noqa: E402
from tests.differential import (  # noqa: E402
    REPRODUCTIONS,
    SHEETS,
    Compared,
    assert_agree,
    compare,
    same_at_15_digits,
    workbooks,
    write,
)
from tests.libreoffice import convert, needs_libreoffice  # noqa: E402

pytestmark = needs_libreoffice


def recalculate(sources: list[Path], folder: Path) -> list[Path]:
    """Each workbook as LibreOffice recalculated and saved it: one soffice run for all."""
    return convert(sources, folder / "recalculated")


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


def test_baseline_40_actual_typed_46_percent_is_flagged_in_the_row_and_46_in_check(
        reproductions):
    """The sheet's formulas read the stored 0.46 (no formula can see a format everywhere):
    the row says it mixes scales, and check, which reads 46, says so at the cell."""
    i = _row("measures", "M1")
    assert reproductions.flagged("measures", i)
    assert reproductions.sheet_flag("measures", i) == MIXED_SCALES
    december = SHEETS["measures"].column("actual", "2026-12").letter
    assert reproductions.check_flags("measures", i) == [f"mixed-percent-scale {december}5"]
    assert reproductions.result.measures["M1"].status == "On Track"
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
