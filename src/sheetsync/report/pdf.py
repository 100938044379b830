"""The reports as PDF: the same HTML, printed by WeasyPrint on US Letter.

The page header carries the district and month (CSS ``string-set``), the footer the page
number. Every PDF is tagged for screen readers (PDF/UA-1: headings, tables with their
header cells, lists and the reading order as a structure tree, with the page's language
and title), unless ``tagged=False``. WeasyPrint fetches nothing: every URL but the charts'
own data: URLs is refused, so a report never reaches out.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetsync.errors import MissingDependency, SheetsyncError


def _fetcher(weasyprint: Any) -> Any:
    """Only the charts' data: URLs are read; anything else is refused."""
    urls = weasyprint.urls
    if hasattr(urls, "URLFetcher"):  # newer WeasyPrint
        return urls.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith("data:"):
            return urls.default_url_fetcher(url, *args, **kwargs)
        raise SheetsyncError(f"a report does not fetch anything ({url})")

    return fetch


@lru_cache(maxsize=1)
def _font_config(pid: int) -> Any:
    """One font configuration per process (by its id: a forked worker makes its own), so
    fontconfig is asked for the fonts once, not for every PDF."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


VARIANT = "pdf/ua-1"  # WeasyPrint's accessible variant: tagged, with language and title


def write_pdf(html: str, path: Path) -> Path:
    print_pdf(html, path)
    return path


def print_pdf(html: str, path: Path, tagged: bool = True) -> int:
    """Print ``html`` into ``path`` (tagged as PDF/UA-1 unless ``tagged`` is False); the
    number of pages."""
    try:
        import weasyprint
        import weasyprint.urls
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        raise MissingDependency("weasyprint", f"PDF reports ({exc})") from None
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)  # it warns about every SVG style property it passes on
    fatal = getattr(weasyprint.urls, "FatalURLFetchingError", SheetsyncError)
    try:
        options = {"pdf_variant": VARIANT} if tagged else {}
        document = weasyprint.HTML(string=html, url_fetcher=_fetcher(weasyprint)).render(
            font_config=_font_config(os.getpid()), **options)
        document.write_pdf(str(path), **options)
        return len(document.pages)
    except fatal as exc:
        raise SheetsyncError(f"a report does not fetch anything ({exc})") from None
    finally:
        log.setLevel(level)
