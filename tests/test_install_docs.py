"""Every install line in the docs installs this project or one of its dependencies, nothing else.

On PyPI, ``sheetsync`` is an unrelated project from 2015: a doc that says ``pip install
sheetsync`` (or pins ``sheetsync==0.1.0``) would put someone else's code on a district
computer. This reads every ``pip install`` in the Markdown docs and ``.ci/run``, and every
line of every ``requirements*.txt``, and accepts only: the checkout (``.`` with known extras),
this version's wheel (a file or an https URL), this project's distribution name, and the
dependencies pyproject.toml declares (plus the release tools RELEASING.md uses).
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from pathlib import Path
from urllib.parse import urlparse

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from sheetsync import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DISTRIBUTION = canonicalize_name(PYPROJECT["project"]["name"])
WHEEL = f"sheetsync_scorecard-{__version__}-py3-none-any.whl"
RELEASE_TOOLS = {"build", "twine", "pip"}  # RELEASING.md and .ci/run install these
SKIP_DIRS = {".git", "build", "dist", ".venv", "venv", "node_modules", ".sheetsync", "example",
             "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}
PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+([^`\n&|;]*)")
# pip options followed by a value that is not a requirement
VALUED = {"-r", "--requirement", "-c", "--constraint", "-i", "--index-url", "--extra-index-url",
          "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--python-version",
          "--platform", "--implementation", "--abi", "--src", "--upgrade-strategy"}


def known_names() -> set[str]:
    project = PYPROJECT["project"]
    specs = [*project["dependencies"], *PYPROJECT["build-system"]["requires"],
             *(s for extra in project.get("optional-dependencies", {}).values() for s in extra)]
    return {DISTRIBUTION, *RELEASE_TOOLS} | {canonicalize_name(Requirement(s).name) for s in specs}


def doc_files() -> list[Path]:
    found = [ROOT / ".ci" / "run"]
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        found += [Path(folder) / f for f in sorted(files)
                  if f.endswith(".md") or re.fullmatch(r"requirements.*\.txt", f)]
    return found


def install_targets(text: str, requirements_file: bool) -> list[str]:
    """What each install line asks pip for: one entry per package, file, URL or path."""
    if requirements_file:
        lines = (ln.split(" #", 1)[0].strip() for ln in text.splitlines())
        return [ln for ln in lines if ln and not ln.startswith("#")]
    targets = []
    for command in PIP_INSTALL.findall(text):
        words = shlex.split(command.split(" #", 1)[0])
        skip_next = False
        for word in words:
            if skip_next:
                skip_next = False
            elif word in VALUED:
                skip_next = True
            elif not word.startswith("-"):
                targets.append(word)
    return targets


def problem(target: str, placeholder_version: bool = False) -> str | None:
    """Why ``target`` would install something other than this project, or None."""
    extras = set(PYPROJECT["project"].get("optional-dependencies", {}))
    checkout = re.fullmatch(r"\.(?:\[([\w,-]+)\])?", target)
    if checkout:
        unknown = set((checkout.group(1) or "").split(",")) - extras - {""}
        return f"{target}: unknown extra {sorted(unknown)}" if unknown else None
    if target.endswith(".whl"):
        return wheel_problem(target, placeholder_version)
    if "://" in target and "@" not in target.split("://")[0]:
        return f"{target}: a URL with no name; write '{DISTRIBUTION} @ {target}'"
    try:
        requirement = Requirement(target)
    except InvalidRequirement:
        return f"{target}: not a requirement pip reads"
    name = canonicalize_name(requirement.name)
    if name not in known_names():
        return (f"{target}: '{requirement.name}' is not this project ({DISTRIBUTION}) or one of "
                "its dependencies; on PyPI it may be someone else's package")
    return None


def wheel_problem(target: str, placeholder_version: bool) -> str | None:
    url = urlparse(target)
    if url.scheme and url.scheme != "https":
        return f"{target}: Excel's browser fetches the wheel only over https"
    filename = url.path.rsplit("/", 1)[-1]
    if placeholder_version:
        filename = filename.replace("X.Y.Z", __version__)
    try:
        name, version, _, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename:
        return f"{target}: not a wheel file name"
    if name != DISTRIBUTION or str(version) != __version__:
        return f"{target}: the wheel of this version is {WHEEL}"
    if {str(t) for t in tags} != {"py3-none-any"}:
        return f"{target}: the wheel is py3-none-any"
    return None


def doc_lines() -> dict[str, list[str]]:
    out = {}
    for path in doc_files():
        targets = install_targets(path.read_text(), path.suffix == ".txt")
        if targets:
            out[path.relative_to(ROOT).as_posix()] = targets
    return out


def test_every_install_line_installs_this_project_or_a_dependency() -> None:
    found = doc_lines()
    problems = [f"{doc}: {p}" for doc, targets in found.items() for t in targets
                if (p := problem(t, placeholder_version=doc == "RELEASING.md"))]
    assert not problems, "\n".join(problems)
    # the scan sees the lines that matter, so it cannot pass by finding nothing
    assert WHEEL in found["README.md"] and "." in found["README.md"]
    assert WHEEL in found["addin/README.md"]
    (lite,) = found["addin/lite/requirements.txt"]
    assert lite.startswith("https://") and lite.endswith("/" + WHEEL)


@pytest.mark.parametrize("line", [
    "pip install sheetsync",
    "pip install sheetsync==0.1.0",
    "pip install 'sheetsync>=0.1' xlwings",
    "python -m pip install --upgrade sheetsync",
    "pip install -U sheet-sync",
    "pip install sheetsync_scorecard-0.0.1-py3-none-any.whl",
    "pip install http://host.example/" + WHEEL,
    "pip install git+https://github.com/someone/sheetsync",
])
def test_an_install_line_for_another_project_fails(line: str) -> None:
    (target,) = [t for t in install_targets(line, False) if t != "xlwings"]
    assert problem(target)


@pytest.mark.parametrize("line", ["sheetsync==0.1.0", "sheetsync", "sheetsync-scorecard-lite"])
def test_a_requirements_line_for_another_project_fails(line: str) -> None:
    (target,) = install_targets(f"# xlwings Lite\n{line}\n", True)
    assert problem(target)


@pytest.mark.parametrize("line", [
    "pip install -e .", "pip install -e '.[test]'", "python3 -m pip install --quiet -e '.[test]'",
    f"pip install {WHEEL}", f"pip install https://wheels.example.org/{WHEEL}",
    "pip install sheetsync-scorecard", "pip install build twine",
    "pip install 'sheetsync-scorecard @ git+https://example.org/sheetsync.git'",
])
def test_this_projects_install_lines_pass(line: str) -> None:
    targets = install_targets(line, False)
    assert targets and [problem(t) for t in targets] == [None] * len(targets)
