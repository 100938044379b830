"""The Excel functions work where xlwings Lite runs them: Pyodide, without the dependencies
that carry ``sys_platform != "emscripten"``.

A subprocess refuses to import python-calamine, gspread, google.*, google-auth-oauthlib,
requests and xlwings (xlwings Lite brings its own xlwings, but sheetsync.udfs must not need
it), reports ``sys.platform`` as "emscripten" (``DATES_AS_NUMBERS`` reads it), imports
``sheetsync.udfs`` and calls every ``SHEETSYNC_*`` function on the example workbooks' sheets,
passed as Lite passes them (2-D lists, dates as serial numbers). The answers must equal
CPython's with everything installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sheetsync import udfs
from sheetsync.excel import arguments as excel_arguments
from sheetsync.template.examples import write_examples
from tests.helpers import lite_grids, serial

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2027, 1, 20)
REFUSED = ("python_calamine", "gspread", "google", "google_auth_oauthlib", "requests", "xlwings")

CHILD = r'''
import importlib.abc, json, sys, sysconfig

REFUSED = set(sys.argv[3].split(","))


class RefuseAsInLite(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"No module named {name!r} (not in xlwings Lite)",
                                      name=name)
        return None


sys.meta_path.insert(0, RefuseAsInLite())
for name in list(sys.modules):  # nothing refused may come from an earlier import
    if name.split(".")[0] in REFUSED:
        del sys.modules[name]
sysconfig.get_config_vars()  # the stdlib reads its build settings by platform: read them first
sys.platform = "emscripten"

from sheetsync import udfs
from sheetsync.excel import arguments

for name in sorted(REFUSED):
    try:
        __import__(name)
    except ModuleNotFoundError:
        continue
    raise SystemExit(f"{name} was importable")

with open(sys.argv[1]) as f:
    workbooks = json.load(f)
results = {}
for quality, (grids, as_of) in workbooks.items():
    named = [x for name, rows in grids.items() for x in (name, rows)]
    results[quality] = {
        "SHEETSYNC_STATUS": udfs.SHEETSYNC_STATUS(grids["Measures"], as_of),
        "SHEETSYNC_PROGRESS": udfs.SHEETSYNC_PROGRESS(grids["Measures"], as_of),
        "SHEETSYNC_EXPECTED": udfs.SHEETSYNC_EXPECTED(grids["Measures"], as_of),
        "SHEETSYNC_SMART": udfs.SHEETSYNC_SMART(grids["Goals"], grids["Measures"],
                                                grids["Strategic Goals"]),
        "SHEETSYNC_CHECK": udfs.SHEETSYNC_CHECK(*named, as_of),
        "SHEETSYNC_ALIGNMENT": udfs.SHEETSYNC_ALIGNMENT(
            grids["Strategic Goals"], grids["Goals"], grids["Measures"], grids["Actions"],
            grids["Needs"]),
    }
loaded = sorted({m.split(".")[0] for m in sys.modules} & REFUSED)
with open(sys.argv[2], "w") as f:
    json.dump({"dates_as_numbers": arguments.DATES_AS_NUMBERS, "loaded": loaded,
               "functions": [f.__name__ for f in udfs.UDFS], "results": results}, f,
              default=str)
'''


def in_cpython(grids: dict[str, list[list[Any]]], as_of: float) -> dict[str, Any]:
    """The same calls here, with every dependency installed and Lite's date handling."""
    named = [x for name, rows in grids.items() for x in (name, rows)]
    out = {
        "SHEETSYNC_STATUS": udfs.SHEETSYNC_STATUS(grids["Measures"], as_of),
        "SHEETSYNC_PROGRESS": udfs.SHEETSYNC_PROGRESS(grids["Measures"], as_of),
        "SHEETSYNC_EXPECTED": udfs.SHEETSYNC_EXPECTED(grids["Measures"], as_of),
        "SHEETSYNC_SMART": udfs.SHEETSYNC_SMART(grids["Goals"], grids["Measures"],
                                                grids["Strategic Goals"]),
        "SHEETSYNC_CHECK": udfs.SHEETSYNC_CHECK(*named, as_of),
        "SHEETSYNC_ALIGNMENT": udfs.SHEETSYNC_ALIGNMENT(
            grids["Strategic Goals"], grids["Goals"], grids["Measures"], grids["Actions"],
            grids["Needs"]),
    }
    return json.loads(json.dumps(out, default=str))


def test_every_function_works_without_the_packages_lite_lacks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    districts = {d.quality: d.path for d in write_examples(tmp_path / "ex", 3, as_of=AS_OF)}
    workbooks = {q: (lite_grids(p), serial(AS_OF)) for q, p in districts.items()}
    (tmp_path / "in.json").write_text(json.dumps(workbooks))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    run = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "in.json"),
                          str(tmp_path / "out.json"), ",".join(REFUSED)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    lite = json.loads((tmp_path / "out.json").read_text())

    assert lite["dates_as_numbers"] is True and lite["loaded"] == []
    monkeypatch.setattr(excel_arguments, "DATES_AS_NUMBERS", True)
    for quality, (grids, as_of) in workbooks.items():
        assert set(lite["results"][quality]) == set(lite["functions"])  # every function called
        assert lite["results"][quality] == in_cpython(grids, as_of), quality
    checked = lite["results"]["messy"]["SHEETSYNC_CHECK"]
    assert checked[0] == ["Sheet", "Cell", "Severity", "Message"] and len(checked) > 10
    assert not any(str(v).startswith("sheetsync:")
                   for r in lite["results"].values() for out in r.values()
                   for row in out for v in (row if isinstance(row, list) else [row]))


PYODIDE_RUN = r"""
import { loadPyodide } from "pyodide";
import { readdirSync } from "fs";
const [wheels, data, refused] = process.argv.slice(2);
const py = await loadPyodide();
await py.loadPackage(readdirSync(wheels).map(f => `${wheels}/${f}`), { checkIntegrity: false });
py.FS.mkdirTree("/data");
py.FS.mount(py.FS.filesystems.NODEFS, { root: data }, "/data");
py.runPython(`
import sys
sys.argv = ["child", "/data/in.json", "/data/out.json", "${refused}"]
exec(open("/data/child.py").read())
`);
"""


def test_the_built_wheel_runs_in_real_pyodide(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt-in: the wheel in Pyodide itself (Python 3.14 under Node), as xlwings Lite runs it.

    Set SHEETSYNC_PYODIDE to a folder prepared once with
    ``npm install pyodide@314.0.8`` (node_modules/pyodide) and a ``wheels/`` folder holding
    the pure wheels of openpyxl, et-xmlfile, defusedxml, click and xlsxwriter (``pip download
    --no-deps`` each); and SHEETSYNC_WHEEL to the built
    sheetsync_scorecard wheel. The test writes its Node script, run.mjs, into that folder.
    """
    folder, built = os.environ.get("SHEETSYNC_PYODIDE"), os.environ.get("SHEETSYNC_WHEEL")
    if not (folder and built and shutil.which("node")):
        pytest.skip("opt-in: set SHEETSYNC_PYODIDE and SHEETSYNC_WHEEL (see the docstring)")
    wheels = tmp_path / "wheels"
    shutil.copytree(Path(folder) / "wheels", wheels)
    shutil.copy2(built, wheels)
    data = tmp_path / "data"
    data.mkdir()
    districts = {d.quality: d.path for d in write_examples(tmp_path / "ex", 3, as_of=AS_OF)}
    workbooks = {q: (lite_grids(p), serial(AS_OF)) for q, p in districts.items()}
    (data / "in.json").write_text(json.dumps(workbooks))
    (data / "child.py").write_text(CHILD)
    (Path(folder) / "run.mjs").write_text(PYODIDE_RUN)
    run = subprocess.run(["node", str(Path(folder) / "run.mjs"), str(wheels), str(data),
                          ",".join(REFUSED)],
                         cwd=folder, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    lite = json.loads((data / "out.json").read_text())
    assert lite["dates_as_numbers"] is True and lite["loaded"] == []
    monkeypatch.setattr(excel_arguments, "DATES_AS_NUMBERS", True)
    for quality, (grids, as_of) in workbooks.items():
        assert lite["results"][quality] == in_cpython(grids, as_of), quality
