"""One version, in one place, shown by ``sheetsync --version`` and stamped in the template."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from click.testing import CliRunner

from sheetsync import __version__
from sheetsync.cli.commands import main
from sheetsync.schema.layout import TEMPLATE_VERSION
from sheetsync.template.workbook import build_template

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_distribution_is_not_the_unrelated_sheetsync_on_pypi() -> None:
    assert PYPROJECT["project"]["name"] == "sheetsync-scorecard"
    assert PYPROJECT["project"]["scripts"] == {"sheetsync": "sheetsync.cli:main"}


def test_the_version_is_written_once_in_the_package() -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "sheetsync.__version__"}
    literal = re.compile(rf"""["']{re.escape(__version__)}["']""")
    written = [p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*.py")
               if literal.search(p.read_text())]
    assert written == ["src/sheetsync/__init__.py"]


def test_version_option_prints_the_package_version() -> None:
    run = CliRunner().invoke(main, ["--version"])
    assert run.exit_code == 0
    assert run.output == f"sheetsync, version {__version__}\n"


def test_template_names_the_sheetsync_version_that_made_it() -> None:
    stamp = build_template()["Instructions"]["A2"].value
    assert stamp == f"Template version {TEMPLATE_VERSION}. Made with sheetsync {__version__}."


def test_changelog_starts_with_this_version() -> None:
    headings = re.findall(r"^## (\S+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings and headings[0] == __version__
