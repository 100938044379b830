"""The live dashboard in Debian's headless Chromium (driven by Playwright, never a
downloaded browser): every district shown, no request leaving the service, the inline
script allowed by the page's policy, and a pull made through the API updating the open
page without a reload (server-sent events)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import chromium
from tests.chromium import needs_chromium
from tests.serve_process import Service, copy_cohort

pytestmark = needs_chromium
pytest.importorskip("starlette", reason="sheetsync serve needs starlette (pip install -e .[serve])")


@pytest.fixture
def service(examples: Path, tmp_path: Path) -> Iterator[Service]:
    folder = copy_cohort(examples, tmp_path / "cohort").parent
    with Service(folder) as s:
        yield s


def open_page(browser, service: Service, path: str) -> tuple[object, list[str]]:
    """The page, and every problem seen (``chromium.open_page``): requests anywhere but
    the service are one."""
    return chromium.open_page(browser, service.url + path, service.url + "/")


def wait_for(page, condition: str, timeout: float = 30) -> None:
    """Until ``condition`` holds in the page (asked from outside: the page's policy allows
    no eval, so Playwright's wait_for_function cannot run in it)."""
    end = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < end, f"not within {timeout} s: {condition}"
        page.wait_for_timeout(100)


def test_dashboard_shows_every_district_in_chromium(browser, service: Service) -> None:
    page, problems = open_page(browser, service, "/")
    rows = page.locator("table.districts tbody tr th").all_inner_texts()
    for name in ("Adair County", "Barren County", "Boyle County", "Calloway County",
                 "Daviess County", "Fayette County"):
        assert any(name in r for r in rows), (name, rows)
    page.locator("table.districts a", has_text="Boyle County").click()
    page.wait_for_load_state("load")
    assert page.url == service.url + "/districts/KY-003"
    assert page.locator("h1").inner_text().startswith("Boyle County")
    assert problems == []


def test_a_pull_through_the_api_updates_the_page_without_a_reload(browser,
                                                                  service: Service) -> None:
    page, problems = open_page(browser, service, "/")
    page.evaluate("window.notReloaded = true")
    before = page.locator("meta[name=sheetsync-version]").get_attribute("content")
    toml = service.folder / "cohort.toml"
    toml.write_text(toml.read_text().replace('"Adair County"', '"Adair County (renamed)"'))
    assert service.pull()["state"] == "done"
    wait_for(page, "document.querySelector('main').innerText.includes('Adair County (renamed)')")
    assert page.evaluate("window.notReloaded") is True
    after = page.locator("meta[name=sheetsync-version]").get_attribute("content")
    assert after != before
    assert page.evaluate("document.documentElement.getAttribute('data-version')") == after
    assert problems == []


def test_a_district_page_follows_its_pull_too(browser, service: Service) -> None:
    page, problems = open_page(browser, service, "/districts/KY-003")
    page.evaluate("window.notReloaded = true")
    toml = service.folder / "cohort.toml"
    toml.write_text(toml.read_text().replace('"Boyle County"', '"Boyle County (renamed)"'))
    assert service.pull()["state"] == "done"
    wait_for(page, "document.querySelector('main h1').innerText"
                   ".startsWith('Boyle County (renamed)')")
    assert page.evaluate("window.notReloaded") is True
    assert problems == []
