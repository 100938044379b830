"""The template and the cohort master print: landscape, one page wide, header rows on every
page, a footer, the instructions whole at full size, charts apart, headers unclipped.

The page counts and the printed text come from LibreOffice's own PDF export (before page
setup: the template printed on 36 portrait pages, the example master on 79)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheetsync.cli.render import render_check
from sheetsync.master.layout import SHEETS, chart_places
from sheetsync.schema.layout import entity_sheets
from sheetsync.schema.sheets import scorecard_layout
from sheetsync.template.workbook import build_template, save_atomic
from tests.libreoffice import SOFFICE, convert

PDFTOTEXT = shutil.which("pdftotext")
AS_OF = date(2027, 1, 20)


def libreoffice(test: Callable[..., Any]) -> Callable[..., Any]:
    test = pytest.mark.libreoffice(test)
    return pytest.mark.skipif(not (SOFFICE and PDFTOTEXT),
                              reason="LibreOffice or poppler-utils is not installed")(test)


@pytest.fixture(scope="module")
def master(pulled_example: Path) -> Path:
    return pulled_example / "cohort_master.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wb = build_template(profile={"district_id": "KY-003", "district_name": "Boyle & Co"})
    return save_atomic(wb, tmp_path_factory.mktemp("print") / "template.xlsx")


# -- page setup, as written -----------------------------------------------------------------


def test_every_template_sheet_prints_landscape_one_page_wide_with_its_header_row(template):
    """But Measures: too wide to read one page wide, it prints pages across at 70%, what
    is measured and where it stands on the first, then the months (no columns repeated:
    LibreOffice 7.4 crashes saving such a sheet after a row is inserted)."""
    wb = openpyxl.load_workbook(template)
    layout = scorecard_layout()
    measures = layout.sheet("measures")
    for ws in wb.worksheets:
        setup = ws.page_setup
        if ws.title == measures.name:
            assert (setup.orientation, setup.scale, ws.sheet_properties.pageSetUpPr.fitToPage,
                    ws.print_title_cols) == ("landscape", 70, False, None)
            assert [b.id for b in ws.col_breaks.brk] == [
                next(i for i, c in enumerate(measures.columns, 1) if c.key == key)
                for key in ("status",)]
        else:
            assert (setup.orientation, setup.fitToWidth,
                    ws.sheet_properties.pageSetUpPr.fitToPage) == ("landscape", 1, True), ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert ws.oddFooter.left.text.startswith("Boyle && Co"), ws.title  # & escaped
    assert wb[layout.instructions_sheet].page_setup.fitToHeight == 0  # at full size
    for sheet in entity_sheets(layout):
        assert wb[sheet.name].print_title_rows == "$4:$4", sheet.name


def test_every_master_sheet_prints_landscape_one_page_wide_with_its_header_row(master):
    """But the Summary: too wide for one page, it prints pages across
    (tests/master/test_master_print.py)."""
    wb = openpyxl.load_workbook(master)
    assert wb.sheetnames == list(SHEETS)
    for ws in wb.worksheets:
        setup = ws.page_setup
        if ws.title != "Summary":
            assert (setup.orientation, setup.fitToWidth or 1, setup.fitToHeight) == \
                ("landscape", 1, 0), ws.title  # fitToWidth is 1 when left out
            assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows in ("1:1", "$1:$1"), ws.title
        assert "&A" in ws.oddFooter.center.text and "&P" in ws.oddFooter.right.text, ws.title


def test_the_summary_charts_do_not_overlap(master):
    ws = openpyxl.load_workbook(master)["Summary"]
    boxes = [(c.anchor._from.col, c.anchor._from.row, c.anchor.to.col, c.anchor.to.row)
             for c in ws._charts]
    assert len(boxes) == 2
    (l1, t1, r1, b1), (l2, t2, r2, b2) = boxes
    assert r1 < l2 or r2 < l1 or b1 < t2 or b2 < t1, boxes
    table_end = len(SHEETS["Summary"]) - 1
    assert min(l1, l2) > table_end  # beside the district table, not over it


@pytest.mark.parametrize("districts", [1, 6, 171])
@pytest.mark.parametrize("months", [0, 1, 9])
@pytest.mark.parametrize("row_pixels", [20, 21])  # Excel's default row, Google's
def test_both_masters_place_the_charts_under_the_trend_table_apart(districts, months,
                                                                   row_pixels):
    places = chart_places(districts, months)
    assert places["status"].height >= 18 * districts  # a bar per district
    assert min(p.row for p in places.values()) > months  # under the trend table's rows
    if months:
        trend, status = places["trend"], places["status"]
        assert status.row * row_pixels >= trend.row * row_pixels + trend.height


def test_wrapped_headers_have_rows_tall_enough_for_every_line(master, template):
    summary = openpyxl.load_workbook(master)["Summary"]
    assert summary.row_dimensions[1].height >= 45  # "Late or Missing Updates": three lines
    wb = openpyxl.load_workbook(template)
    for sheet in entity_sheets(scorecard_layout()):
        assert wb[sheet.name].row_dimensions[4].height >= 30, sheet.name  # two lines


def test_the_check_table_shows_numbers_with_the_digits_that_decide_their_status(make_workbook):
    """Significant digits, not one decimal: 0.42 against an expected 0.4165 must not read
    "0.4 vs 0.4" (the platforms issue); whole numbers stay whole."""
    rows = {"goals": [{"id": "G1", "statement": "x"}],
            "measures": [
                {"id": "M1", "goal_id": "G1", "unit": "count", "baseline": 40, "target": 50,
                 "actual:2026-12": 45},
                {"id": "M2", "goal_id": "G1", "unit": "score", "baseline": 360, "target": 400,
                 "actual:2026-12": 369.89, "interim_target:2026-12": 385.556},
                {"id": "M3", "goal_id": "G1", "unit": "rate", "baseline": 0.35, "target": 0.45,
                 "actual:2026-12": 0.42, "interim_target:2026-12": 0.4165}]}
    from sheetsync.check.assess import check_workbook

    text = render_check(check_workbook(str(make_workbook(rows=rows, profile={
        "as_of": AS_OF}))))
    table = text[text.index("Measure  "):].splitlines()
    m1, m2, m3 = (next(line.split() for line in table if line.startswith(f"{m} "))
                  for m in ("M1", "M2", "M3"))
    assert m1[-3] == "45" and m2[-3:-1] == ["369.89", "385.556"]
    assert m3[-3:-1] == ["0.42", "0.4165"]


# -- what LibreOffice prints ----------------------------------------------------------------


class Page:
    """A printed page: its text in reading order, and the sheet its footer names."""

    def __init__(self, text: str, layout: str) -> None:
        self.text = text
        footer = [line for line in layout.splitlines() if line.strip()][-1:] or [""]
        self.footer = re.split(r"\s{2,}", footer[0].strip())  # left, centre, right
        self.sheet = self.footer[1] if len(self.footer) == 3 else ""


def _pdf(source: Path, folder: Path) -> list[Page]:
    """``source`` printed to PDF by LibreOffice, page by page."""
    (pdf,) = convert([source], folder, to="pdf")
    texts = [subprocess.run([PDFTOTEXT, *mode, str(pdf), "-"], check=True,
                            capture_output=True, text=True).stdout.split("\f")[:-1]
             for mode in ([], ["-layout"])]  # pdftotext ends each page with a form feed
    return [Page(text, layout) for text, layout in zip(*texts, strict=True)]


def _squashed(text: str) -> str:
    """Text as compared across line breaks: no spaces, no hyphens (a line may end at one)."""
    return re.sub(r"[\s\-‐]+", "", text)


@pytest.fixture(scope="module")
def template_pages(template: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    return _pdf(template, tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="module")
def master_pages(master: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Page]:
    return _pdf(master, tmp_path_factory.mktemp("pdf"))


@libreoffice
def test_the_template_prints_on_17_pages_not_36(template_pages):
    assert len(template_pages) <= 17  # 16 before template 2.1's Strategies sheet
    layout = scorecard_layout()
    assert {p.sheet for p in template_pages} == \
        {layout.instructions_sheet, *(s.name for s in layout.sheets)}
    assert [p.footer for p in template_pages][:2] == [
        ["Boyle & Co · Scorecard 2026-27", "Instructions", f"Page {i} of {len(template_pages)}"]
        for i in (1, 2)]


@libreoffice
def test_measures_print_what_is_measured_and_where_it_stands_then_the_months(template_pages):
    """At a readable 70%, not one page wide at 4 points (tests/template/test_print_whole.py
    reads a filled workbook's pages)."""
    measures = [_squashed(p.text) for p in template_pages if p.sheet == "Measures"]
    first = next(i for i, t in enumerate(measures) if "Frequency" in t)
    assert "Baseline" in measures[first] and "Status" in measures[first]
    assert "Aug2026" not in measures[first]
    months = next(i for i, t in enumerate(measures) if "Aug2026" in t)  # "Actual Aug 2026"
    assert months > first


@libreoffice
def test_the_instructions_print_whole(template, template_pages):
    """At full size (tests/template/test_print_whole.py measures it), on a few pages."""
    layout = scorecard_layout()
    pages = [p.text for p in template_pages if p.sheet == layout.instructions_sheet]
    assert 1 <= len(pages) <= 6
    printed = _squashed("".join(pages))
    ws = openpyxl.load_workbook(template)[layout.instructions_sheet]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert len(texts) > 100
    assert [t for t in texts if _squashed(t) not in printed] == []


@libreoffice
def test_the_example_master_prints_on_about_20_pages_not_79(master_pages):
    assert len(master_pages) <= 25
    assert master_pages[0].sheet == "Summary"
    assert {p.sheet for p in master_pages} == set(SHEETS)
    assert master_pages[0].footer[0] == "Cohort master · Jan 2027"


@libreoffice
def test_the_summary_prints_every_header_whole(master_pages):
    """Wrapped headers print every line ("Overdue Actions" printed as "Actions" before):
    each word of every header is on the Summary's pages (lines of neighbouring headers
    interleave in the text, so words, not whole headers, are compared)."""
    printed = {w for p in master_pages if p.sheet == "Summary" for w in p.text.split()}
    words = {w for c in SHEETS["Summary"] for w in c.header.split()}
    assert sorted(words - printed) == []
