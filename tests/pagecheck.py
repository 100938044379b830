"""What the browser tests look for on any page, as a reader would: a page as wide as the
screen (no sideways scrolling), no visible text under 11 px (SVG text at the size it is
drawn on the screen), and axe-core's WCAG 2.1 A and AA rules with no violation.

axe-core is the npm package, installed by ``.ci/run`` into ``.ci/node`` (ignored by git;
``AXE_CORE`` may name another axe.min.js). Where it is missing the axe tests skip, except
in CI (``CI=true``), where a missing axe-core fails them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
AXE = Path(os.environ.get("AXE_CORE") or
           ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js")
WIDTHS = (360, 1400)
SMALLEST = 11  # px
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_SMALL_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width <= 1 || box.height <= 1 || style.visibility === "hidden") continue;
    let size = parseFloat(style.fontSize);
    const svg = el.closest("svg");
    if (svg) { const m = svg.getScreenCTM(); if (m) size *= Math.hypot(m.a, m.b); }
    if (size < SMALLEST) out.push([text.slice(0, 30), Math.round(size * 10) / 10]);
  }
  return out;
}""".replace("SMALLEST", str(SMALLEST))


def sideways(page: Any) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return int(page.evaluate(
        "document.scrollingElement.scrollWidth - window.innerWidth"))


def small_text(page: Any) -> list[list[Any]]:
    """Visible text under 11 px: [text, size in px]."""
    return list(page.evaluate(_SMALL_TEXT))


def axe_source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"axe-core is not installed at {AXE} (.ci/run installs it with npm)")
        pytest.skip("axe-core is not installed (npm install --prefix .ci/node axe-core@4)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page: "rule: target" for each node."""
    page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']}: {', '.join(map(str, n['target']))}"
            for v in result["violations"] for n in v["nodes"]]
