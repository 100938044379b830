"""The live dashboard keeps the reader's place (live.js), in Debian's headless Chromium:
when a pull lands, the focused link keeps the focus, the page stays where it was scrolled
to, and a polite live region says what changed ("Updated 10:04: 6 districts pulled,
1 changed")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chromium import needs_chromium
from tests.pagecheck import WIDTHS, axe_violations, sideways, small_text
from tests.serve.test_serve_browser import wait_for
from tests.serve_process import Service, copy_cohort

pytestmark = needs_chromium
pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")


@pytest.fixture
def service(examples: Path, tmp_path: Path) -> Iterator[Service]:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    with Service(folder) as s:
        yield s


def rename(service: Service, old: str, new: str) -> None:
    toml = service.folder / "cohort.toml"
    toml.write_text(toml.read_text().replace(f'"{old}"', f'"{new}"'))


def test_a_pull_keeps_the_focus_and_the_scroll_and_says_what_changed(browser,
                                                                     service: Service):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    page = context.new_page()
    page.goto(service.url + "/", wait_until="load")
    region = page.locator("#sheetsync-live")
    assert region.get_attribute("role") == "status"
    assert region.get_attribute("aria-live") == "polite"
    assert region.inner_text() == ""
    link = page.locator("table.districts a", has_text="Calloway County")
    link.focus()
    page.evaluate("window.scrollTo(0, 900)")
    top = "document.activeElement.getBoundingClientRect().top"
    seen = page.evaluate(top)
    assert page.evaluate("window.scrollY") == 900
    page.evaluate("window.notReloaded = true")
    rename(service, "Adair County", "Adair County (renamed)")
    assert service.pull()["state"] == "done"
    wait_for(page, "document.querySelector('main').innerText.includes('(renamed)')")
    wait_for(page, "document.getElementById('sheetsync-live').textContent !== ''")
    said = region.inner_text()
    assert re.fullmatch(r"Updated \d\d:\d\d: 6 districts pulled, 1 changed", said), said
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.textContent") == "Calloway County"
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate(top) == pytest.approx(seen, abs=1)  # where it was on the screen
    context.close()


def test_a_district_page_says_whether_it_changed(browser, service: Service):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(service.url + "/districts/KY-003", wait_until="load")
    back = page.locator("a", has_text="All districts")
    back.focus()
    rename(service, "Boyle County", "Boyle County (renamed)")
    assert service.pull()["state"] == "done"
    wait_for(page, "document.getElementById('sheetsync-live').textContent !== ''")
    assert re.fullmatch(r"Updated \d\d:\d\d: this page changed",
                        page.locator("#sheetsync-live").inner_text())
    assert page.evaluate("document.activeElement.textContent") == "← All districts"
    context.close()


@pytest.mark.parametrize("path", ["/", "/districts/KY-003"])
def test_the_dashboard_fits_a_phone_and_axe_core_finds_no_violation(browser, service: Service,
                                                                     path: str):
    """The dashboard's pages, with the live region showing an update: at 360 and 1400 px
    no sideways scrolling, no text under 11 px and no WCAG 2.1 A/AA violation. (axe-core
    is added as an inline script, which the page's policy forbids: the check bypasses it.)"""
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800},
                                      bypass_csp=True)
        page = context.new_page()
        page.goto(service.url + path, wait_until="load")
        page.evaluate("document.getElementById('sheetsync-live').textContent = "
                      "'Updated 10:04: 6 districts pulled, 1 changed'")
        try:
            assert sideways(page) <= 0, f"{path} at {width} px scrolls sideways"
            assert small_text(page) == []
            assert axe_violations(page) == [], f"{path} at {width} px"
        finally:
            context.close()
