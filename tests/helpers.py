"""Helpers the tests share, imported from here (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import shutil
import socket
from datetime import date
from pathlib import Path

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
