"""The release build: an sdist and a pure wheel, which installs and runs in a fresh venv.

The wheel is what xlwings Lite installs: pure Python, so Pyodide (Python 3.14 there) can
take it. Built with ``python -m build`` from a copy of the project, so the working tree gets
no build/ or egg-info.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from sheetsync import __version__

pytest.importorskip("build", reason="needs the 'build' package (pip install -e .[test])")

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE", "CHANGELOG.md",
                 "RELEASING.md")
COMPILED = (".so", ".pyd", ".dll", ".dylib", ".c", ".cpp", ".pyx", ".pxd", ".o", ".a")
# Dependencies xlwings Lite installs (those without an emscripten marker) must be pure
# Python or built by Pyodide itself; anything else needs the marker. (pydantic, which Pyodide
# builds, is no longer one: the planning model is plain classes.)
PYODIDE_OK = {"openpyxl", "defusedxml", "click", "xlsxwriter"}
OFFLINE = re.compile(r"Could not find a version|No matching distribution|Failed to establish|"
                     r"Temporary failure in name resolution|ConnectionError|Network is unreachable")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build``'s output, sdist and wheel, as RELEASING.md makes them."""
    project = tmp_path_factory.mktemp("project")
    for name in PROJECT_FILES:
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, project / name)
    for folder in ("src", "addin"):
        shutil.copytree(ROOT / folder, project / folder,
                        ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "*.pyc"))
    out = project / "dist"
    run = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(project)],
                         capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        if OFFLINE.search(run.stdout + run.stderr):
            pytest.skip("cannot fetch the build backend (offline?)")
        pytest.fail(f"python -m build failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (found,) = dist.glob("*.whl")
    return found


def test_wheel_is_pure_python(wheel: Path) -> None:
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
        tags = zf.read(meta).decode()
    assert "Root-Is-Purelib: true" in tags
    assert "Tag: py3-none-any" in tags
    assert not [n for n in names if n.lower().endswith(COMPILED) or ".cpython-" in n]
    assert "sheetsync/udfs.py" in names


def test_lite_installs_only_pure_or_pyodide_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        lines = zf.read(meta).decode().splitlines()
    requires = [ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Requires-Dist:")]
    installed_in_lite = [r for r in requires
                         if "emscripten" not in r and "extra ==" not in r]
    names = {re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0].lower() for r in installed_in_lite}
    assert names <= PYODIDE_OK, f"give these an emscripten marker: {names - PYODIDE_OK}"
    calamine = [r for r in requires if r.startswith("python-calamine")]
    assert calamine and 'sys_platform != "emscripten"' in calamine[0]


def test_sdist_holds_the_docs_and_the_addin(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    assert sdist.name == f"sheetsync_scorecard-{__version__}.tar.gz"
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "RELEASING.md",
            "src/sheetsync/__init__.py", "src/sheetsync/udfs.py", "src/sheetsync/py.typed",
            "addin/README.md", "addin/lite/main.py", "addin/lite/requirements.txt"} <= names
    if (ROOT / "LICENSE").exists():
        assert "LICENSE" in names


def test_wheel_is_this_distribution_and_version(wheel: Path) -> None:
    assert wheel.name == f"sheetsync_scorecard-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        info = f"sheetsync_scorecard-{__version__}.dist-info"
        meta = zf.read(f"{info}/METADATA").decode().splitlines()
        scripts = zf.read(f"{info}/entry_points.txt").decode()
    assert "Name: sheetsync-scorecard" in meta and f"Version: {__version__}" in meta
    assert "sheetsync = sheetsync.cli:main" in scripts


def readme_wheel_line() -> list[str]:
    """The README's install line for the wheel a facilitator hands out, as words."""
    text = (ROOT / "README.md").read_text()
    (line,) = re.findall(r"^pip install (sheetsync_scorecard-\S+\.whl)$", text, re.MULTILINE)
    return ["pip", "install", line]


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_venv_and_runs(wheel: Path, tmp_path: Path) -> None:
    """The README's wheel line, run by a new venv's pip (dependencies from the package index);
    then the command from that venv, with nothing of this checkout on its path."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    pip, install, target = readme_wheel_line()
    assert target == wheel.name, "README.md names another wheel than the build makes"
    run = subprocess.run([str(bin_dir / "python"), "-m", pip, install, target],
                         cwd=wheel.parent, env=env, capture_output=True, text=True, timeout=600)
    if run.returncode != 0 and OFFLINE.search(run.stdout + run.stderr):
        pytest.skip(f"the package index is unreachable, so the wheel's dependencies cannot be "
                    f"installed: {run.stderr.strip().splitlines()[-1]}")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]

    def sheetsync(*args: str) -> str:
        done = subprocess.run([str(bin_dir / "sheetsync"), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "pull" in sheetsync("--help") and "example" in sheetsync("--help")
    assert sheetsync("--version") == f"sheetsync, version {__version__}\n"
    assert "Wrote 6 district workbooks" in sheetsync("example", "examples")
    assert len(list((tmp_path / "examples" / "districts").glob("*.xlsx"))) == 6
    assert (tmp_path / "examples" / "cohort.toml").exists()
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import importlib.metadata as m, json, sheetsync; "
         "print(sheetsync.__file__); print(json.dumps([d.name for d in m.distributions()]))"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=True)
    module_file, names = where.stdout.splitlines()
    assert Path(module_file).is_relative_to(venv)  # the installed copy ran, not the checkout
    installed = {name.lower().replace("_", "-") for name in json.loads(names)}
    assert "sheetsync-scorecard" in installed and "sheetsync" not in installed
