"""The charts: inline SVG from numbers only, drawn by matplotlib."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("matplotlib")

from sheetsync.report import charts

MONTHS = ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun"]


def series(actual, expected=None, target=None, unit="%"):
    return {"months": MONTHS, "actual": actual, "expected": expected or [None] * 12,
            "target": target, "unit": unit}


def labels(svg: str) -> list[str]:
    return [t for t in re.findall(r">([^<>]+)</text>", svg) if t not in MONTHS]


def test_a_chart_labels_the_lowest_and_highest_value():
    svg = charts.measure_chart(series([None, None, None, 40, 42, 45, 47, *[None] * 5],
                                      [40 + i for i in range(12)], 52), "m1")
    assert labels(svg) == ["40%", "52%"]
    assert svg.startswith('<svg aria-hidden="true"') and "<metadata" not in svg


def test_a_flat_series_without_baseline_or_target_still_has_a_chart():
    svg = charts.measure_chart(series([5.0] * 12, unit="count"), "m2")
    assert labels(svg) == ["5"]


def test_no_actuals_no_chart():
    assert charts.measure_chart(series([None] * 12, [1.0] * 12, 2), "m3") is None


def test_every_id_in_a_chart_carries_its_prefix():
    svg = charts.measure_chart(series([1.0, 2.0, *[None] * 10], target=3), "g1-0")
    ids = re.findall(r' id="([^"]+)"', svg)
    refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)
    assert ids and all(i.startswith("g1-0-") for i in ids)
    assert all((a or b).startswith("g1-0-") for a, b in refs)


def test_month_labels_pasted_in_equal_the_ones_drawn():
    first = series([40, 41, *[None] * 10], [40 + i for i in range(12)], 50)
    second = series([None, 30, 35, 38, *[None] * 8], [30 + i for i in range(12)], 45, None)
    charts._canvas.cache_clear()
    charts.measure_chart(first, "a")  # draws the month labels
    pasted = charts.measure_chart(second, "b")  # pastes them in
    charts._canvas.cache_clear()
    drawn = charts.measure_chart(second, "b")
    assert pasted == drawn
    assert re.findall(r">(\w+)</text>", pasted)[-6:] == MONTHS[::2]
