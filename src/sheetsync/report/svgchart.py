"""The report's two small charts written as SVG text: a measure's monthly actuals against
its expected path and target, and the share on track by month.

They are a few lines, dots and labels, so they are written directly instead of through a
charting library (0.05 ms a chart instead of 5-28 ms). Everything that is the same on every
chart of a size and months (the frame, the month labels) is written once. Text stays text,
and each chart carries a ``<title>`` and a ``<desc>`` with its numbers; in the pages the
figure's caption says them to screen readers, so the drawing itself is ``aria-hidden``.
Charts carry numbers and month abbreviations only: no district text passes through them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

ACTUAL = "#1F4E99"  # dark blue: 8.6:1 on white
EXPECTED = "#595959"
TARGET = "#9C5700"
AXIS = "#595959"
GRID = "#D9D9D9"
LABEL = "#404040"
# Every chart is drawn in CSS pixels at the size the page shows it (report.css gives the
# width: at most the drawn one on screen, so its text is never under FONT_SIZE pixels, and
# 7.5 pt or more in print).
FONT_SIZE = 12
FONT = 'font-family="DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif" ' \
       f'font-size="{FONT_SIZE}"'


def fmt(x: float) -> str:
    """A coordinate, short: 12.5, 40, 36.72."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def tick(value: float, unit: str | None, decimals: int | None = None) -> str:
    """An axis label or a value in words: 45.5%, 1,200; ``decimals`` fixes the places."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".") if decimals is None \
        else f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "%" else text


def nice_ticks(values: list[float], most: int = 5) -> tuple[list[float], int]:
    """Round ticks spanning every value (the baseline, the target, each actual and
    expected): steps of 1, 2 or 5 times a power of ten, at most about ``most`` of
    them, the lowest at or below the smallest value and the highest at or above the
    largest; and the decimal places the step needs."""
    lo, hi = min(values), max(values)
    if hi == lo:  # a flat series: room either side
        pad = max(abs(hi) * 0.2, 2.0)
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, decimals) for k in range(first, last + 1)], decimals


@dataclass(frozen=True)
class Box:
    """A chart's size (CSS pixels) and where its plotting area sits in it."""

    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float

    def x(self, i: float, n: int, span: float | None = None) -> float:
        """Month ``i`` of ``n`` (centred in its slot; the axis runs from -0.5 to
        ``span - 0.5``, ``span`` = n unless given)."""
        span = n if span is None else span
        return self.left + (i + 0.5) / span * (self.right - self.left)

    def y(self, v: float, lo: float, hi: float) -> float:
        return self.bottom - (v - lo) / (hi - lo) * (self.bottom - self.top)

    def open_tag(self) -> str:
        return (f'<svg aria-hidden="true" focusable="false" xmlns="http://www.w3.org/2000/svg" '
                f'width="{fmt(self.width)}" height="{fmt(self.height)}" '
                f'viewBox="0 0 {fmt(self.width)} {fmt(self.height)}" version="1.1">\n')


# One style for every chart: the same font, inks, margins and line widths.
MEASURE = Box(280, 136, 56, 272, 8, 110)
TREND = Box(320, 150, 48, 312, 8, 124)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def path(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{fmt(x)} {fmt(y)}"
                    for i, (x, y) in enumerate(points))


def dots(points: list[tuple[float, float]], r: float, colour: str) -> str:
    circles = "".join(f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="{fmt(r)}"/>' for x, y in points)
    return f'<g id="dots" fill="{colour}">{circles}</g>\n'


def _label(x: float, y: float, text: str, anchor: str) -> str:
    return (f'<text x="{fmt(x)}" y="{fmt(y)}" text-anchor="{anchor}">'
            f"{_escape(text)}</text>")


@lru_cache(maxsize=8)
def month_labels(box: Box, months: tuple[str, ...], step: int, span: int) -> str:
    """The labels under the axis, written once per chart size and months."""
    y, n = box.bottom + FONT_SIZE + 4, len(months)
    return "".join(f'<g id="month_{i}">{_label(box.x(i, n, span), y, months[i], "middle")}'
                   "</g>\n" for i in range(0, n, step))


def _axis(box: Box, ticks: list[float], y: Callable[[float], float], labels: list[str],
          names: list[str] | None = None) -> tuple[str, str]:
    """Drawn under the lines: each tick's grid line, and the frame with its tick marks;
    drawn above them: the tick labels (``names``: the ids' endings, default 0, 1, ...)."""
    names = names or [str(k) for k in range(len(ticks))]
    under = [f'<path id="grid_{k}" d="M{fmt(box.left)} {fmt(y(v))} H{fmt(box.right)}" '
             f'stroke="{GRID}" stroke-width="1"/>\n' for k, v in zip(names, ticks, strict=True)]
    marks = "".join(f" M{fmt(box.left)} {fmt(y(v))} h-4" for v in ticks)
    under.append(f'<path id="frame" d="M{fmt(box.left)} {fmt(box.top)} V{fmt(box.bottom)} '
                 f'H{fmt(box.right)}{marks}" fill="none" stroke="{AXIS}" stroke-width="1"/>\n')
    above = [f'<g {FONT} fill="{LABEL}">\n']
    above.extend(f'<g id="value_{k}">'
                 f'{_label(box.left - 6, y(v) + FONT_SIZE * 0.35, text, "end")}</g>\n'
                 for k, v, text in zip(names, ticks, labels, strict=True))
    return "".join(under), "".join(above)


def measure_svg(months: tuple[str, ...], actual: list[tuple[int, float]],
                expected: list[float | None], target: float | None,
                unit: str | None, baseline: float | None = None) -> str:
    """The measure's chart: actuals (solid, dots), expected path (dashed), target (dotted),
    on a y axis of round ticks that takes in the baseline and the target."""
    box, n = MEASURE, len(months)
    values = [v for _, v in actual] + [v for v in expected if v is not None]
    values += [v for v in (target, baseline) if v is not None]
    ticks, decimals = nice_ticks(values)
    bottom, top = ticks[0], ticks[-1]
    y = lambda v: box.y(v, bottom, top)  # noqa: E731
    x = lambda i: box.x(i, n)  # noqa: E731
    out = [box.open_tag(), _describe(
        "Monthly actuals against the expected path and the target",
        "; ".join(f"{months[i]} {tick(v, unit)}" for i, v in actual)
        + (f"; target {tick(target, unit)}" if target is not None else "") + ".")]
    under, above = _axis(box, ticks, y, [tick(v, unit, decimals) for v in ticks])
    out.append(under)
    for run in _runs(expected):
        out.append(f'<path class="expected" d="{path([(x(i), y(v)) for i, v in run])}" '
                   f'fill="none" stroke="{EXPECTED}" stroke-width="1.5" '
                   'stroke-dasharray="6,3"/>\n')
    if target is not None:
        out.append(f'<path id="target" d="M{fmt(box.left)} {fmt(y(target))} '
                   f'H{fmt(box.right)}" stroke="{TARGET}" stroke-width="1.5" '
                   'stroke-dasharray="2,2"/>\n')
    drawn = [(x(i), y(v)) for i, v in actual]
    out.append(f'<path id="actual" d="{path(drawn)}" fill="none" stroke="{ACTUAL}" '
               'stroke-width="2.5" stroke-linejoin="round"/>\n')
    out.append(dots(drawn, 3.5, ACTUAL))
    out.append(above)
    out.append(month_labels(box, months, 2, n))
    out.append("</g>\n</svg>\n")
    return "".join(out)


def trend_svg(points: list[tuple[float, str]], title: str = "Share on track or met, by month"
              ) -> str:
    """Share (0 to 1) by month, on a 0-100% axis with a line at 0, 50 and 100%."""
    box, n = TREND, len(points)
    span = max(n, 1)
    x = lambda i: box.x(i, n, span)  # noqa: E731
    y = lambda v: box.y(v, 0, 100)  # noqa: E731
    out = [box.open_tag(), _describe(
        title, ", ".join(f"{m} {share * 100:.0f}%" for share, m in points) + ".")]
    under, above = _axis(box, [0, 50, 100], y, ["0%", "50%", "100%"], ["0", "50", "100"])
    out.append(under)
    drawn = [(x(i), y(share * 100)) for i, (share, _) in enumerate(points)]
    out.append(f'<path id="actual" d="{path(drawn)}" fill="none" stroke="{ACTUAL}" '
               'stroke-width="2.5" stroke-linejoin="round"/>\n')
    out.append(dots(drawn, 3.5, ACTUAL))
    out.append(above)
    out.append(month_labels(box, tuple(m for _, m in points), 2 if n > 8 else 1, span))
    out.append("</g>\n</svg>\n")
    return "".join(out)


def _describe(title: str, desc: str) -> str:
    return f"<title>{_escape(title)}</title><desc>{_escape(desc)}</desc>\n"


def _runs(values: list[float | None]) -> list[list[tuple[int, float]]]:
    """Unbroken stretches of values (a gap breaks the line)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None or v != v:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, v))
    return [r for r in runs if r]
