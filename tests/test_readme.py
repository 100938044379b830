"""The README's first two commands work, and CI runs the README's test command."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]


def fenced_blocks(text: str) -> list[tuple[str, list[str]]]:
    """The README's fenced blocks in order: (language, lines)."""
    blocks: list[tuple[str, list[str]]] = []
    body: list[str] | None = None
    language = ""
    for line in text.splitlines():
        if line.startswith("```"):
            if body is None:
                language, body = line[3:].strip(), []
            else:
                blocks.append((language, body))
                body = None
        elif body is not None:
            body.append(line)
    return blocks


def columns(header: str) -> list[str]:
    """A printed table's column names: separated by two spaces or more."""
    return re.split(r"\s{2,}", header.strip())


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
    printed = next(line for line in done.stdout.splitlines() if line.startswith("District"))
    blocks = fenced_blocks((ROOT / "README.md").read_text())
    shown = blocks[[lang for lang, _ in blocks].index("bash") + 1]  # the output after it
    assert shown[0] == "" and columns(shown[1][0]) == columns(printed)
    master = openpyxl.load_workbook(tmp_path / "example" / "cohort_master.xlsx", read_only=True)
    assert master.sheetnames == ["Summary", "Goals", "Measures", "Strategies", "Actions",
                                 "Updates", "Issues", "History"]
