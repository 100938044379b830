"""Charts as inline SVG, drawn by matplotlib's SVG backend.

Text stays text (``svg.fonttype: none``), ids are stable (``svg.hashsalt``) and nothing
links outside the file. Charts carry numbers only: names and titles come from the page,
so no district text ever passes through the chart. One small figure is reused for every
chart of a kind, which halves the time per chart.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from sheetsync.errors import MissingDependency
from sheetsync.schema.vocabulary import PERCENT

ACTUAL = "#1F4E99"  # dark blue: 8.6:1 on white
EXPECTED = "#595959"
TARGET = "#9C5700"
_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "sheetsync", "font.size": 7,
       "font.family": "sans-serif", "axes.edgecolor": "#595959", "axes.linewidth": 0.6,
       "xtick.color": "#404040", "ytick.color": "#404040", "xtick.major.size": 2,
       "ytick.major.size": 2}


@lru_cache(maxsize=1)
def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingDependency("matplotlib", "Report charts") from None
    mpl: Any = matplotlib  # its rcParams stubs list every key as a Literal
    mpl.use("svg")
    mpl.rcParams.update(_RC)
    return mpl


@lru_cache(maxsize=4)
def _figure(width: float, height: float) -> Any:
    _pyplot()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(left=0.14, right=0.98, top=0.95, bottom=0.2)
    return fig


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline in HTML
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    return re.sub(r'<svg ', '<svg aria-hidden="true" focusable="false" ', text, count=1)


class _Canvas:
    """One figure drawn again and again: only the lines' data and two labels change.

    matplotlib spends most of a small chart's time laying out axis ticks, so this chart
    has none: its frame, grid lines and labels are plain lines and texts made once (the
    month labels) or moved per chart (the lowest and highest value). About ten times
    quicker than a fresh figure per chart.
    """

    def __init__(self, width: float, height: float, months: tuple[str, ...]) -> None:
        _pyplot()
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(width, height))
        ax = self.ax = self.fig.add_axes((0.15, 0.2, 0.83, 0.74))
        ax.set_axis_off()
        n = len(months)
        ax.set_xlim(-0.5, n - 0.5)
        ax.plot([0, 0, 1], [1, 0, 0], color="#595959", lw=0.6, transform=ax.transAxes,
                clip_on=False)
        along = ax.get_yaxis_transform()  # x in axes units, y in data units
        self.grid = [ax.plot([0, 1], [0, 0], color="#D9D9D9", lw=0.5, transform=along)[0]
                     for _ in range(2)]
        self.labels = [ax.text(-0.02, 0, "", ha="right", va="center", transform=along,
                               color="#404040") for _ in range(2)]
        below = ax.get_xaxis_transform()  # x in data units, y in axes units
        self.months = [ax.text(i, -0.06, months[i], ha="center", va="top", transform=below,
                               color="#404040", gid=f"month_{i}") for i in range(0, n, 2)]
        self.months_svg: str | None = None
        self.expected, = ax.plot([], [], color=EXPECTED, lw=1, ls="--")
        self.target, = ax.plot([], [], color=TARGET, lw=1, ls=":")
        self.actual, = ax.plot([], [], color=ACTUAL, lw=1.6, marker="o", ms=3)

    def _with_months(self) -> str:
        """The chart's SVG with the month labels, which are the same on every chart of
        these months: drawn once, then pasted in (laying out text is half of a chart's
        time). They are the axes' last elements either way."""
        if self.months_svg is None:
            svg = _svg(self.fig)
            self.months_svg = "".join(_MONTH_GROUP.findall(svg))
            for text in self.months:
                text.set_visible(False)
            return svg
        svg = _svg(self.fig)
        end = svg.rindex(_AXES_END)
        return svg[:end] + self.months_svg + svg[end:]

    def draw(self, xs: list[float], actual: list[float], expected: list[float],
             target: float | None, unit: str | None) -> str:
        n = len(expected)
        self.expected.set_data(range(n), expected)
        self.target.set_data([-0.5, n - 0.5] if target is not None else [],
                             [target, target] if target is not None else [])
        self.actual.set_data(xs, actual)
        values = [v for v in (*actual, *expected, target) if v is not None and v == v]
        lo, hi = min(values), max(values)
        pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 1)
        self.ax.set_ylim(lo - pad, hi + pad)
        for i, (line, label, value) in enumerate(zip(self.grid, self.labels, (lo, hi),
                                                     strict=True)):
            shown = i == 0 or hi != lo  # a flat series has one label
            line.set_ydata([value, value])
            line.set_visible(shown)
            label.set_y(value)
            label.set_text(_tick(value, unit) if shown else "")
        return self._with_months()


_MONTH_GROUP = re.compile(r'   <g id="month_\d+">\n.*?\n   </g>\n', re.S)
_AXES_END = "  </g>\n </g>\n"  # the end of the axes, then of the figure


@lru_cache(maxsize=2)
def _canvas(months: tuple[str, ...]) -> _Canvas:
    return _Canvas(3.4, 1.35, months)


class ChartCache:
    """Charts already drawn, by a hash of what they show (and of the code drawing them),
    kept as files in ``folder`` (the cohort's ``.sheetsync/report-cache``): a district
    whose numbers did not change since the last report is not drawn again. Each file
    appears whole (written beside and renamed), so processes can share the folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> str | None:
        try:
            return (self.folder / f"{key}.svg").read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str, svg: str) -> None:
        from sheetsync.files import replacing

        try:
            with replacing(self.folder / f"{key}.svg", suffix=".svg") as tmp:
                tmp.write_text(svg, encoding="utf-8")
        except Exception:  # a cache that cannot be written only costs time
            pass


def chart_key(kind: str, shown: Any) -> str:
    """What a chart shows, with the drawing code's version, as a hash."""
    import matplotlib

    text = json.dumps([CHART_VERSION, matplotlib.__version__, kind, shown], default=str)
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


CHART_VERSION = 1  # raise when the chart's drawing changes: old cached charts are not used


def measure_chart(series: dict[str, Any], uid: str,
                  cache: ChartCache | None = None) -> str | None:
    """Monthly actuals against the expected path and the target; None with no actuals."""
    points = [(i, v) for i, v in enumerate(series["actual"]) if v is not None]
    if not points:
        return None
    shown = {k: series[k] for k in ("months", "actual", "expected", "target", "unit")}
    svg = _cached(cache, "measure", shown, lambda: _canvas(tuple(series["months"])).draw(
        [p[0] for p in points], [p[1] for p in points],
        [_nan(v) for v in series["expected"]], series["target"], series["unit"]))
    return _unique_ids(svg, uid)


def _tick(value: float, unit: str | None) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == PERCENT else text


def trend_chart(points: list[dict[str, Any]], uid: str,
                cache: ChartCache | None = None) -> str | None:
    """The share of measures on track or met, by month (0 to 100%)."""
    shown = [p for p in points if p["share"] is not None]
    if not shown:
        return None
    numbers = [(p["share"], p["label"][:3]) for p in shown]
    return _unique_ids(_cached(cache, "trend", numbers, lambda: _draw_trend(shown)), uid)


def _draw_trend(shown: list[dict[str, Any]]) -> str:
    fig = _figure(4.6, 1.6)
    fig.clear()
    ax = fig.add_subplot()
    x = list(range(len(shown)))
    ax.plot(x, [p["share"] * 100 for p in shown], color=ACTUAL, lw=1.8, marker="o", ms=3.5)
    ax.set_ylim(0, 100)
    ax.set_yticks([0, 50, 100], ["0%", "50%", "100%"])
    ax.set_xticks(x, [p["label"][:3] for p in shown])
    ax.set_xlim(-0.5, max(len(x) - 0.5, 0.5))
    _tidy(ax)
    return _svg(fig)


def _tidy(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#D9D9D9", lw=0.5)
    ax.set_axisbelow(True)


def _nan(v: float | None) -> float:
    return float("nan") if v is None else v


_ID = re.compile(r'(id="|url\(#|href="#)([A-Za-z_][\w.-]*)')


def _unique_ids(svg: str, uid: str) -> str:
    """Prefix every id (and reference to one) so many inline charts share one page."""
    return _ID.sub(lambda m: f"{m.group(1)}{uid}-{m.group(2)}", svg)
