"""A workbook as LibreOffice prints it, read back page by page with poppler's pdftotext:
each page's text in drawing order (a wrapped cell's lines stay together), its words with
their boxes (the height of a word's box is about its font size: 1.15 times it), and the
sheet its footer names ("<who> · <what>   <sheet>   Page n of N")."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from tests.libreoffice import SOFFICE, convert

PDFTOTEXT = shutil.which("pdftotext")


def needs_pdf(test: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a test that prints with LibreOffice and reads the PDF with poppler."""
    test = pytest.mark.libreoffice(test)
    return pytest.mark.skipif(not (SOFFICE and PDFTOTEXT),
                              reason="LibreOffice or poppler-utils is not installed")(test)

_XHTML = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    text: str  # in drawing order
    layout: str  # laid out as on the page
    words: tuple[Word, ...]
    width: float  # points
    height: float

    @property
    def footer(self) -> list[str]:
        """The footer's left, centre and right parts."""
        lines = [line for line in self.layout.splitlines() if line.strip()][-1:] or [""]
        return re.split(r"\s{2,}", lines[0].strip())

    @property
    def sheet(self) -> str:
        footer = self.footer
        return footer[1] if len(footer) == 3 else ""

    @property
    def text_height(self) -> float:
        """The median height of the page's word boxes, in points."""
        return median(w.height for w in self.words) if self.words else 0.0


def printed(source: Path, folder: Path) -> list[Page]:
    """``source`` printed to PDF by LibreOffice, page by page."""
    (pdf,) = convert([source.resolve()], folder.resolve(), to="pdf")
    raw, layout = (_pdftotext(pdf, mode).split("\f")[:-1] for mode in ("-raw", "-layout"))
    boxes = ET.fromstring(_pdftotext(pdf, "-bbox"))
    pages = boxes.iter(f"{_XHTML}page")
    return [Page(i, text, laid, tuple(_words(page)), float(page.get("width", 0)),
                 float(page.get("height", 0)))
            for i, (text, laid, page) in enumerate(zip(raw, layout, pages, strict=True), 1)]


def squashed(text: str) -> str:
    """Text as compared across line breaks: no spaces, no hyphens (a line may end at one)."""
    return re.sub(r"[\s\-‐]+", "", text)


def _pdftotext(pdf: Path, mode: str) -> str:
    assert PDFTOTEXT
    return subprocess.run([PDFTOTEXT, mode, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def _words(page: ET.Element) -> list[Word]:
    return [Word(w.text or "", *(float(w.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter(f"{_XHTML}word")]
