"""Filled-down formulas are written once (shared) and read back as each cell's own formula."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template._openpyxl import formulas_shared
from sheetsync.template.workbook import build_template, save_atomic


def _sheet_xml(path, index: int) -> str:
    return zipfile.ZipFile(path).read(f"xl/worksheets/sheet{index}.xml").decode()


def test_only_exact_fill_downs_are_shared(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in range(1, 5):
        ws[f"A{r}"] = f"=B{r}*2+$C$1+Total"
    ws["A5"] = "=B5*3"  # not the formula above moved down: written as itself
    ws["A7"] = "=B7*2+$C$1+Total"  # after a gap: a run of one, written as itself
    ws["D1"] = "=SUM(B1:B4)"
    ws["D2"] = "=SUM(B1:B4)"  # the same text is not the same formula moved (B2:B5 would be)
    with formulas_shared(wb):
        wb.save(tmp_path / "s.xlsx")
    xml = _sheet_xml(tmp_path / "s.xlsx", 1)
    assert re.findall(r'<f t="shared" ref="([A-Z0-9:]+)" si="0">([^<]*)</f>', xml) == \
        [("A1:A4", "B1*2+$C$1+Total")]
    assert xml.count('<f t="shared" si="0"') == 3
    assert "<f>B5*3</f>" in xml and "<f>B7*2+$C$1+Total</f>" in xml
    assert xml.count("<f>SUM(B1:B4)</f>") == 2
    assert ws["A3"].value == "=B3*2+$C$1+Total"  # the workbook in memory is as it was
    back = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert [back[f"A{r}"].value for r in (1, 2, 3, 4, 5, 7)] == \
        [*(f"=B{r}*2+$C$1+Total" for r in range(1, 5)), "=B5*3", "=B7*2+$C$1+Total"]


def test_the_templates_computed_columns_are_each_written_once(tmp_path):
    wb = build_template()
    path = save_atomic(wb, tmp_path / "t.xlsx")
    sheet = scorecard_layout().sheet("measures")
    index = wb.sheetnames.index(sheet.name) + 1
    xml = _sheet_xml(path, index)
    computed = [c for c in sheet.columns if not c.is_input]
    banner = 1  # A3 names a row inserted by hand (its formula is written once, as itself)
    assert xml.count("<f ") + xml.count("<f>") == len(computed) * sheet.capacity + banner
    assert len(re.findall(r'<f t="shared" ref=', xml)) == len(computed)
    back = openpyxl.load_workbook(path)[sheet.name]
    for col in computed:
        for r in (sheet.first_data_row, sheet.last_data_row):
            assert back[f"{col.letter}{r}"].value == wb[sheet.name][f"{col.letter}{r}"].value
