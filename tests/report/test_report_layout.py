"""Every kind of report page read in Debian's headless Chromium at 360 px (a phone) and
1400 px (a wide screen): the page never scrolls sideways, no visible text is under 11 px
(the charts' text included, at the size it is drawn), and axe-core finds no WCAG 2.1 A or
AA violation. Skipped without Chromium or Playwright; the axe test also without axe-core,
except in CI (tests/pagecheck.py)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.report.site import write_site
from sheetsync.report.write import cohort_data, cohort_report, district_report
from tests.chromium import needs_chromium
from tests.helpers import AS_OF
from tests.pagecheck import WIDTHS, axe_violations, sideways, small_text

pytestmark = needs_chromium

KINDS = {  # a page of each kind, as a path under the fixture's folder
    "district report": "district.html",
    "cohort report": "cohort.html",
    "site index": "site/index.html",
    "site district page": "site/districts/KY-005.html",
    "public site index": "public/index.html",
    "public district page": "public/districts/KY-003.html",
}


@pytest.fixture(scope="module")
def pages(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("layout") / "cohort"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns(".sheetsync", "*master*"))
    cohort = folder / "cohort.toml"
    pull(load_cohort(cohort), date(2026, 12, 15))
    pull(load_cohort(cohort), AS_OF)
    out = folder / "out"
    district_report("KY-003", out / "district.html", cohort)
    cohort_report(out / "cohort.html", cohort)
    write_site(cohort_data(cohort), out / "site")
    write_site(cohort_data(cohort), out / "public", public=True)
    return out


def open_at(browser, path: Path, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_page_fits_the_screen_and_its_text_is_big_enough(browser, pages, kind, width):
    context, page = open_at(browser, pages / KINDS[kind], width)
    try:
        assert sideways(page) <= 0, f"{kind} at {width} px scrolls sideways"
        assert small_text(page) == []
        # the charts are there, and drawn (the check above reads their text)
        assert page.locator("svg text").count() > 0
    finally:
        context.close()


def test_the_checks_see_a_page_too_wide_and_text_too_small(browser, tmp_path):
    """The two checks above fail where they should."""
    page_path = tmp_path / "bad.html"
    page_path.write_text('<!DOCTYPE html><html lang="en"><head><meta name="viewport" '
                         'content="width=device-width"><title>x</title></head><body>'
                         '<div style="width:600px">wide</div><p style="font-size:9px">tiny</p>'
                         '<svg width="100" viewBox="0 0 400 100"><text x="0" y="50" '
                         'font-size="12">shrunk</text></svg></body></html>')
    context, page = open_at(browser, page_path, 360)
    try:
        assert sideways(page) > 0
        assert [t for t, _ in small_text(page)] == ["tiny", "shrunk"]
    finally:
        context.close()


def test_measures_become_cards_on_a_phone_and_stay_a_table_for_screen_readers(browser,
                                                                            pages):
    context, page = open_at(browser, pages / "district.html", 360)
    try:
        row = page.locator("table.measures tbody tr").first
        assert row.evaluate("e => getComputedStyle(e).display") == "block"
        assert page.locator("table.measures").first.get_attribute("role") == "table"
        label = row.locator("td[data-label=Status]").evaluate(
            "e => getComputedStyle(e, '::before').content")
        assert label == '"Status: "'
    finally:
        context.close()


def test_axe_core_sees_a_violation(browser, tmp_path):
    page_path = tmp_path / "bad.html"
    page_path.write_text('<!DOCTYPE html><html><head><title>x</title></head><body>'
                         '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></body></html>')
    context, page = open_at(browser, page_path, 360)
    try:
        found = {v.split(":")[0] for v in axe_violations(page)}
        assert {"html-has-lang", "image-alt"} <= found
    finally:
        context.close()


@pytest.mark.parametrize("kind", KINDS)
def test_axe_core_finds_no_wcag_violation(browser, pages, kind):
    for width in WIDTHS:
        context, page = open_at(browser, pages / KINDS[kind], width)
        try:
            assert axe_violations(page) == [], f"{kind} at {width} px"
        finally:
            context.close()
