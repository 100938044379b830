"""The reports as HTML: Jinja2 templates (autoescaped) over the plain data of ``data``.

District text is untrusted and only ever reaches the page through autoescaping; the one
thing marked safe is the SVG that ``charts`` draws from numbers.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from typing import Any

from sheetsync.errors import MissingDependency
from sheetsync.master.layout import COLOURS
from sheetsync.report import charts
from sheetsync.report.cohort import public_order
from sheetsync.schema import vocabulary
from sheetsync.schema.numbers import significant
from sheetsync.schema.vocabulary import NOT_DUE, PERCENT, css
from sheetsync.schema.vocabulary import PALETTE as TONES

# (background, text) as CSS colours, AA contrast: the master's, and Not Due.
PALETTE = {**COLOURS, NOT_DUE: (css(TONES[NOT_DUE][0]), css(TONES[NOT_DUE][1]))}
STATUS_CLASSES = {name: "s-" + name.lower().replace(" ", "-") for name in PALETTE}


@lru_cache(maxsize=1)
def environment() -> Any:
    try:
        import jinja2
    except ImportError:
        raise MissingDependency("jinja2", "Reports") from None
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sheetsync.report", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined)
    env.filters["num"] = number
    env.filters["pct"] = percent
    env.globals.update(colours=PALETTE, status_class=STATUS_CLASSES, words=vocabulary)
    return env


def number(value: Any, unit: str | None = None) -> str:
    """A value the way the report shows it, by its significant digits: 45.5%, 12, 0.4165,
    12,500, —."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, int | float):
        return str(value)
    text = significant(value, grouped=True)
    return f"{text}%" if unit == PERCENT else text


def percent(share: float | None) -> str:
    """A share of measures (on track or met), always whole: 39%."""
    return "—" if share is None else f"{share * 100:.0f}%"


def _svg(svg: str | None, as_image: bool = False) -> Any:
    """The chart (drawn from numbers by charts.py) inline, or as an image for print.

    WeasyPrint styles inline SVG nodes as if they were HTML elements and then draws them
    again as SVG; as an ``<img>`` (a data: URL) they skip the HTML cascade, which makes
    the PDF about twice as quick. Browsers get the inline SVG.
    """
    if not svg:
        return None
    from markupsafe import Markup  # comes with jinja2; imported once environment() has run

    if as_image:  # a tagged PDF's figure says what it shows: the chart's own description
        data = base64.b64encode(svg.encode()).decode()
        said = re.search(r"<title>(.*?)</title><desc>(.*?)</desc>", svg)
        alt = f"{said.group(1)}: {said.group(2)}" if said else ""  # already escaped
        return Markup(f'<img alt="{alt.replace(chr(34), "&quot;")}" '
                      f'src="data:image/svg+xml;base64,{data}">')
    return Markup(svg)


def district_charts(view: dict[str, Any], as_image: bool = False,
                    cache: charts.ChartCache | None = None) -> dict[Any, Any]:
    """The district's charts as SVG, keyed "trend" and by the measure's place in the plan
    (strategic goal, goal, measure: ids can repeat in a workbook, places cannot)."""
    trend = charts.trend_chart(view["trend"], "trend", cache)
    out: dict[Any, Any] = {"trend": _svg(trend, as_image)}
    for s, sg in enumerate(view["plan"]):
        for g, goal in enumerate(sg["goals"]):
            for i, m in enumerate(goal["measures"]):
                svg = charts.measure_chart(m["series"], f"m{s}-{g}-{i}", cache)
                out[(s, g, i)] = _svg(svg, as_image)
    return out


def render_district(view: dict[str, Any], *, for_print: bool = False,
                    home: str | None = None, cache: charts.ChartCache | None = None) -> str:
    environment()  # first: says which package to install when jinja2 is missing
    return environment().get_template("district.html").render(
        v=view, charts=district_charts(view, for_print, cache), for_print=for_print,
        home=home)


def render_cohort(view: dict[str, Any], *, for_print: bool = False,
                  links: dict[str, str] | None = None, compact: bool = True,
                  public: bool = False, summary: bool = True,
                  pages: list[dict[str, Any]] | None = None) -> str:
    """The cohort report; ``summary=False`` leaves out its first part (the table, trend,
    compliance, failures) and ``pages`` picks the districts whose compact pages follow
    (default: all), so a long PDF can be printed in parts."""
    environment()
    if public:  # ordered by the score the page shows (a public page shows no errors)
        view = {**view, "districts": public_order(view["districts"])}
    trend = _svg(charts.trend_chart(view["trend"], "cohort-trend"), as_image=for_print) \
        if summary else None
    return environment().get_template("cohort.html").render(
        c=view, trend_svg=trend, for_print=for_print, links=links or {}, compact=compact,
        public=public, summary=summary, pages=pages)


def stylesheet() -> str:
    """The reports' CSS (its ``@page`` rule numbers the pages of a PDF)."""
    env = environment()
    return str(env.loader.get_source(env, "report.css")[0])
