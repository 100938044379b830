"""The charts: inline SVG from numbers only, written by svgchart."""

from __future__ import annotations

import re

import pytest

from sheetsync.report import charts, svgchart

MONTHS = ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun"]


def series(actual, expected=None, target=None, unit="%"):
    return {"months": MONTHS, "actual": actual, "expected": expected or [None] * 12,
            "target": target, "unit": unit}


def labels(svg: str) -> list[str]:
    return [t for t in re.findall(r">([^<>]+)</text>", svg) if t not in MONTHS]


def test_a_chart_s_y_axis_has_round_ticks_from_below_the_baseline_to_past_the_target():
    svg = charts.measure_chart(series([None, None, None, 40, 42, 45, 47, *[None] * 5],
                                      [40 + i for i in range(12)], 52), "m1")
    assert labels(svg) == ["40%", "45%", "50%", "55%"]
    assert svg.startswith('<svg aria-hidden="true"') and "<metadata" not in svg


@pytest.mark.parametrize(("baseline", "actual", "target", "unit", "ticks"), [
    # the cases: a first expected value (43.3) is no tick, the baseline is within
    (42.6, [43.3, 44.0], 50.6, "%", ["42%", "44%", "46%", "48%", "50%", "52%"]),
    (100.0, [101.0, 103.5], 108.2, "score", ["100", "105", "110"]),  # no "108.2"
    (420.0, [410.0, 402.0], 350.0, "count", ["340", "360", "380", "400", "420"]),
    (0.12, [0.2, 0.31], 0.5, "rate", ["0.1", "0.2", "0.3", "0.4", "0.5"]),
    (1200.0, [1300.0], 1850.0, "dollars", ["1,200", "1,400", "1,600", "1,800", "2,000"]),
])
def test_round_ticks_take_in_the_baseline_and_the_target(baseline, actual, target, unit,
                                                         ticks):
    shown = {**series([*actual, *[None] * (12 - len(actual))], target=target, unit=unit),
             "baseline": baseline}
    svg = charts.measure_chart(shown, "m")
    assert labels(svg) == ticks
    values = [float(t.rstrip("%").replace(",", "")) for t in ticks]
    assert values[0] <= min(baseline, target, *actual)
    assert values[-1] >= max(baseline, target, *actual)


def test_a_flat_series_without_baseline_or_target_still_has_a_chart():
    svg = charts.measure_chart(series([5.0] * 12, unit="count"), "m2")
    assert labels(svg) == ["3", "4", "5", "6", "7"]


def test_chart_text_is_drawn_at_12_px_in_css_pixels():
    """The page shows a chart at most at its drawn size on a phone (report.css), so its
    text is never under 12 px there."""
    svg = charts.measure_chart(series([40.0, 41.0, *[None] * 10], target=50), "m")
    assert 'font-size="12"' in svg
    assert re.search(r'<svg [^>]*width="280" height="\d+"', svg)


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
    svgchart.month_labels.cache_clear()
    charts.measure_chart(first, "a")  # draws the month labels
    pasted = charts.measure_chart(second, "b")  # pastes them in
    svgchart.month_labels.cache_clear()
    drawn = charts.measure_chart(second, "b")
    assert pasted == drawn
    assert re.findall(r">(\w+)</text>", pasted)[-6:] == MONTHS[::2]


def circles(svg: str, group: str) -> list[tuple[float, float]]:
    dots = svg.split(f'id="{group}-dots"', 1)[1].split("</g>", 1)[0]
    return [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', dots)]


def level(svg: str, line_id: str) -> float:
    return float(re.search(rf'id="{line_id}" d="M[\d.]+ ([\d.]+) H', svg).group(1))


def test_hand_drawn_measure_chart_puts_every_actual_where_its_number_says():
    actual = [None, None, 38.0, 40.0, None, 45.5, 47.0, *[None] * 5]
    svg = charts.measure_chart(series(actual, [36 + i for i in range(12)], 52), "m")
    box = charts.svgchart.MEASURE
    assert labels(svg) == ["35%", "40%", "45%", "50%", "55%"]
    lo_y, hi_y = level(svg, "m-grid_0"), level(svg, "m-grid_4")  # labelled 35% and 55%
    drawn = circles(svg, "m")
    months = [i for i, v in enumerate(actual) if v is not None]
    assert len(drawn) == len(months)
    for (x, y), i in zip(drawn, months, strict=True):
        assert x == pytest.approx(box.left + (i + 0.5) / 12 * (box.right - box.left), abs=0.01)
        assert 35 + (lo_y - y) / (lo_y - hi_y) * 20 == pytest.approx(actual[i], abs=0.05)


def test_hand_drawn_chart_has_a_title_and_its_numbers_as_text():
    svg = charts.measure_chart(series([None, 40.0, 42.5, *[None] * 9], target=50), "m")
    assert "<title>Monthly actuals against the expected path and the target</title>" in svg
    assert "<desc>Aug 40%; Sep 42.5%; target 50%.</desc>" in svg


def test_expected_path_is_broken_where_a_month_has_no_expected_value():
    expected = [40.0, 41.0, None, None, 44.0, 45.0, *[None] * 6]
    svg = charts.measure_chart(series([40.0, *[None] * 11], expected, 50), "m")
    paths = re.findall(r'class="expected" d="([^"]+)"', svg)
    assert [p.count("L") + 1 for p in paths] == [2, 2]


def test_hand_drawn_trend_puts_every_share_where_its_number_says():
    points = [{"share": s, "label": m} for s, m in
              ((0.25, "October"), (None, "November"), (0.5, "December"), (1.0, "January"))]
    svg = charts.trend_chart(points, "t")
    zero, full = level(svg, "t-grid_0"), level(svg, "t-grid_100")
    drawn = circles(svg, "t")
    assert [round((zero - y) / (zero - full), 3) for _, y in drawn] == [0.25, 0.5, 1.0]
    assert re.findall(r">(\w+)</text>", svg) == ["Oct", "Dec", "Jan"]
    assert "<desc>Oct 25%, Dec 50%, Jan 100%.</desc>" in svg
