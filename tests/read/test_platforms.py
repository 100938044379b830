"""Issue 25's reproductions on the reader's side: a date where a number belongs, a number
where a date belongs, the status date typed as text, % rows that mix scales, rows inserted
by hand (no formulas), "NA" as a name, a Submitted On in the future and numbers shown with
the digits that decide a status. Each edit is made to the clean district of
``test_bad_input`` (no findings on ``AS_OF``), so the findings are exactly the edit's."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from sheetsync.check.assess import check_workbook
from sheetsync.cli.render import render_check
from sheetsync.report.html import number
from sheetsync.schema.numbers import significant
from sheetsync.schema.sheets import scorecard_layout
from tests.read.test_bad_input import (
    AS_OF,
    Edit,
    both,
    insert_rows,
    located,
    set_cells,
    write_district,
)

LAYOUT = scorecard_layout("2026-27")


def checked(tmp_path: Path, edit: Edit | None = None, as_of: date | None = AS_OF) -> Any:
    return check_workbook(str(write_district(tmp_path / "district.xlsx", edit)), as_of)


def at(result: Any, code: str) -> list[tuple[str | None, str | None]]:
    return [(f.sheet, f.cell) for f in result.findings if f.code == code]


def message(result: Any, code: str) -> str:
    return next(f.message for f in result.findings if f.code == code)


@cache
def formatted(sheet: str, number_format: str, **cells: Any) -> Edit:
    """Type ``cells`` into cells with ``number_format`` (pasted formats do this)."""

    def edit(wb: Any) -> None:
        for ref, value in cells.items():
            wb[sheet][ref] = value
            wb[sheet][ref].number_format = number_format

    return edit


# -- a date where a number belongs ---------------------------------------------------------

# M1 (%, increase, 39.7 to 49) with actuals Jul-Nov 2026 in R5:V5 (Sep's 41.9 replaced)
ACTUALS = {"R5": 45, "S5": 46, "T5": 47, "U5": 48, "V5": 49}


def test_numbers_in_date_formatted_cells_are_read_as_the_numbers_typed(tmp_path: Path) -> None:
    result = checked(tmp_path, formatted("Measures", "yyyy-mm-dd", **ACTUALS))
    plain = checked(tmp_path, set_cells("Measures", **ACTUALS))
    m = result.card.measures[0]
    assert [m.actuals[p] for p in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")] \
        == [45, 46, 47, 48, 49]
    assert result.measures["M1"].status == plain.measures["M1"].status
    assert at(result, "date-in-number-cell") == [("Measures", c) for c in ACTUALS]
    assert message(result, "date-in-number-cell") == (
        "Actual Jul 2026 in R5 shows 1900-02-14 because the cell is formatted as a date; "
        "sheetsync and the sheet read the number 45 you typed. Format R5 as a number.")
    assert not at(result, "not-a-number")


def test_a_date_typed_as_an_actual_is_its_serial_number_as_the_sheet_reads_it(
        tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", V5=date(2026, 11, 15)))
    assert result.card.measures[0].actuals["2026-11"] == 46341
    assert result.measures["M1"].status == "Met"  # as the sheet: latest 46341 >= 49
    assert at(result, "date-in-number-cell") == [("Measures", "V5")]
    assert "shows 2026-11-15 because the cell is formatted as a date" in \
        message(result, "date-in-number-cell")


# -- a number where a date belongs ---------------------------------------------------------


@pytest.mark.parametrize("edit", [
    formatted("Actions", "General", F5=45),  # a number before 2000
    formatted("Actions", "yyyy-mm-dd", F5=45),  # shows as 1900-02-14
], ids=["general", "date-formatted"])
def test_a_number_before_2000_in_a_date_column_is_a_warning(tmp_path: Path,
                                                            edit: Edit) -> None:
    result = checked(tmp_path, edit)
    assert at(result, "number-in-date-cell") == [("Actions", "F5")]
    assert "is the number 45, which is not a date: as a date it is 1900-02-14" in \
        message(result, "number-in-date-cell")


def test_a_serial_in_a_general_date_cell_is_read_and_flagged(tmp_path: Path) -> None:
    result = checked(tmp_path, formatted("Actions", "General", F5=46477))
    assert result.card.actions[0].due_date == date(2027, 3, 31)
    assert located(result.findings) == [("Actions", "F5", "number-in-date-cell")]
    assert "Format F5 as a date" in message(result, "number-in-date-cell")


def test_the_status_date_typed_as_text_is_flagged_saying_the_sheet_uses_today(
        tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("District Profile", B7="01/31/2027"), as_of=None)
    assert result.as_of == date(2027, 1, 31)
    assert ("District Profile", "B7", "formula-cannot-read") in located(result.findings)
    said = next(f.message for f in result.findings if f.cell == "B7")
    assert "they use today's date instead (C7 says so)" in said
    assert "type it as a date such as 2027-01-31" in said


# -- % rows that mix scales ----------------------------------------------------------------


def test_58_percent_typed_beside_50_and_60_is_58_and_a_mixed_scale_warning(
        tmp_path: Path) -> None:
    """Baseline 50, target 60 typed as numbers, the October actual typed 58% (stored 0.58
    with a percent format): check reads 58, and says the sheet's formulas read 0.58."""
    edit = both(set_cells("Measures", F5=50, H5=60, T5=None),
                formatted("Measures", "0%", U5=0.58))
    result = checked(tmp_path, edit)
    assert result.card.measures[0].actuals["2026-10"] == 58
    assert at(result, "mixed-percent-scale") == [("Measures", "U5")]
    said = message(result, "mixed-percent-scale")
    assert said.startswith("Measure M1 mixes scales: U5 holds 0.58 (shown as 58%) and H5 "
                           "holds 60;")
    assert "the sheet's status may differ" in said


def test_formats_mixed_where_the_sheets_rule_cannot_see_it(tmp_path: Path) -> None:
    """0.4 typed and 0.5 shown as 50%: too close for the sheet's value rule, but check reads
    0.4 and 50, so it warns at the cell formatted otherwise."""
    edit = both(set_cells("Measures", F5=0.4, T5=None), formatted("Measures", "0%", H5=0.5))
    result = checked(tmp_path, edit)
    assert at(result, "mixed-percent-scale") == [("Measures", "H5")]


def test_a_row_typed_all_as_percentages_is_one_scale(tmp_path: Path) -> None:
    edit = formatted("Measures", "0.0%", F5=0.426, H5=0.506, T5=0.448)
    result = checked(tmp_path, edit)
    assert at(result, "mixed-percent-scale") == []
    points = checked(tmp_path, set_cells("Measures", F5=42.6, H5=50.6, T5=44.8))
    assert result.measures["M1"].status == points.measures["M1"].status


@pytest.mark.parametrize(("cells", "fires"), [
    ({"F5": 2, "H5": 0.5, "T5": 44.8}, True),  # 0.5 * 20 <= 44.8
    ({"F5": 2, "H5": 0.5, "T5": 0.8}, False),  # a rate below one throughout
    ({"F5": 2, "H5": 0.5, "T5": "45%"}, False),  # text: the sheet ignores it
    ({"D5": "count", "F5": 2, "H5": 0.5, "T5": 44.8}, False),  # not a % row
], ids=["mixed", "rates", "text", "count"])
def test_the_sheets_value_rule_on_the_stored_numbers(tmp_path: Path, cells: dict[str, Any],
                                                     fires: bool) -> None:
    result = checked(tmp_path, set_cells("Measures", E5="decrease", **cells))
    assert bool(at(result, "mixed-percent-scale")) is fires


# -- rows inserted by hand -----------------------------------------------------------------


def computed_letters(entity: str) -> list[str]:
    return [c.letter for c in LAYOUT.sheet(entity).columns if not c.is_input]


@cache
def without_formulas(sheet: str, entity: str, row: int) -> Edit:
    """Row ``row`` as a row inserted by hand holds it: its values, no formulas."""

    def edit(wb: Any) -> None:
        for letter in computed_letters(entity):
            wb[sheet][f"{letter}{row}"] = None

    return edit


@pytest.mark.parametrize(("sheet", "entity"), [
    ("Strategic Goals", "strategic_goals"), ("Goals", "goals"), ("Measures", "measures"),
    ("Actions", "actions"), ("Monthly Updates", "monthly_updates"),
])
def test_a_row_without_formulas_is_a_warning_at_its_first_computed_cell(
        tmp_path: Path, sheet: str, entity: str) -> None:
    result = checked(tmp_path, without_formulas(sheet, entity, 6))
    first = computed_letters(entity)[0]
    assert at(result, "row-without-formulas") == [(sheet, f"{first}6")]
    said = message(result, "row-without-formulas")
    assert said.startswith(f"Row 6 of '{sheet}' holds ")
    assert "copy the grey computed cells of the row above into row 6" in said


def test_a_measure_typed_into_an_inserted_row_is_flagged(tmp_path: Path) -> None:
    typed = {"A6": "M9", "B6": "G1", "C6": "Chronic absence", "D6": "%", "E6": "decrease",
             "F6": 20, "H6": 10, "J6": "monthly", "T6": 30}
    result = checked(tmp_path, both(insert_rows("Measures", 6, 1),
                                    set_cells("Measures", **typed)))
    assert at(result, "row-without-formulas") == [
        ("Measures", f"{computed_letters('measures')[0]}6")]
    said = message(result, "row-without-formulas")
    assert "measure M9" in said and "goal's and strategic goal's statuses" in said


def test_a_row_typed_below_the_prepared_rows_is_flagged(tmp_path: Path) -> None:
    row = LAYOUT.sheet("actions").last_data_row + 1
    typed = {f"A{row}": "A9", f"B{row}": "G1", f"C{row}": "Tutoring", f"D{row}": "Ana",
             f"F{row}": date(2027, 5, 1), f"J{row}": "Not Started", f"L{row}": "logs",
             f"H{row}": "Title I"}
    result = checked(tmp_path, set_cells("Actions", **typed))
    assert at(result, "row-without-formulas") == [
        ("Actions", f"{computed_letters('actions')[0]}{row}")]


def values_only(wb: Any) -> None:
    """The workbook as another tool writes it: every formula gone, values kept."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    c.value = None


def test_a_workbook_without_any_formulas_has_no_row_singled_out(tmp_path: Path) -> None:
    result = checked(tmp_path, values_only)
    assert at(result, "row-without-formulas") == []


# -- smaller -------------------------------------------------------------------------------


def test_na_is_a_measures_name(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Measures", C5="NA"))
    assert result.card.measures[0].name == "NA"
    assert located(result.findings) == []


def test_a_placeholder_owner_is_still_no_owner(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Actions", D5="TBD"))
    assert at(result, "action-without-owner") == [("Actions", "D5")]


def test_submitted_on_in_the_future_is_a_warning(tmp_path: Path) -> None:
    result = checked(tmp_path, set_cells("Monthly Updates", H5=date(2026, 12, 20)))
    assert [(f.cell, f.code, str(f.severity)) for f in result.findings] == [
        ("H5", "submitted-in-future", "warning")]
    assert "after the status date 2026-11-15" in message(result, "submitted-in-future")


def test_check_shows_the_digits_that_decide_a_status(tmp_path: Path) -> None:
    """A rate of 0.42 against an expected 0.4165 must not read '0.4 vs 0.4'."""
    edit = set_cells("Measures", D5="count", F5=0.3, H5=0.5, T5=None, U5=0.42)
    result = checked(tmp_path, edit)
    s = result.measures["M1"]
    assert s.latest_actual == 0.42 and round(s.expected, 1) == 0.4 != s.expected
    line = next(ln for ln in render_check(result).splitlines() if ln.startswith("M1 "))
    assert "0.42" in line and significant(s.expected) in line
    assert significant(s.expected) not in ("0.4", "0.42")


def test_the_report_shows_significant_digits() -> None:
    assert [number(0.4165), number(0.42), number(12500), number(45.5, "%"), number(None)] \
        == ["0.4165", "0.42", "12,500", "45.5%", "—"]


def test_the_example_workbooks_hold_their_formulas_in_every_row(examples: Path) -> None:
    """sheetsync writes the computed cells of every row it fills (the examples, upgrade,
    rollover and distribute share that writer): no row of them is without formulas."""
    for book in sorted((examples / "districts").glob("*.xlsx")):
        result = check_workbook(str(book), AS_OF)
        assert at(result, "row-without-formulas") == [], book.name


@pytest.mark.parametrize(("xml", "expected"), [
    # openpyxl / Excel: a shared formula's anchor and its followers, a plain formula
    (b'<row r="5"><c r="M5" s="3"><f t="shared" ref="M5:M6" si="0">A5</f><v></v></c>'
     b'<c r="N5"><f>B5</f></c></row><row r="6"><c r="M6" s="3"><f t="shared" si="0"/>'
     b'</c><c r="A6" t="s"><v>1</v></c></row>', {"M": {5, 6}, "N": {5}}),
    # a writer that puts the style first, or prefixes every element
    (b'<c s="2" r="Q7"><f>1</f><v>1</v></c>', {"Q": {7}}),
    (b'<x:row r="8"><x:c r="AP8"><x:f>1</x:f></x:c></x:row>', {"AP": {8}}),
    # a validation's <formula1> and a value are no formula cells
    (b'<c r="A5"><v>3</v></c><dataValidation sqref="B5"><formula1>Lists!$A$1</formula1>'
     b'</dataValidation>', {}),
], ids=["shared", "style-first", "prefixed", "no-formula"])
def test_the_sniff_finds_the_cells_that_hold_a_formula(xml: bytes,
                                                       expected: dict[str, set[int]]) -> None:
    from sheetsync.read.cells_xml import formula_cells as _formula_cells

    assert _formula_cells(xml) == expected
