"""What ``distribute`` says of each copy it made (a record per district or school), and
the file names and cohort-relative paths it gives them."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort, District


def record(d: District, status: str, reason: str | None = None,
            shared_with: Iterable[str] = ()) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "status": status, "source": d.source,
            "shared_with": list(shared_with), "reason": reason}


def safe_name(name: str) -> str:
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "-", name).strip(" .")


def relative(cohort: Cohort, path: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), cohort.folder.resolve())
    except ValueError:  # another drive on Windows
        return str(path.resolve())


__all__ = ["record", "relative", "safe_name"]
