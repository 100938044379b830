"""Helpers the tests share, imported from here (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import shutil
import socket
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

AS_OF = date(2027, 1, 20)  # mid-year: actuals through December, January's not yet due


def free_port() -> int:
    """A TCP port on loopback nobody listens on (for a test's own server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_cohort(source: Path, folder: Path, *, unpulled: bool = False) -> Path:
    """A copy of the cohort folder ``source`` at ``folder`` (returned); ``unpulled`` leaves
    out what a pull wrote (the store and the master)."""
    ignore = shutil.ignore_patterns(".sheetsync", "*master*") if unpulled else None
    shutil.copytree(source, folder, ignore=ignore)
    return folder


def openpyxl_grids(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of the workbook at ``path`` as rows of values (cached formula results)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}


def serial(value: Any) -> Any:
    """A date as Excel's serial number, the way xlwings Lite passes it to a function."""
    if isinstance(value, datetime):
        return (value - datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, date):
        return (value - date(1899, 12, 30)).days
    return value


def lite_grids(path: Path) -> dict[str, list[list[Any]]]:
    """The workbook's sheets as xlwings Lite passes them: dates as serial numbers."""
    return {n: [[serial(v) for v in row] for row in rows]
            for n, rows in openpyxl_grids(path).items()}


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
