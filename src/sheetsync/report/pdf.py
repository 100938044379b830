"""The reports as PDF: the same HTML, printed by WeasyPrint on US Letter.

The page header carries the district and month (CSS ``string-set``), the footer the page
number. WeasyPrint fetches nothing: every URL is refused, so a report never reaches out.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..errors import MissingDependency, SheetsyncError


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    raise SheetsyncError(f"a report does not fetch anything ({url})")


def write_pdf(html: str, path: Path) -> Path:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        raise MissingDependency("weasyprint", f"PDF reports ({exc})") from None
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)  # it warns about every SVG style property it passes on
    try:
        weasyprint.HTML(string=html, url_fetcher=_refuse).write_pdf(str(path))
    finally:
        log.setLevel(level)
    return path
