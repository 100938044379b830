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

from dataclasses import dataclass
from functools import lru_cache

ACTUAL = "#1F4E99"  # dark blue: 8.6:1 on white
EXPECTED = "#595959"
TARGET = "#9C5700"
AXIS = "#595959"
GRID = "#D9D9D9"
LABEL = "#404040"
FONT = 'font-family="DejaVu Sans, Bitstream Vera Sans, Arial, Helvetica, sans-serif" ' \
       'font-size="7"'


def fmt(x: float) -> str:
    """A coordinate, short: 12.5, 40, 36.72."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def tick(value: float, unit: str | None) -> str:
    """An axis label: 45.5%, 1,200."""
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


@dataclass(frozen=True)
class Box:
    """A chart's size (points) and where its plotting area sits in it."""

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
                f'width="{fmt(self.width)}pt" height="{fmt(self.height)}pt" '
                f'viewBox="0 0 {fmt(self.width)} {fmt(self.height)}" version="1.1">\n')


MEASURE = Box(244.8, 97.2, 36.72, 239.9, 5.83, 77.76)  # 3.4 x 1.35 in
TREND = Box(331.2, 115.2, 46.37, 324.58, 5.76, 92.16)  # 4.6 x 1.6 in


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
    y, n = box.bottom + 9.6, len(months)
    return "".join(f'<g id="month_{i}">{_label(box.x(i, n, span), y, months[i], "middle")}'
                   "</g>\n" for i in range(0, n, step))


def measure_svg(months: tuple[str, ...], actual: list[tuple[int, float]],
                expected: list[float | None], target: float | None,
                unit: str | None) -> str:
    """The measure's chart: actuals (solid, dots), expected path (dashed), target (dotted);
    the lowest and highest value labelled on the left."""
    box, n = MEASURE, len(months)
    values = [v for _, v in actual] + [v for v in expected if v is not None]
    values += [target] if target is not None else []
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.12 or max(abs(hi) * 0.1, 1)
    bottom, top = lo - pad, hi + pad
    y = lambda v: box.y(v, bottom, top)  # noqa: E731
    x = lambda i: box.x(i, n)  # noqa: E731
    out = [box.open_tag(), _describe(
        "Monthly actuals against the expected path and the target",
        "; ".join(f"{months[i]} {tick(v, unit)}" for i, v in actual)
        + (f"; target {tick(target, unit)}" if target is not None else "") + ".")]
    out.append(f'<path id="frame" d="M{fmt(box.left)} {fmt(box.top)} V{fmt(box.bottom)} '
               f'H{fmt(box.right)}" fill="none" stroke="{AXIS}" stroke-width="0.6"/>\n')
    shown = [lo] if hi == lo else [lo, hi]  # a flat series has one label
    out.extend(f'<path id="grid_{k}" d="M{fmt(box.left)} {fmt(y(v))} H{fmt(box.right)}" '
               f'stroke="{GRID}" stroke-width="0.5"/>\n' for k, v in enumerate(shown))
    for run in _runs(expected):
        out.append(f'<path class="expected" d="{path([(x(i), y(v)) for i, v in run])}" '
                   f'fill="none" stroke="{EXPECTED}" stroke-dasharray="3.7,1.6"/>\n')
    if target is not None:
        out.append(f'<path id="target" d="M{fmt(box.left)} {fmt(y(target))} '
                   f'H{fmt(box.right)}" stroke="{TARGET}" stroke-dasharray="1,1.65"/>\n')
    drawn = [(x(i), y(v)) for i, v in actual]
    out.append(f'<path id="actual" d="{path(drawn)}" fill="none" stroke="{ACTUAL}" '
               'stroke-width="1.6" stroke-linejoin="round"/>\n')
    out.append(dots(drawn, 2, ACTUAL))  # matplotlib's 3 pt marker and its edge
    out.append(f'<g {FONT} fill="{LABEL}">\n')
    out.extend(f'<g id="value_{k}">{_label(box.left - 4, y(v) + 2.5, tick(v, unit), "end")}'
               "</g>\n" for k, v in enumerate(shown))
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
    out.extend(f'<path id="grid_{v}" d="M{fmt(box.left)} {fmt(y(v))} H{fmt(box.right)}" '
               f'stroke="{GRID}" stroke-width="0.5"/>\n' for v in (0, 50, 100))
    ticks = "".join(f"M{fmt(box.left)} {fmt(y(v))} h-2 " for v in (0, 50, 100)) + "".join(
        f"M{fmt(x(i))} {fmt(box.bottom)} v2 " for i in range(n))
    out.append(f'<path id="frame" d="M{fmt(box.left)} {fmt(box.top)} V{fmt(box.bottom)} '
               f'H{fmt(box.right)} {ticks.strip()}" fill="none" stroke="{AXIS}" '
               'stroke-width="0.6"/>\n')
    drawn = [(x(i), y(share * 100)) for i, (share, _) in enumerate(points)]
    out.append(f'<path id="actual" d="{path(drawn)}" fill="none" stroke="{ACTUAL}" '
               'stroke-width="1.8" stroke-linejoin="round"/>\n')
    out.append(dots(drawn, 2.25, ACTUAL))
    out.append(f'<g {FONT} fill="{LABEL}">\n')
    out.extend(f'<g id="value_{v}">{_label(box.left - 3.5, y(v) + 2.5, f"{v}%", "end")}</g>\n'
               for v in (0, 50, 100))
    out.append(month_labels(box, tuple(m for _, m in points), 1, span))
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
