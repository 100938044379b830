"""The docs/ pages the code cites are in the repository and current."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cli.render import rules_markdown
from sheetsync.schema.findings import RULES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_findings_md_is_the_catalogue_as_declared():
    page = (DOCS / "findings.md").read_text(encoding="utf-8")
    assert page == rules_markdown(), \
        "docs/findings.md is stale: run `sheetsync rules --markdown > docs/findings.md`"
    assert all(f"`{code}`" in page for code in RULES)
    result = CliRunner().invoke(main, ["rules", "--markdown"])
    assert result.exit_code == 0 and result.output == page


def test_every_docs_page_the_code_and_tests_cite_exists():
    cited = set()
    for folder in ("src", "tests", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".html", ".js"} and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                cited |= set(re.findall(r"docs/([a-z_-]+\.md)", text))
    assert cited, "the code cites no docs/ page: the pattern is wrong"
    assert {"status.md", "values.md", "findings.md"} <= cited
    missing = sorted(name for name in cited if not (DOCS / name).is_file())
    assert not missing, f"cited but not in docs/: {missing}"


def test_nothing_cites_a_file_outside_the_repository():
    """Every Markdown file the code and tests name is one of the repository's own, and no
    code cites the steering folder beside the checkout: what the code relies on is written in
    docs/ (the recorded Google traffic there is read by tests/google/test_fake_google.py as
    data, to keep the fake honest)."""
    own = {p.name for p in ROOT.rglob("*.md") if ".git" not in p.parts}
    named = re.compile(r"([\w-]+\.md)\b")
    # the steering folder beside the checkout; its recorded Google traffic is test data only
    beside = re.compile(r"\.\./shared/(?!google-api-recordings)")
    found = []
    for folder in ("src", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8", errors="replace")
            strangers = sorted(set(named.findall(text)) - own)
            if strangers or beside.search(text):
                found.append(f"{path.relative_to(ROOT)}: {strangers or beside.findall(text)}")
    assert not found, f"these cite files outside the repository: {found}"
