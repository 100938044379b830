"""The template workbook follows the layout declaration, and the committed copy has not drifted."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.schema.layout import CHOICES, TEMPLATE_VERSION, entity_sheets
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "workbook_templates" / "district_scorecard_2026-27.xlsx"


def fingerprint(path: Path) -> dict:
    """What a district sees: every cell, format, lock, dropdown, colour rule, name and pane."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames, "names": sorted(
        (n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        cells = {c.coordinate: (c.value, c.number_format, c.protection.locked)
                 for row in ws.iter_rows() for c in row if c.value is not None}
        out[ws.title] = {
            "cells": cells, "state": ws.sheet_state, "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref, "protected": ws.protection.sheet,
            "columns": sorted((d.min, d.max, d.width, d.protection.locked, d.number_format)
                              for d in ws.column_dimensions.values()),
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1, dv.prompt)
                                  for dv in ws.data_validations.dataValidation),
            "colours": sorted((str(rng.sqref), tuple(r.formula)) for rng in
                              ws.conditional_formatting for r in rng.rules),
        }
    return out


def test_committed_template_matches_the_declaration(tmp_path):
    fresh = save_atomic(build_template(scorecard_layout("2026-27")), tmp_path / "t.xlsx")
    assert COMMITTED.exists(), "run: sheetsync template --year 2026-27 -o " + str(COMMITTED)
    assert fingerprint(COMMITTED) == fingerprint(fresh), (
        "workbook_templates/ drifted from schema/ (layout.py, sheets.py); regenerate it with "
        "`sheetsync template --year 2026-27 -o workbook_templates/district_scorecard_2026-27.xlsx`")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("t") / "t.xlsx"
    save_atomic(build_template(), path)
    return openpyxl.load_workbook(path)


def test_every_sheet_of_the_layout_is_there_with_headers_in_declared_cells(template):
    layout = scorecard_layout()
    assert template.sheetnames == ["Instructions", *(s.name for s in layout.sheets), "Lists"]
    for sheet in entity_sheets(layout):
        ws = template[sheet.name]
        assert [ws[f"{c.letter}{sheet.header_row}"].value for c in sheet.columns] == \
            [c.header for c in sheet.columns]
        assert ws.freeze_panes == f"B{sheet.first_data_row}"
        assert ws.protection.sheet


def test_formula_cells_are_locked_and_input_columns_are_not(template):
    sheet = scorecard_layout().sheet("measures")
    ws = template[sheet.name]
    status, baseline = sheet.column("status").letter, sheet.column("baseline").letter
    assert str(ws[f"{status}5"].value).startswith("=IF(")
    assert ws[f"{status}5"].protection.locked
    assert not ws.column_dimensions[baseline].protection.locked
    assert ws.column_dimensions[sheet.column("baseline_date").letter].number_format == \
        "yyyy-mm-dd"


def test_empty_input_cells_are_left_to_their_columns_style(tmp_path):
    """No cell records for readers to wade through in the empty prepared rows."""
    sheet = scorecard_layout().sheet("measures")
    ws = openpyxl.load_workbook(save_atomic(build_template(), tmp_path / "t.xlsx"))[sheet.name]
    baseline = openpyxl.utils.column_index_from_string(sheet.column("baseline").letter)
    status = openpyxl.utils.column_index_from_string(sheet.column("status").letter)
    assert (sheet.last_data_row, baseline) not in ws._cells
    assert (sheet.last_data_row, status) in ws._cells


def test_filled_input_cells_carry_their_columns_style(tmp_path):
    rows = {"measures": [{"id": "M1", "goal_id": "G1", "baseline": 40,
                          "baseline_date": date(2026, 8, 1)}]}
    ws = build_template(rows=rows)["Measures"]
    sheet = scorecard_layout().sheet("measures")
    for key in ("baseline", "baseline_date"):
        cell = ws[f"{sheet.column(key).letter}{sheet.first_data_row}"]
        assert not cell.protection.locked
        assert cell.number_format == ws.column_dimensions[cell.column_letter].number_format


@pytest.mark.parametrize("entity,key,source", [
    ("measures", "unit", "units"), ("measures", "direction", "directions"),
    ("measures", "frequency", "frequencies"), ("actions", "status", "action_statuses"),
    ("actions", "funding_source", "funding_sources"), ("needs", "priority", "yes_no"),
    ("goals", "strategic_goal_id", "'Strategic Goals'!$A$5"), ("measures", "goal_id",
                                                              "'Goals'!$A$5"),
])
def test_choice_and_reference_columns_have_dropdowns(template, entity, key, source):
    sheet = scorecard_layout().sheet(entity)
    col = sheet.column(key)
    lists = template["Lists"]
    dvs = [dv for dv in template[sheet.name].data_validations.dataValidation
           if dv.type == "list" and f"{col.letter}{sheet.first_data_row}" in dv.sqref]
    assert len(dvs) == 1
    if source in CHOICES:
        letter = dvs[0].formula1.split("!$")[1].split("$")[0]
        assert [lists[f"{letter}{r}"].value for r in range(2, 2 + len(CHOICES[source]))] == \
            list(CHOICES[source])
    else:
        assert dvs[0].formula1.startswith(source)


def test_template_version_and_lists_are_stamped(template):
    profile = scorecard_layout().sheet("profile")
    assert template[profile.name][profile.field("template_version").cell].value == \
        TEMPLATE_VERSION
    assert template["Lists"].sheet_state == "hidden"


def test_cli_template_prefills_the_district(tmp_path):
    out = tmp_path / "adair.xlsx"
    result = CliRunner().invoke(main, ["template", "--year", "2027-28", "--district-id", "KY-001",
                                       "--district-name", "Adair County", "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["District Profile"]
    assert (ws["B4"].value, ws["B5"].value, ws["B6"].value) == ("KY-001", "Adair County",
                                                                "2027-28")
    assert openpyxl.load_workbook(out)["Measures"]["R4"].value == "Actual Jul 2027"


def test_cli_template_rejects_a_bad_year(tmp_path):
    result = CliRunner().invoke(main, ["template", "--year", "2027", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "not a school year" in result.output


def test_schema_json_follows_the_contract():
    result = CliRunner().invoke(main, ["schema", "--json"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["template_version"] == TEMPLATE_VERSION and schema["school_year"] == "2026-27"
    entities = [s["entity"] for s in schema["sheets"]]
    assert entities == ["profile", "strategic_goals", "cdip_goals", "needs", "goals",
                        "measures", "strategies", "actions", "monthly_updates"]
    profile = schema["sheets"][0]
    assert {"key": "district_id", "label": "District ID", "cell": "B4"}.items() <= \
        profile["fields"][0].items()
    measures = schema["sheets"][5]
    assert (measures["header_row"], measures["first_data_row"]) == (4, 5)
    monthly = [c for c in measures["columns"] if "period" in c]
    assert [c["period"] for c in monthly if c["key"] == "actual"][:2] == ["2026-07", "2026-08"]
    assert len([c for c in monthly if c["key"] == "interim_target"]) == 12
    unit = next(c for c in measures["columns"] if c["key"] == "unit")
    assert unit == {"key": "unit", "header": "Unit", "letter": "D", "type": "choice",
                    "required": True, "choices": list(CHOICES["units"])}


def test_prefilled_text_that_looks_like_a_formula_stays_text(tmp_path):
    hostile = '=HYPERLINK("http://evil.example","Adair")'
    wb = build_template(profile={"district_name": hostile},
                        rows={"goals": [{"id": "G1", "statement": "=1+1"}]})
    path = save_atomic(wb, tmp_path / "t.xlsx")
    loaded = openpyxl.load_workbook(path)
    name = loaded["District Profile"]["B5"]
    statement = loaded["Goals"]["E5"]
    assert (name.value, name.data_type) == (hostile, "s")
    assert (statement.value, statement.data_type) == ("=1+1", "s")


def test_each_sheet_whose_formulas_read_typed_values_ends_with_a_check_column(template):
    layout = scorecard_layout()
    for sheet in entity_sheets(layout):
        ws = template[sheet.name]
        reads = [c for c in sheet.columns if c.feeds_formulas]
        last = sheet.columns[-1]
        if not reads:
            assert last.key != "row_check", sheet.name
            continue
        assert (last.key, last.header) == ("row_check", "Check"), sheet.name
        first = f"{last.letter}{sheet.first_data_row}"
        assert str(ws[first].value).startswith("=IF(")
        coloured = [r.formula for rng in ws.conditional_formatting for r in rng.rules
                    if str(rng.sqref) == f"{first}:{last.letter}{sheet.last_data_row}"]
        assert coloured == [[f"LEN({first})>0"]], sheet.name
    assert {s.name for s in entity_sheets(layout) if s.columns[-1].key == "row_check"} == \
        {"Strategic Goals", "Goals", "Measures", "Actions", "Monthly Updates"}


def test_blank_words_on_the_lists_sheet_are_the_readers(template):
    from sheetsync.read.coerce import BLANK_WORDS

    ref = template.defined_names["BlankWords"].attr_text
    sheet, cells = ref.split("!")
    rows = template[sheet][cells.replace("$", "")]
    assert {c.value for row in rows for c in row} == set(BLANK_WORDS)


def test_the_instructions_say_how_percentages_are_read_and_what_check_means(template):
    text = [str(c.value) for row in template["Instructions"].iter_rows() for c in row
            if c.value]
    assert any(t.startswith("Percentages: type 45 or 45% — both give the same status.")
               for t in text)
    assert any(t.startswith("Adding a row between others: insert it, then copy") for t in text)
    assert any(t.startswith("Check (the last column of a sheet)") for t in text)
