"""Edit a workbook in LibreOffice as a person does, through LibreOffice's own API (UNO).

Run by the Python that has LibreOffice's ``uno`` module (Debian's python3-uno), not by the
tests' Python: ``python3 tests/lo_edit.py SOURCE OUT STEPS.json PROFILE_URL``. It starts a
headless soffice with a private profile, opens SOURCE, carries out the steps, lets
LibreOffice recalculate, and saves OUT as .xlsx. A step is a JSON object:

- ``{"sheet": "Measures", "insert_row": 6}``: insert a row above row 6, as Insert > Rows Above
  (the sheet's own rows move down; formulas referring to them follow);
- ``{"sheet": "Measures", "type": "F6", "text": "58%"}``: select F6 and type ``58%`` and
  Enter, through the dispatcher's EnterString, which reads the text as the keyboard's input
  line does (a typed 58% becomes 0.58 with a percent format; 11/15 becomes a date).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]  # LibreOffice's, in Debian's python3-uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, soffice: subprocess.Popen[bytes]) -> object:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(600):
        if soffice.poll() is not None:
            raise SystemExit(f"soffice exited with {soffice.returncode}")
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:  # not listening yet
            time.sleep(0.1)
    raise SystemExit("soffice did not start in 60 s")


def main(source: str, out: str, steps_file: str, profile: str) -> None:
    with open(steps_file, encoding="utf-8") as f:
        steps = json.load(f)
    pipe = f"sheetsync_lo_edit_{abs(hash((out, time.time())))}"
    soffice = subprocess.Popen(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--invisible",
         "--norestore", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    desktop = None
    try:
        ctx = connect(pipe, soffice)
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", ctx)
        # Hidden: a document shown in a headless LibreOffice 7.4 crashes it (SvpSalInstance)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                           (prop("Hidden", True),))
        if doc is None:  # a lock file beside it, or not a workbook
            raise SystemExit(f"LibreOffice could not open {source}")
        frame = doc.getCurrentController().getFrame()
        for step in steps:
            sheet = doc.getSheets().getByName(step["sheet"])
            doc.getCurrentController().setActiveSheet(sheet)
            if "insert_row" in step:
                sheet.getRows().insertByIndex(step["insert_row"] - 1, 1)
            else:
                cell = sheet.getCellRangeByName(step["type"])
                doc.getCurrentController().select(cell)
                dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0,
                                           (prop("StringName", step["text"]),))
        doc.calculateAll()
        doc.storeToURL(uno.systemPathToFileUrl(out),
                       (prop("FilterName", "Calc MS Excel 2007 XML"),))
        # not doc.close(): a headless 7.4 sometimes crashes closing it; the file is saved and
        # terminating the office ends the document with it
    finally:
        with contextlib.suppress(Exception):  # already gone
            desktop.terminate()
        try:
            soffice.wait(timeout=30)
        except subprocess.TimeoutExpired:
            soffice.kill()


if __name__ == "__main__":
    main(*sys.argv[1:5])
