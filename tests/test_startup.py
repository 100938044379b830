"""`sheetsync --help` and every command's start import only what they use: the heavy
libraries load when a command runs, not when the CLI is imported."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("openpyxl", "pydantic", "python_calamine", "matplotlib", "jinja2", "weasyprint",
         "tomlkit", "gspread", "xlsxwriter")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    probe = ("import sys, sheetsync.cli; "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "", f"imported at start-up: {loaded}"
