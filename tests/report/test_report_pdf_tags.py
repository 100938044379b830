"""The PDF reports as a screen reader and a printer meet them: tagged (PDF/UA-1: a
structure tree of headings, tables with header cells, lists and figures with alternate
text; the language and the title), read in order (each status of "At a glance" next to its
count), no text under 7 pt, and a cohort PDF without near-empty pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.report.write import cohort_report, district_data, district_report
from tests.helpers import AS_OF

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="pdftotext (poppler-utils) is not installed")

DEJAVU_HEIGHT = 1.164  # DejaVu Sans: a word's box is 1.164 times its font size high


@pytest.fixture(scope="module")
def printed(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdf-tags") / "cohort"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    cohort = folder / "cohort.toml"
    pull(load_cohort(cohort), AS_OF)
    district_report("KY-003", folder / "district.pdf", cohort)
    cohort_report(folder / "cohort.pdf", cohort)
    return folder


def structure(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a structure tree, depth first."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, list):
        for child in node:
            yield from structure(child)
    elif isinstance(node, dict):
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from structure(node["/K"])


@pytest.mark.parametrize("name", ["district.pdf", "cohort.pdf"])
def test_the_pdf_is_tagged_with_its_language_title_and_structure(printed, name):
    reader = pypdf.PdfReader(printed / name)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.endswith("January 2027")
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()  # claims PDF/UA-1
    elements = list(structure(root["/StructTreeRoot"]))
    tags = Counter(str(e["/S"]) for e in elements)
    assert tags["/H1"] == 1 and tags["/H2"] >= 4
    assert tags["/Table"] >= 2 and tags["/TH"] >= 6 and tags["/TD"] >= 10
    assert tags["/L"] >= 1 and tags["/LI"] >= 1
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)


def test_the_district_pdf_reads_each_status_next_to_its_count(printed):
    view = district_data("KY-003", printed / "cohort.toml")
    text = pypdf.PdfReader(printed / "district.pdf").pages[0].extract_text()
    glance = text.split("At a glance", 1)[1]
    read = re.findall(r"● ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\s+(\d+)", glance)[:len(view["counts"])]
    assert read == [(s, str(n)) for s, n in view["counts"].items()]
    # the headings come in the order the page gives them
    order = [text.index(h) for h in ("monthly status report", "At a glance", "The plan")]
    assert order == sorted(order)


def words(pdf: Path) -> list[tuple[int, float, float, str]]:
    """(page, top, height, text) of every word, from pdftotext's boxes."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    out, page = [], 0
    for line in xml.splitlines():
        if "<page " in line:
            page += 1
        found = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', line)
        if found:
            top, bottom = float(found.group(1)), float(found.group(2))
            out.append((page, top, bottom - top, found.group(3)))
    return out


@pytest.mark.parametrize("name", ["district.pdf", "cohort.pdf"])
def test_no_printed_text_is_under_7_pt(printed, name):
    small = [(p, w, round(h / DEJAVU_HEIGHT, 2)) for p, _, h, w in words(printed / name)
             if h / DEJAVU_HEIGHT < 7 - 0.01]
    assert small == []
    if name == "district.pdf":  # the measures' charts' month labels, read as text
        charts = [h / DEJAVU_HEIGHT for _, _, h, w in words(printed / name)
                  if w in ("Jul", "Sep")]
        assert charts and min(charts) >= 7


def test_the_cohort_pdf_has_no_near_empty_page(printed):
    """The districts flow: each page but the last is filled at least half way down (a
    district moves to the next page only when it would not fit), and no page holds only
    the line saying every district was read."""
    by_page: dict[int, list[tuple[float, str]]] = {}
    for page, top, _, word in words(printed / "cohort.pdf"):
        by_page.setdefault(page, []).append((top, word))
    height = 792
    for page, found in sorted(by_page.items())[:-1]:
        body = [top for top, w in found if 0.75 * 72 < top < height - 0.7 * 72]
        assert max(body) > height / 2, f"page {page} is less than half full"
    assert len(by_page) <= 1 + 6 + 1  # the summary, at most a page a district, the trend
