"""A long report printed in parts and joined, so memory stays small.

WeasyPrint keeps every laid-out page of a document until it writes the PDF (about 2 MB a
page), so the cohort report of 200 districts printed whole needs 600 MB. Printed in parts
(the summary, then a few districts' pages at a time, each part beginning a page) a process
holds one part; the parts are printed on every core and joined with pypdf. Page numbers
("Page N of M") need the whole count, which no part knows: the parts are printed without
them, then a PDF of the numbers alone (the same ``@page`` rule, M empty pages) is laid over
the joined pages.

Joined this way a PDF loses its tags: pypdf copies pages, not the structure trees, and
merging those (their parent trees, marked-content ids and role maps, part by part) is not
something it offers. So the parts are printed untagged, and only a cohort too long to
print whole (more than ``write.PART`` districts) gets an untagged PDF; every shorter one
is printed as one tagged document.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sheetsync.errors import MissingDependency
from sheetsync.report.pdf import print_pdf

Progress = Callable[[str, int], None]
STAGE = "Printing the PDF"
# The parts leave the footer empty: the numbers come from the overlay.
NO_NUMBERS = "<style>@page { @bottom-right { content: none; } }</style>\n</head>"


def _pypdf() -> Any:
    try:
        import pypdf
    except ImportError:
        raise MissingDependency("pypdf", "PDF reports of many districts") from None
    return pypdf


def write_pdf_in_parts(parts: list[str], css: str, path: Path, workers: int = 1,
                       progress: Progress | None = None) -> int:
    """Print each HTML document of ``parts`` (whole documents, each starting a page) and
    join them into ``path``, numbered "Page N of M" by ``css``'s ``@page`` rule; the
    number of pages."""
    pypdf = _pypdf()
    steps = len(parts) + 1
    with _folder() as folder:
        files = [folder / f"part{i}.pdf" for i in range(len(parts))]
        jobs = [(html.replace("</head>", NO_NUMBERS, 1), f) for html, f in zip(parts, files,
                                                                                strict=True)]
        counts = []
        for count in _print_all(jobs, workers):
            counts.append(count)
            if progress:
                progress(STAGE, steps)
        total = sum(counts)
        numbers = folder / "numbers.pdf"
        print_pdf(number_pages(css, total), numbers, tagged=False)
        writer = pypdf.PdfWriter()
        for f in files:
            writer.append(str(f))
        for page, number in zip(writer.pages, pypdf.PdfReader(str(numbers)).pages,
                                strict=True):
            page.merge_page(number)
        first = pypdf.PdfReader(str(files[0])).metadata if files else None
        if first:
            writer.add_metadata(dict(first))
        with path.open("wb") as fh:
            writer.write(fh)
    if progress:
        progress(STAGE, steps)
    return total


def number_pages(css: str, total: int) -> str:
    """``total`` empty pages carrying only what ``css``'s ``@page`` rule puts in the
    margins (the page numbers; the running header is empty without its text)."""
    pages = '<div style="break-before: page"></div>' * total
    clear = "html, body { background: none; }"  # laid over the pages: paints no white
    return f"<!DOCTYPE html><html lang=\"en\"><head><style>{css}\n{clear}</style></head>" \
           f"<body>{pages}</body></html>"


def _print_all(jobs: list[tuple[str, Path]], workers: int) -> Iterator[int]:
    if workers < 2 or len(jobs) < 2:
        yield from (print_pdf(html, f, tagged=False) for html, f in jobs)
        return
    with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
        yield from pool.map(_print_job, jobs)


def _print_job(job: tuple[str, Path]) -> int:
    return print_pdf(*job, tagged=False)


@contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sheetsync-pdf-") as name:
        yield Path(name)


def cpu_count() -> int:
    return os.cpu_count() or 1
