"""The wheel xlwings Lite installs: pure Python, so Pyodide (Python 3.14 there) can take it.

Built from a copy of the project, so the working tree gets no build/ or egg-info.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("build", reason="needs the 'build' package (pip install -e .[test])")

ROOT = Path(__file__).resolve().parents[1]
COMPILED = (".so", ".pyd", ".dll", ".dylib", ".c", ".cpp", ".pyx", ".pxd", ".o", ".a")
# Dependencies xlwings Lite installs (those without an emscripten marker) must be pure
# Python or built by Pyodide itself (pydantic is); anything else needs the marker.
PYODIDE_OK = {"pydantic", "openpyxl", "defusedxml", "click", "xlsxwriter"}
OFFLINE = re.compile(r"Could not find a version|No matching distribution|Failed to establish|"
                     r"Temporary failure in name resolution|ConnectionError|Network is unreachable")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src",
                    ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "*.pyc"))
    dist = project / "dist"
    run = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist),
                          str(project)], capture_output=True, text=True, timeout=600)
    if run.returncode != 0:
        if OFFLINE.search(run.stdout + run.stderr):
            pytest.skip("cannot fetch the build backend (offline?)")
        pytest.fail(f"python -m build failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}")
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
