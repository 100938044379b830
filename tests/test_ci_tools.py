"""In CI, the real things the tests drive are there: a missing one would skip their tests
quietly (LibreOffice, Chromium, poppler, an SMTP server, WeasyPrint, the
service's web stack), so CI fails instead."""

from __future__ import annotations

import importlib
import os
import shutil

import pytest

from tests.libreoffice import UNO_PYTHON
from tests.pagecheck import AXE

pytestmark = pytest.mark.skipif(not os.environ.get("CI"), reason="CI only: a developer's "
                                "machine may lack a tool and skip its tests")

PROGRAMS = {
    "soffice": "LibreOffice recalculates the template (the formula and differential tests)",
    "chromium": "headless Chromium opens the reports (tests/report/test_report_browser.py)",
    "pdftotext": "the PDF reports and the printed template are read back",
    "pdfinfo": "printed pages are counted (tests/template/test_print.py)",
}
MODULES = {
    "aiosmtpd": "a real SMTP server on loopback (tests/remind/test_remind.py)",
    "playwright.sync_api": "drives the system's Chromium",
    "weasyprint": "prints the PDF reports (needs Pango)",
    "pypdf": "joins the parts of a long PDF report (tests/report/test_report_pdf_parts.py)",
    "cryptography.x509": "the self-signed certificate of the STARTTLS test",
    "hypothesis": "the differential and property tests",
    "starlette": "sheetsync serve (tests/serve/)",
    "uvicorn": "sheetsync serve runs under it",
    "httpx": "the serve tests talk HTTP to the real process",
    "formulas": "the second formula engine (tests/check/test_formula_engine.py)",
}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
def test_ci_has_the_program(program: str) -> None:
    assert shutil.which(program), f"{program} is missing in CI: {PROGRAMS[program]}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_ci_has_the_module(module: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError as exc:
        pytest.fail(f"{module} cannot be imported in CI ({exc}): {MODULES[module]}")
    except OSError as exc:  # WeasyPrint without Pango
        pytest.fail(f"{module} cannot be loaded in CI ({exc}): {MODULES[module]}")


def test_ci_has_libreoffices_python_bridge() -> None:
    assert UNO_PYTHON, ("python3-uno is missing in CI: tests/template/"
                        "test_edited_in_libreoffice.py inserts rows and types through it")


def test_ci_has_axe_core() -> None:
    """axe-core (npm) checks every kind of report page (tests/report/test_report_layout.py)."""
    assert AXE.is_file(), f"axe-core is missing in CI at {AXE}: .ci/run installs it with npm"
