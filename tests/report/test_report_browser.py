"""The HTML reports in a real browser: Debian's headless Chromium, driven by Playwright.

No console errors, no request leaves file://, every chart has a box, a screenshot is kept
(under the test's tmp path). Skipped when Chromium or Playwright is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.report.site import write_site
from sheetsync.report.write import cohort_data, cohort_report, district_report
from tests.chromium import needs_chromium, open_page
from tests.helpers import copy_cohort

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def reports(pulled_two_months: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_cohort(pulled_two_months, tmp_path_factory.mktemp("browser") / "cohort")
    cohort = folder / "cohort.toml"
    out = folder / "out"
    district_report("KY-003", out / "district.html", cohort)
    cohort_report(out / "cohort.html", cohort)
    write_site(cohort_data(cohort), out / "site")
    return out


def visit(browser, path: Path, screenshot: Path | None = None) -> tuple[object, list[str]]:
    """Open ``path`` from file://; the page and every problem seen on the way
    (``chromium.open_page``): a request that leaves file:// is one."""
    page, problems = open_page(browser, path.as_uri(), "file://")
    if screenshot:
        page.screenshot(path=str(screenshot), full_page=True)
    return page, problems


def chart_boxes(page) -> list[list[float]]:
    return page.eval_on_selector_all(
        "figure svg, svg.bar",
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return [r.width, r.height]; })")


def test_district_report_in_chromium(browser, reports, tmp_path):
    shot = tmp_path / "district.png"
    page, problems = visit(browser, reports / "district.html", shot)
    assert problems == []
    boxes = chart_boxes(page)
    assert len(boxes) >= 10 and all(w > 0 and h > 0 for w, h in boxes), boxes
    assert page.locator("h1").inner_text().startswith("Boyle County")
    assert shot.stat().st_size > 10_000


def test_cohort_report_in_chromium(browser, reports, tmp_path):
    page, problems = visit(browser, reports / "cohort.html", tmp_path / "cohort.png")
    assert problems == []
    boxes = chart_boxes(page)
    assert len(boxes) >= 7 and all(w > 0 and h > 0 for w, h in boxes), boxes


def test_site_links_work_in_chromium(browser, reports):
    page, problems = visit(browser, reports / "site" / "index.html")
    page.locator("table.districts a").first.click()
    page.wait_for_load_state("load")
    assert "/site/districts/" in page.url
    page.locator("a", has_text="All districts").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/site/index.html")
    assert problems == []
