"""The master's Summary printed as a reader needs it: too wide for one page, it is not
shrunk onto one (4 pt text) but printed at 85% on pages across, each page with the header
row and the district's id and name; numbers and their headers sit right, a space clear of
the next column. LibreOffice prints it, and the pages are read back."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.master.layout import SHEETS
from sheetsync.pull.run import pull
from tests.helpers import AS_OF
from tests.libreoffice import SOFFICE, convert

DEJAVU_HEIGHT = 1.164  # a word's box is about 1.16 times its font size high


@pytest.fixture(scope="module")
def master(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("master-print") / "cohort"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    return folder / "cohort_master.xlsx"


def test_the_summary_prints_pages_across_with_its_headers_and_districts(master):
    ws = openpyxl.load_workbook(master)["Summary"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.scale == 85 and ws.page_setup.pageOrder == "overThenDown"
    assert ws.print_title_rows in ("1:1", "$1:$1")
    assert ws.print_title_cols in ("A:B", "$A:$B")


def test_numbers_and_their_headers_sit_right_clear_of_the_next_column(master):
    ws = openpyxl.load_workbook(master)["Summary"]
    headers = {c.value: c for c in ws[1]}
    for name, kind in ((c.header, c.kind) for c in SHEETS["Summary"]):
        cell = ws.cell(2, headers[name].column)
        if kind in ("int", "number", "percent", "date"):
            assert headers[name].alignment.horizontal == "right", name
            if cell.value is not None:
                assert cell.alignment.horizontal == "right", name
                assert cell.number_format.endswith("_)"), name  # a space after the number
        else:  # text one character in, clear of a number before it
            assert headers[name].alignment.horizontal in (None, "general", "left"), name
            assert headers[name].alignment.indent == 1, name
            if isinstance(cell.value, str):
                assert cell.alignment.indent == 1, name


@pytest.mark.libreoffice
@pytest.mark.skipif(not (SOFFICE and shutil.which("pdftotext")),
                    reason="LibreOffice or poppler-utils is not installed")
def test_libreoffice_prints_the_summary_legibly(master, tmp_path):
    """Only the Summary (the other sheets hidden from print by saving it alone), printed
    by LibreOffice: several pages, each with the header row and the districts, no text
    under 8 pt."""
    wb = openpyxl.load_workbook(master)
    for name in wb.sheetnames[1:]:
        del wb[name]
    alone = tmp_path / "summary.xlsx"
    wb.save(alone)
    (pdf,) = convert([alone], tmp_path / "out", to="pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[:-1]
    assert len(text) >= 2  # pages across
    for page in text:
        assert "District" in page and "Boyle County" in page and "KY-003" in page
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">[^<]*[A-Za-z0-9]',
                          boxes)]
    assert heights and min(heights) / DEJAVU_HEIGHT >= 8 * 0.85  # 11 pt text at 85%
