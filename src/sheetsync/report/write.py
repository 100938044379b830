"""Writing a report: OUT's suffix picks HTML, PDF or JSON (the plain data the pages show);
files appear whole or not at all."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import NoSnapshot, ReportError
from sheetsync.files import replacing
from sheetsync.report.cohort import cohort_view
from sheetsync.report.data import public_view, view_from_file, view_from_store
from sheetsync.report.html import render_cohort, render_district, stylesheet
from sheetsync.report.pdf import write_pdf
from sheetsync.report.pdfparts import cpu_count, write_pdf_in_parts
from sheetsync.report.site import write_site

Progress = Callable[[str, int], None]  # (what is being done, how many steps it has): a step done
FORMATS = (".html", ".pdf", ".json")  # .json: the plain data the pages are rendered from



def output_format(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"{out}: the output must end in .html, .pdf or .json")
    return suffix[1:]


def write_json(view: dict[str, Any], out: Path) -> Path:
    with replacing(out, suffix=".json") as tmp:
        tmp.write_text(json.dumps(view, indent=1, default=str), encoding="utf-8")
    return out


def write_document(html: str, out: Path, fmt: str) -> Path:
    with replacing(out, suffix=out.suffix) as tmp:
        if fmt == "pdf":
            write_pdf(html, tmp)
        else:
            tmp.write_text(html, encoding="utf-8")
    return out


def district_data(what: str, cohort_path: Path | None = None, month: str | None = None,
                  as_of: date | None = None) -> dict[str, Any]:
    """The district's view: WHAT is a workbook to read and check, else a district id."""
    if Path(what).is_file():
        if month:
            raise ReportError("--month picks a stored snapshot; with a FILE use --as-of")
        return view_from_file(what, as_of)

    cohort = load_cohort(cohort_path)
    known = {d.id: d for d in cohort.districts}
    if what not in known:
        raise ReportError(f"{what} is neither a file nor a district of {cohort.path} "
                          f"(its districts: {', '.join(known) or 'none'})")
    if as_of:
        raise ReportError("--as-of recomputes from a file; for a past month of the cohort "
                          "use --month YYYY-MM")
    if not cohort.store_path.exists():
        raise NoSnapshot(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    with Store(cohort.store_path) as store:
        return view_from_store(store, what, known[what].name, month)


def district_report(what: str, out: Path, cohort_path: Path | None = None,
                    month: str | None = None, as_of: date | None = None,
                    public: bool = False) -> Path:
    fmt = output_format(out)
    view = district_data(what, cohort_path, month, as_of)
    if public:
        view = public_view(view)
    if fmt == "json":
        return write_json(view, out)
    return write_document(render_district(view, for_print=fmt == "pdf"), out, fmt)


def cohort_data(cohort_path: Path | None = None, month: str | None = None,
                progress: Progress | None = None) -> dict[str, Any]:
    cohort = load_cohort(cohort_path)
    if not cohort.store_path.exists():
        raise NoSnapshot(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    with Store(cohort.store_path) as store:
        return cohort_view(cohort, store, month, progress)


PART = 25  # districts printed at a time: WeasyPrint holds about 2 MB a laid-out page


def cohort_report(out: Path, cohort_path: Path | None = None, month: str | None = None,
                  progress: Progress | None = None, workers: int | None = None,
                  ) -> dict[str, Any]:
    """Write the cohort report; its view (the data it shows). A PDF of up to ``PART``
    districts is printed whole (tagged, the districts flowing from page to page); a longer
    one in parts of ``PART`` districts on ``workers`` processes (default: every core),
    joined untagged (pdfparts.py says why)."""
    fmt = output_format(out)
    view = cohort_data(cohort_path, month, progress)
    if fmt == "json":
        write_json(view, out)
    elif fmt == "pdf" and len(view["districts"]) <= PART:  # one document: tagged, flowing
        write_document(render_cohort(view, for_print=True), out, fmt)
    elif fmt == "pdf":
        with replacing(out, suffix=".pdf") as tmp:
            write_pdf_in_parts(cohort_parts(view), stylesheet(), tmp,
                               workers or cpu_count(), progress)
    else:
        write_document(render_cohort(view), out, fmt)
    return view


def cohort_parts(view: dict[str, Any], size: int | None = None) -> list[str]:
    """The cohort report for print in parts: the summary, then ``size`` (``PART``)
    districts' pages at a time (each part begins a page)."""
    districts, size = view["districts"], size or PART
    return [render_cohort(view, for_print=True, pages=[]), *(
        render_cohort(view, for_print=True, summary=False, pages=districts[i:i + size])
        for i in range(0, len(districts), size))]


def site_report(out: Path, cohort_path: Path | None = None, public: bool = False,
                progress: Progress | None = None, workers: int | None = None,
                keep_charts: bool = False) -> list[Path]:
    """The static site of the cohort's latest pull; district pages are drawn on every
    core. ``keep_charts``: keep the charts drawn in the cohort's ``.sheetsync/report-cache``
    for the next build (off: a chart costs 0.2 ms to draw and about 1 ms to keep as a file,
    and reading it back saves nothing)."""

    cohort = load_cohort(cohort_path)
    view = cohort_data(cohort.path, progress=progress)
    return write_site(view, out, public, progress=progress,
                      cache=cohort.store_path.parent / "report-cache" if keep_charts else None,
                      workers=workers or os.cpu_count() or 1)
