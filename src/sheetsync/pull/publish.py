"""The month published in one step: ``sheetsync publish``.

After a pull, ``publish(cohort, out, month)`` fills ``out/YYYY-MM/`` with

- ``cohort.html`` and ``cohort.pdf``: the cohort report;
- ``boards/<district>.pdf``: each district's board report (its public report, for print),
  printed on ``jobs`` processes (default: every core);
- ``site/``: the public static site (index.html and a page per district);
- ``index.html``: the month's page, linking all of them.

Running it again for the same month replaces only what changed: each file's source (the
HTML a PDF is printed from, or the file's own text) is hashed, and ``.published.json`` in
the month's folder keeps the hashes; a file whose source hash is unchanged and that is
still there is neither printed nor written again. Every file is written atomically, so a
reader sees the old one or the new one, whole. All of it comes from the store alone.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetsync.cohort.model import Cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import NoSnapshot
from sheetsync.files import replacing
from sheetsync.report.cohort import cohort_view
from sheetsync.report.data import public_view
from sheetsync.report.html import render_cohort, render_district, stylesheet
from sheetsync.report.pdf import write_pdf
from sheetsync.report.pdfparts import write_pdf_in_parts
from sheetsync.report.site import page_name, write_site
from sheetsync.report.write import PART, cohort_parts

MANIFEST = ".published.json"
Progress = Callable[[str, int], None]


@dataclass
class Published:
    folder: Path
    month: str
    written: list[str] = field(default_factory=list)  # paths relative to ``folder``
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    boards: dict[str, Path] = field(default_factory=dict)  # district id: its board PDF


def publish(cohort: Cohort, out: Path, month: str | None = None, jobs: int | None = None,
            progress: Progress | None = None) -> Published:
    """Publish ``month`` (default: the latest pull's) of ``cohort`` into ``out/<month>/``;
    what was written, left as it was, and removed."""
    if not cohort.store_path.exists():
        raise NoSnapshot(f"{cohort.store_path}: no pulls yet; run `sheetsync pull` first")
    with Store.reader(cohort.store_path) as store:
        view = cohort_view(cohort, store, month, progress)
    folder = Path(out) / view["month"]
    folder.mkdir(parents=True, exist_ok=True)
    done = Published(folder, view["month"])
    before = _manifest(folder)
    after: dict[str, str] = {}
    workers = max(1, jobs or os.cpu_count() or 1)

    def wanted(name: str, source: str) -> bool:
        """Whether ``name`` must be written from ``source`` (recorded either way)."""
        after[name] = digest(source)
        if before.get(name) == after[name] and (folder / name).is_file():
            done.unchanged.append(name)
            return False
        done.written.append(name)
        return True

    page = render_cohort(view)
    if wanted("cohort.html", page):
        _write_text(folder / "cohort.html", page)
    parts = cohort_parts(view) if len(view["districts"]) > PART else None
    printed = render_cohort(view, for_print=True) if parts is None else "\n".join(parts)
    if wanted("cohort.pdf", printed):
        with replacing(folder / "cohort.pdf", suffix=".pdf") as tmp:
            if parts is None:
                write_pdf(printed, tmp)
            else:
                write_pdf_in_parts(parts, stylesheet(), tmp, workers, progress)

    taken: set[str] = set()
    boards = []
    for d in view["districts"]:
        name = f"boards/{page_name(d['id'], taken).removesuffix('.html')}.pdf"
        done.boards[d["id"]] = folder / name
        source = render_district(public_view(d["view"]), for_print=True)
        if wanted(name, source):
            boards.append((source, str(folder / name)))
    for _ in _print_all(boards, workers):
        if progress:
            progress("Printing board reports", len(boards))

    for name, text in _site(view, workers):
        if wanted(name, text.decode("utf-8", "replace")):
            _write_bytes(folder / name, text)

    index = month_index(view, [n for n in after if n.startswith("boards/")])
    if wanted("index.html", index):
        _write_text(folder / "index.html", index)
    for name in sorted(set(before) - set(after)):  # a district no longer in the cohort
        (folder / name).unlink(missing_ok=True)
        done.removed.append(name)
    _write_text(folder / MANIFEST, json.dumps(after, indent=1, sort_keys=True))
    return done


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(folder: Path) -> dict[str, str]:
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _print_all(jobs: list[tuple[str, str]], workers: int) -> Iterator[str]:
    """Each board PDF printed (html, path), on ``workers`` processes when worth it."""
    if workers < 2 or len(jobs) < 2:
        yield from map(_print_one, jobs)
        return
    with ProcessPoolExecutor(min(workers, len(jobs))) as pool:
        yield from pool.map(_print_one, jobs)


def _print_one(job: tuple[str, str]) -> str:
    source, path = job
    with replacing(Path(path), suffix=".pdf") as tmp:
        write_pdf(source, tmp)
    return path


def _site(view: dict[str, Any], workers: int) -> Iterator[tuple[str, bytes]]:
    """The public site's files (``site/...``, their bytes), built in a scratch folder."""
    scratch = Path(tempfile.mkdtemp(prefix="sheetsync-site-"))
    try:
        write_site(view, scratch, public=True, workers=workers)
        for path in sorted(p for p in scratch.rglob("*") if p.is_file()):
            yield f"site/{path.relative_to(scratch).as_posix()}", path.read_bytes()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def month_index(view: dict[str, Any], boards: list[str]) -> str:
    """The month's page: the cohort report, the site and each district's board report."""
    e = html.escape
    title = f"{view['name']}: {view['month_label']}"
    names = {f"boards/{page_name(d['id'], set()).removesuffix('.html')}.pdf": d
             for d in view["districts"]}
    items = "\n".join(
        f'<li><a href="{e(b)}">{e(names[b]["id"])} {e(names[b]["name"] or "")}'
        f"</a></li>" for b in boards if b in names)
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(title)}</title></head>\n<body><main><h1>{e(title)}</h1>\n"
            f'<ul><li><a href="cohort.pdf">The cohort report (PDF)</a></li>'
            f'<li><a href="cohort.html">The cohort report (web page)</a></li>'
            f'<li><a href="site/index.html">The public site</a></li></ul>\n'
            f"<h2>Board reports</h2>\n<ul>\n{items}\n</ul></main></body></html>\n")


def _write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: Path, data: bytes) -> None:
    with replacing(path, suffix=path.suffix or ".tmp") as tmp:
        tmp.write_bytes(data)
