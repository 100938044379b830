"""LibreOffice for the tests: where it is, the mark that skips without it, and one way to
have it recalculate and save (or print) workbooks."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = [pytest.mark.libreoffice,
                     pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed")]

# Recalculate every formula on load: openpyxl writes formulas with no cached values.
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(sources: Iterable[Path], out: Path, to: str = "xlsx", profile: Path | None = None,
            timeout: int = 300) -> list[Path]:
    """``sources`` recalculated by LibreOffice and saved as ``to`` (xlsx, fods, pdf) in
    ``out``, in one soffice run, with a private profile that recalculates on load."""
    assert SOFFICE, "LibreOffice is not installed"
    sources = list(sources)
    profile = profile or out.parent / f"{out.name}-lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", to, "--outdir", str(out), *map(str, sources)],
                   check=True, capture_output=True, timeout=timeout)
    return [out / f"{s.stem}.{to}" for s in sources]


def _uno_python() -> str | None:
    """A Python that has LibreOffice's ``uno`` module (Debian's python3-uno is for the
    system's Python, not necessarily the one running the tests)."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"],
                                        capture_output=True).returncode == 0:
            return candidate
    return None


UNO_PYTHON = _uno_python() if SOFFICE else None
needs_uno = [pytest.mark.libreoffice,
             pytest.mark.skipif(not UNO_PYTHON, reason="LibreOffice's Python bridge (python3-uno)"
                                                       " is not installed")]


def edit(source: Path, out: Path, steps: list[dict[str, object]], timeout: int = 300) -> Path:
    """``source`` edited in LibreOffice as a person does (``tests/lo_edit.py``: insert rows,
    type into cells), recalculated and saved as ``out`` (.xlsx)."""
    assert UNO_PYTHON, "LibreOffice's Python bridge is not installed"
    steps_file = out.with_suffix(".steps.json")
    steps_file.write_text(json.dumps(steps), encoding="utf-8")
    profile = out.parent / f"{out.stem}-lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    script = Path(__file__).with_name("lo_edit.py")
    work = out.parent / f"{out.stem}-editing{source.suffix}"  # no lock file of anyone's
    shutil.copyfile(source, work)
    subprocess.run([UNO_PYTHON, str(script), str(work.resolve()), str(out.resolve()),
                    str(steps_file), profile.resolve().as_uri()],
                   check=True, capture_output=True, timeout=timeout)
    return out
