"""The cohort report's PDF printed in parts and joined: the same pages as printed whole,
numbered "Page N of M" straight through the joins."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sheetsync.report import write
from sheetsync.report.html import render_cohort
from sheetsync.report.pdf import print_pdf
from tests.helpers import copy_cohort

pytest.importorskip("weasyprint")
pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def cohort(pulled_example: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_cohort(pulled_example, tmp_path_factory.mktemp("pdf-parts") / "cohort") \
        / "cohort.toml"


def pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.fixture(scope="module")
def whole_pdf(cohort: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report printed as one document, as before it was printed in parts."""
    out = tmp_path_factory.mktemp("whole") / "whole.pdf"
    print_pdf(render_cohort(write.cohort_data(cohort), for_print=True), out)
    return out


@pytest.fixture(scope="module")
def whole(whole_pdf: Path) -> list[str]:
    return pages(whole_pdf)


def ink(pdf: Path, page: int) -> int:
    """How many pixels of the page (grey, 40 dpi) are not white."""
    data = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page),
                           str(pdf)], capture_output=True, check=True).stdout
    width, height = map(int, data.split(b"\n", 3)[1].split())
    return sum(b < 250 for b in data[-width * height:])


@pytest.mark.parametrize("workers", [1, 2])
def test_cohort_pdf_in_parts_is_numbered_page_1_of_n_to_n_of_n(cohort, whole, tmp_path,
                                                               monkeypatch, workers):
    monkeypatch.setattr(write, "PART", 2)  # six districts: the summary and three parts
    steps = []
    out = tmp_path / "cohort.pdf"
    write.cohort_report(out, cohort, workers=workers,
                        progress=lambda stage, n: steps.append((stage, n)))
    printed = pages(out)
    n = len(printed)
    numbers = [re.findall(r"Page (\d+) of (\d+)", page) for page in printed]
    assert numbers == [[(str(i), str(n))] for i in range(1, n + 1)]
    assert printed == whole  # the same pages, word for word and place for place
    assert steps.count(("Printing the PDF", 5)) == 5  # four parts and the join


def test_each_district_page_of_a_part_starts_a_page_and_none_is_blank(cohort, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setattr(write, "PART", 1)
    view = write.cohort_report(tmp_path / "c.pdf", cohort, workers=1)
    printed = pages(tmp_path / "c.pdf")
    firsts = [p for p in printed if re.search(r"^\s*\S.*\(KY-\d+\)\s*$", p, re.M)]
    assert len(firsts) == len(view["districts"])
    assert all(len(p.split()) > 12 for p in printed)  # header and footer alone: 9 words


def test_the_running_header_is_on_every_page_of_every_part(cohort, tmp_path, monkeypatch):
    monkeypatch.setattr(write, "PART", 2)
    view = write.cohort_report(tmp_path / "c.pdf", cohort, workers=1)
    head = f"{view['name']} · {view['month_label']}"
    assert all(page.strip().startswith(head) for page in pages(tmp_path / "c.pdf"))


def test_page_numbers_laid_over_the_pages_hide_nothing(cohort, whole_pdf, tmp_path,
                                                      monkeypatch):
    monkeypatch.setattr(write, "PART", 2)
    write.cohort_report(tmp_path / "c.pdf", cohort, workers=1)
    for page in (1, len(pages(whole_pdf))):  # the summary's first page, a district's page
        assert ink(tmp_path / "c.pdf", page) == pytest.approx(ink(whole_pdf, page), rel=0.02)
