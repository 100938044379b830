"""A static site: the cohort report as index.html and one page per district, relative
links only, so the folder can be published anywhere (a district website, SharePoint, any
static host) or opened from disk. Every page has its JSON twin beside it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sheetsync.files import replacing
from sheetsync.report.charts import ChartCache, prune_cache
from sheetsync.report.cohort import public_order
from sheetsync.report.data import public_view
from sheetsync.report.html import render_cohort, render_district

Progress = Callable[[str, int], None]  # (what is being done, how many steps): a step done


def page_name(district_id: str, taken: set[str]) -> str:
    """A safe, unique file name for a district's page."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", district_id).strip("-") or "district"
    name, n = f"{stem}.html", 1
    while name.lower() in taken:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name.lower())
    return name


def write_site(view: dict[str, Any], folder: Path, public: bool = False,
               progress: Progress | None = None, cache: Path | None = None,
               workers: int = 1) -> list[Path]:
    """Write index.html and districts/<id>.html into ``folder``, each page with its JSON
    twin (the data it shows) beside it; the HTML pages written. ``cache``: a folder
    keeping drawn charts between runs (charts this build did not use are deleted from
    it); ``workers``: processes drawing district pages (the pages are the same byte for
    byte however many there are)."""
    taken: set[str] = set()
    names = {d["id"]: page_name(d["id"], taken) for d in view["districts"]}
    jobs = [(public_view(d["view"]) if public else d["view"],
             folder / "districts" / names[d["id"]], cache) for d in view["districts"]]
    written, used = [], set()
    for path, keys in _pages(jobs, workers):
        written.append(path)
        used |= keys
        if progress:
            progress("Writing pages", len(jobs))
    links = {i: f"districts/{name}" for i, name in names.items()}
    index = render_cohort(view, links=links, compact=False, public=public)
    written.insert(0, _write(folder / "index.html", index))
    _write(folder / "index.json", json.dumps(_index_data(view, public), indent=1, default=str))
    if cache is not None:
        prune_cache(cache, used)
    return written


Job = tuple[dict[str, Any], Path, Path | None]


def _pages(jobs: list[Job], workers: int) -> Iterator[tuple[Path, set[str]]]:
    """Each district's page written, in order, with the cached charts it used; in
    ``workers`` processes when there are enough pages to be worth starting them."""
    if workers < 2 or len(jobs) < 2 * workers:
        yield from map(_district_page, jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(_district_page, jobs, chunksize=2)


def _district_page(job: Job) -> tuple[Path, set[str]]:
    page, path, cache = job
    charts = ChartCache(cache) if cache else None
    html = render_district(page, home="../index.html", cache=charts)
    _write(path, html)
    _write(path.with_suffix(".json"), json.dumps(page, indent=1, default=str))
    return path, charts.used if charts else set()


def _index_data(view: dict[str, Any], public: bool) -> dict[str, Any]:
    """The index's data: the cohort without each district's full view (its own page has
    it); public, without read problems, errors or warnings."""
    rows = []
    for d in view["districts"]:
        row = {k: v for k, v in d.items() if k != "view"}
        if public:
            row = {k: v for k, v in row.items() if k not in ("errors", "warnings")}
            row["failed"] = bool(d["failed"])
            a = row["attention"]  # its score as the page shows it: without the errors
            row["attention"] = {"rank": a["rank"], "score": a["public_score"],
                                "parts": [x for x in a["parts"] if x["public"]]}
        rows.append(row)
    if public:
        rows = public_order(rows)
    return {**view, "districts": rows, "failed": [r for r in rows if r["failed"]]}


def _write(path: Path, text: str) -> Path:
    with replacing(path, suffix=path.suffix) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
