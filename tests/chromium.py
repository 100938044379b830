"""Debian's headless Chromium through Playwright (never a downloaded browser), for the
tests that open pages: ``needs_chromium`` skips a module where it is not installed, and
``browser`` is a fixture every test can use (tests/conftest.py loads this module as a
plugin)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="Playwright is not installed (pip install playwright)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def open_page(browser: Any, url: str, allowed: str) -> tuple[Any, list[str]]:
    """Open ``url`` in a fresh context; the page, and every problem seen on the way:
    console errors (a blocked script is one), page errors, and requests to anywhere that
    does not start with ``allowed`` (those are refused)."""
    problems: list[str] = []
    context = browser.new_context()

    def route(r: Any) -> None:
        if r.request.url.startswith(allowed):
            r.continue_()
        else:
            problems.append(f"request left {allowed}: {r.request.url}")
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.goto(url, wait_until="load")
    return page, problems
