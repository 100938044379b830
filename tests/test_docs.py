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
    outside = re.compile(r"\bdomain\.md\b")
    found = [str(p.relative_to(ROOT)) for folder in ("src", "tests", "docs", "bench")
             for p in (ROOT / folder).rglob("*.py") if p.is_file()
             and p.name != "test_docs.py"
             and outside.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert not found, f"these cite domain.md, which is not in the repository: {found}"
