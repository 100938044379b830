"""LibreOffice for the tests: where it is, the mark that skips without it, and one way to
have it recalculate and save (or print) workbooks."""

from __future__ import annotations

import itertools
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
    type into cells), recalculated and saved as ``out`` (.xlsx).

    The steps on each sheet run in a LibreOffice session of their own, which saves the
    workbook for the next, as a person who saves between sheets does: a headless
    LibreOffice 7.4 given rows inserted and typed into on five sheets in one session crashed
    at a random moment (mid-typing or saving: "Binary URP bridge disposed") in up to half
    of the runs on a busy machine, and in none of 50 one-sheet sessions. A session that
    crashes all the same is run again from its saved input, twice at most."""
    assert UNO_PYTHON, "LibreOffice's Python bridge is not installed"
    profile = out.parent / f"{out.stem}-lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    work = out.parent / f"{out.stem}-editing{source.suffix}"  # no lock file of anyone's
    shutil.copyfile(source, work)
    groups = [list(g) for _, g in itertools.groupby(steps, key=lambda step: step["sheet"])]
    for n, group in enumerate(groups or [[]]):
        saved = out.parent / f"{out.stem}-step{n}.xlsx"
        _session(work, saved, group, profile, timeout)
        shutil.move(saved, work)
    shutil.move(work, out)
    return out


def _session(source: Path, out: Path, steps: list[dict[str, object]], profile: Path,
             timeout: int, tries: int = 3) -> None:
    """One LibreOffice session of ``tests/lo_edit.py``: ``steps`` on ``source``, saved as
    ``out``; run again (from the same input) if LibreOffice crashed."""
    steps_file = out.with_suffix(".steps.json")
    steps_file.write_text(json.dumps(steps), encoding="utf-8")
    script = Path(__file__).with_name("lo_edit.py")
    for attempt in range(1, tries + 1):
        done = subprocess.run([str(UNO_PYTHON), str(script), str(source.resolve()),
                               str(out.resolve()), str(steps_file), profile.resolve().as_uri()],
                              capture_output=True, timeout=timeout, text=True)
        if done.returncode == 0:
            return
        crashed = "DisposedException" in done.stderr or "soffice exited" in done.stderr
        if not crashed or attempt == tries:
            raise AssertionError(f"LibreOffice editing {source.name} failed (try {attempt} of "
                                 f"{tries}, exit {done.returncode}):\n{done.stderr}")
