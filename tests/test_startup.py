"""`sheetsync --help` and every command's start import only what they use: the heavy
libraries load when a command runs, not when the CLI is imported."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

HEAVY = ("openpyxl", "pydantic", "python_calamine", "matplotlib", "jinja2", "weasyprint",
         "tomlkit", "gspread", "xlsxwriter", "email.utils")
# Google's stack: a cohort without Google sheets (or a Google master) loads none of it.
GOOGLE = ("google.auth", "requests", "google_auth_oauthlib", "sheetsync.google.client")
# The pool of reading processes: a pull with fewer files to read than make one loads none.
# (ctypes, which the pool's workers load too, is not a sign of it: the master writer loads
# it to combine CRC-32s, master.package.)
POOL = ("multiprocessing", "concurrent.futures", "sheetsync.pull.pool")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    probe = ("import sys, sheetsync.cli; "
             f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "", f"imported at start-up: {loaded}"


PULL = ("import sys\n"
        "from sheetsync.cli import main\n"
        "try:\n"
        "    main(['pull'], standalone_mode=False)\n"
        "except BaseException:\n"
        "    pass\n"
        f"print('LOADED:' + ','.join(m for m in {HEAVY + GOOGLE + POOL!r} "
        "if m in sys.modules))\n")


def loaded_by_a_pull(folder: Path) -> str:
    out = subprocess.run([sys.executable, "-c", PULL], cwd=folder, capture_output=True,
                         text=True, check=True).stdout
    return out.rsplit("LOADED:", 1)[1].strip()


def test_a_pull_with_nothing_to_do_loads_no_heavy_library(tmp_path: Path) -> None:
    from sheetsync.template.examples import write_examples

    write_examples(tmp_path, 2, as_of=date.today())
    first = loaded_by_a_pull(tmp_path)  # reads both workbooks, writes the master
    assert {"python_calamine", "xlsxwriter"} <= set(first.split(",")), first
    assert not set(GOOGLE) & set(first.split(",")), f"a cohort without Google loaded {first}"
    assert not set(POOL) & set(first.split(",")), f"two files to read loaded {first}"
    assert (tmp_path / "cohort_master.xlsx").exists()
    again = loaded_by_a_pull(tmp_path)
    assert again == "", f"a pull with nothing to do imported {again}"


def test_help_loads_no_heavy_library() -> None:
    probe = ("import sys\nfrom sheetsync.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             f"print('LOADED:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert "Commands:" in out
    assert out.rsplit("LOADED:", 1)[1].strip() == ""
