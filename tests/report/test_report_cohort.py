"""`sheetsync report cohort` and `sheetsync report site`: the consultant's view of a month."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from tests.helpers import AS_OF, copy_cohort


@pytest.fixture(scope="module")
def broken_cohort(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pulled in December and January; in January Adair's file is broken, and a seventh
    district joined the cohort after the last pull (no data yet)."""
    folder = copy_cohort(examples, tmp_path_factory.mktemp("cohort-report") / "cohort",
                         unpulled=True)
    pull(load_cohort(folder / "cohort.toml"), date(2026, 12, 15))
    (folder / "districts" / "adair.xlsx").write_bytes(b"not a workbook")
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    with (folder / "cohort.toml").open("a") as fh:
        fh.write('\n[[district]]\nid = "KY-007"\nname = "Clark County"\n'
                 'source = "districts/clark.xlsx"\n')
    return folder


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", *args])
    return result.exit_code, result.output


def rows(html: str) -> list[str]:
    body = html.split('<table class="districts">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<th scope=\"row\">(?:<a [^>]+>)?([^<]+)", body)


def test_cohort_report_puts_failed_and_empty_districts_first(broken_cohort, tmp_path):
    out = tmp_path / "cohort.html"
    code, output = run("cohort", "--cohort", str(broken_cohort / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    order = rows(html)
    assert order[:2] == ["Adair County", "Clark County"] and len(order) == 7
    failed = html.split("Districts that could not be read")[1]
    assert "Adair County (KY-001): this is a CSV or text file" in failed
    assert "No data yet" in html
    assert "January 2027" in html and ">The cohort's trend<" in html


def test_cohort_report_shows_change_since_last_month_and_update_compliance(broken_cohort,
                                                                         tmp_path):
    out = tmp_path / "cohort.html"
    run("cohort", "--cohort", str(broken_cohort / "cohort.toml"), "-o", str(out))
    html = out.read_text()
    assert re.search(r">(up|down) \d+%<|>no change<", html)
    compliance = html.split("Update compliance by month")[1].split("</table>")[0]
    assert "Dec 2026" in compliance and "<th scope=\"row\">Jan 2027" not in compliance


def test_cohort_report_for_a_past_month_and_a_month_never_pulled(broken_cohort, tmp_path):
    out = tmp_path / "dec.html"
    code, output = run("cohort", "--cohort", str(broken_cohort / "cohort.toml"),
                       "--month", "2026-12", "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "December 2026" in html and "None: every district was read." in html
    code, output = run("cohort", "--cohort", str(broken_cohort / "cohort.toml"),
                       "--month", "2026-09", "-o", str(tmp_path / "sep.html"))
    assert code == 2 and "the store has 2026-12, 2027-01" in output


def test_site_has_an_index_and_a_page_per_district_with_relative_links(broken_cohort, tmp_path):
    site = tmp_path / "site"
    code, output = run("site", "--cohort", str(broken_cohort / "cohort.toml"), "-o", str(site))
    assert code == 0, output
    index = (site / "index.html").read_text()
    links = re.findall(r'<a href="([^"#]+)"', index)
    assert sorted(links) == [f"districts/KY-00{i}.html" for i in range(1, 8)]
    for link in links:
        page = (site / link).read_text()
        assert '<a href="../index.html">' in page
    assert "could not be read" in (site / "districts" / "KY-001.html").read_text()
    twin = json.loads((site / "districts" / "KY-003.json").read_text())
    assert twin["district"]["id"] == "KY-003" and twin["plan"]
    index = json.loads((site / "index.json").read_text())
    assert [d["id"] for d in index["districts"]][:2] == ["KY-001", "KY-007"]
    assert "No data yet" in (site / "districts" / "KY-007.html").read_text()


def test_public_site_leaves_out_contacts_findings_and_read_problems(broken_cohort, tmp_path):
    site = tmp_path / "public"
    code, output = run("site", "--cohort", str(broken_cohort / "cohort.toml"), "--public",
                       "-o", str(site))
    assert code == 0, output
    pages = [*site.rglob("*.html"), *site.rglob("*.json")]
    assert len(pages) == 16
    for page in pages:
        text = re.sub(r"<style>.*?</style>", "", page.read_text(), flags=re.S)
        assert "@" not in text and "What to fix" not in text, page
        assert "CSV or text file" not in text, page


def test_the_cohort_s_ids_and_names_win_over_the_workbook_s_own(cohort_dir, tmp_path):
    """Two districts whose workbooks are copies of one file (same id inside) get a page each."""
    folder = cohort_dir
    shutil.copy(folder / "districts" / "adair.xlsx", folder / "districts" / "copy.xlsx")
    with (folder / "cohort.toml").open("a") as fh:
        fh.write('\n[[district]]\nid = "KY-099"\nname = "Copy County"\n'
                 'source = "districts/copy.xlsx"\n')
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    site = tmp_path / "site"
    code, output = run("site", "--cohort", str(folder / "cohort.toml"), "-o", str(site))
    assert code == 0, output
    assert len(list((site / "districts").glob("*.html"))) == 7
    page = (site / "districts" / "KY-099.html").read_text()
    assert "<h1>Copy County: monthly status report</h1>" in page and "District KY-099" in page


def test_the_attention_order_is_said_in_words_and_puts_the_worst_first(broken_cohort, tmp_path):
    out = tmp_path / "cohort.json"
    code, output = run("cohort", "--cohort", str(broken_cohort / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    view = json.loads(out.read_text())
    scored = [d for d in view["districts"] if d["attention"]["rank"] == 2]
    scores = [d["attention"]["score"] for d in scored]
    assert scores == sorted(scores, reverse=True) and len(scored) == 5
    for d in scored:  # the score is its parts, each said in words
        parts = d["attention"]["parts"]
        assert d["attention"]["score"] == sum(p["points"] for p in parts)
        off = round(100 * (1 - d["share"]))
        assert parts[0] == {"points": off, "why": f"{off}% of measures not on track or met",
                            "public": True}
        assert [p["points"] for p in parts[1:]] == \
            [10 * d["late_or_missing"]] * bool(d["late_or_missing"]) + \
            [5 * d["errors"]] * bool(d["errors"])
    html = (out.with_suffix(".html"))
    run("cohort", "--cohort", str(broken_cohort / "cohort.toml"), "-o", str(html))
    page = html.read_text()
    assert "one point for each percent" in page and "10 points for each monthly update" in page
    late = page.split(">Monthly updates late or missing<", 1)[1].split("</ul>", 1)[0]
    for d in view["districts"]:
        for u in d["late_or_missing_updates"]:
            assert f"{d['name']}: " in late and u["label"] in late


def test_the_public_order_and_score_leave_the_errors_out(broken_cohort, tmp_path):
    site = tmp_path / "public"
    code, output = run("site", "--cohort", str(broken_cohort / "cohort.toml"), "--public",
                       "-o", str(site))
    assert code == 0, output
    index = json.loads((site / "index.json").read_text())
    for d in index["districts"]:
        assert all(p["public"] for p in d["attention"]["parts"])
        assert d["attention"]["score"] == sum(p["points"] for p in d["attention"]["parts"])
    page = (site / "index.html").read_text()
    assert "error" not in page.split("those needing attention first", 1)[1].lower()
