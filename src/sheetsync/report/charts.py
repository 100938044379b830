"""Charts as inline SVG, written from numbers by ``svgchart``.

Text stays text, ids are stable and nothing links outside the file. Charts carry numbers
only: names and titles come from the page, so no district text ever passes through the
chart. Charts already drawn can be kept in a ``ChartCache`` between runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from sheetsync.report import svgchart

ACTUAL, EXPECTED, TARGET = svgchart.ACTUAL, svgchart.EXPECTED, svgchart.TARGET


def drawing_version() -> str:
    """A hash of the code that draws the charts: any change to it (a colour, a size, a
    label) gives new cache keys, so a cache never serves a chart drawn the old way."""
    digest = hashlib.sha256()
    for module in (svgchart.__file__, __file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


class ChartCache:
    """Charts already drawn, by a hash of what they show (and of the code drawing them),
    kept as files in ``folder`` (the cohort's ``.sheetsync/report-cache``): a district
    whose numbers did not change since the last report is not drawn again. Each file
    appears whole (written beside and renamed), so processes can share the folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.used: set[str] = set()  # keys asked for: what this build needs kept

    def get(self, key: str) -> str | None:
        self.used.add(key)
        try:
            return (self.folder / f"{key}.svg").read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str, svg: str) -> None:
        """Written beside under this process's name, then renamed: half the cost of a
        ``files.replacing`` (which also makes the file private while it is written),
        and a chart is no secret."""
        tmp = self.folder / f".{key}.{os.getpid()}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(svg, encoding="utf-8")
            os.replace(tmp, self.folder / f"{key}.svg")
        except OSError:  # a cache that cannot be written only costs time
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def prune_cache(folder: Path, keep: set[str]) -> int:
    """Delete the cached charts whose keys are not in ``keep`` (the ones the latest build
    used); how many were deleted. A chart another build drew meanwhile is only redrawn."""
    gone = 0
    for path in folder.glob("*.svg"):
        if path.stem not in keep:
            try:
                path.unlink()
                gone += 1
            except OSError:
                pass
    return gone


def chart_key(kind: str, shown: Any) -> str:
    """What a chart shows, with the drawing code's version, as a hash."""
    text = json.dumps([CHART_VERSION, kind, shown], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _cached(cache: ChartCache | None, kind: str, shown: Any, draw: Any) -> str:
    """``draw()``, or the chart the cache kept for the same ``shown`` numbers."""
    if cache is None:
        return str(draw())
    key = chart_key(kind, shown)
    svg = cache.get(key)
    if svg is None:
        svg = draw()
        cache.put(key, svg)
    return svg


CHART_VERSION = drawing_version()  # old cached charts are not used after a change


def measure_chart(series: dict[str, Any], uid: str,
                  cache: ChartCache | None = None) -> str | None:
    """Monthly actuals against the expected path and the target, on an axis that takes in
    the baseline; None with no actuals."""
    points = [(i, v) for i, v in enumerate(series["actual"]) if v is not None]
    if not points:
        return None
    shown = {k: series.get(k) for k in ("months", "actual", "expected", "target", "unit",
                                         "baseline")}
    svg = _cached(cache, "measure", shown, lambda: svgchart.measure_svg(
        tuple(series["months"]), points, series["expected"], series["target"],
        series["unit"], series.get("baseline")))
    return _unique_ids(svg, uid)


def trend_chart(points: list[dict[str, Any]], uid: str,
                cache: ChartCache | None = None) -> str | None:
    """The share of measures on track or met, by month (0 to 100%)."""
    shown = [p for p in points if p["share"] is not None]
    if not shown:
        return None
    numbers = [(p["share"], p["label"][:3]) for p in shown]
    return _unique_ids(_cached(cache, "trend", numbers, lambda: _draw_trend(shown)), uid)


def _draw_trend(shown: list[dict[str, Any]]) -> str:
    return svgchart.trend_svg([(p["share"], p["label"][:3]) for p in shown])


_ID = re.compile(r'(id="|url\(#|href="#)([A-Za-z_][\w.-]*)')


def _unique_ids(svg: str, uid: str) -> str:
    """Prefix every id (and reference to one) so many inline charts share one page."""
    return _ID.sub(lambda m: f"{m.group(1)}{uid}-{m.group(2)}", svg)
