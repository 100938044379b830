"""The README's first two commands work, and CI runs the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    return [b.strip() for b in blocks[:2]]


def test_ci_runs_the_test_command_the_readme_gives():
    test_command = readme_commands()[1]
    assert test_command.startswith("pip install -e '.[test]'") and "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command.replace("pip ", "python3 -m pip ").replace(
        "python -m pytest", "python3 -m pytest") in ci


def test_the_first_command_pulls_the_examples_into_a_master(tmp_path):
    first = readme_commands()[0]
    assert first.startswith("pip install -e . && ")
    main_job = first.removeprefix("pip install -e . && ")  # installed already
    sheetsync = shutil.which("sheetsync")
    assert sheetsync, "the sheetsync command is not on PATH"
    done = subprocess.run(main_job, shell=True, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 districts: 6 read" in done.stdout
    master = openpyxl.load_workbook(tmp_path / "example" / "cohort_master.xlsx", read_only=True)
    assert master.sheetnames == ["Summary", "Goals", "Measures", "Actions", "Updates",
                                 "Issues", "History"]
