"""LibreOffice for the tests: where it is, the mark that skips without it, and one way to
have it recalculate and save (or print) workbooks."""

from __future__ import annotations

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
