"""`sheetsync report district`: the district's monthly status report, in HTML and PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.pull.run import pull
from sheetsync.report.data import view_from_file
from sheetsync.report.html import PALETTE, render_district
from tests.helpers import AS_OF, copy_cohort

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
YEAR = [f"2026-{m:02d}" for m in range(7, 13)] + [f"2027-{m:02d}" for m in range(1, 7)]


@pytest.fixture(scope="module")
def pulled(pulled_two_months: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example cohort pulled in December and January, copied for this module."""
    return copy_cohort(pulled_two_months, tmp_path_factory.mktemp("reports") / "cohort")


def report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", "district", *args])
    return result.exit_code, result.output


def words(text: str) -> str:
    return " ".join(text.split())


class Outline(HTMLParser):
    """Headings, table headers and every tag and attribute, to check the page's structure."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.th_scopes: list[str | None] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "th":
            self.th_scopes.append(a.get("scope"))


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


def test_district_report_from_the_store_shows_every_section(pulled, tmp_path):
    out = tmp_path / "boyle.html"
    code, output = report("KY-003", "--cohort", str(pulled / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    for heading in ("At a glance", "The plan", "Actions", "Overdue", "Due in the next 30 days",
                    "Monthly update", "What to fix"):
        assert f">{heading}<" in html, heading
    assert "Boyle County" in html and "January 2027" in html and "2027-01-20" in html
    assert html.count("<svg") >= 10  # the trend and the measures' charts
    assert "in the district's own words" in html
    assert re.search(r'<td>Measures</td><td class="cell">[A-Z]+\d+</td>', html)


def test_a_past_month_comes_from_its_snapshot(pulled, tmp_path):
    out = tmp_path / "dec.html"
    code, output = report("KY-003", "--cohort", str(pulled / "cohort.toml"),
                          "--month", "2026-12", "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "December 2026" in html and "2026-12-15" in html and "January 2027" not in html


def test_a_month_with_no_snapshot_names_the_months_that_exist(pulled, tmp_path):
    code, output = report("KY-003", "--cohort", str(pulled / "cohort.toml"),
                          "--month", "2026-11", "-o", str(tmp_path / "x.html"))
    assert code == 2
    assert "No snapshot for KY-003 for 2026-11" in output
    assert "2026-12, 2027-01" in output
    assert not (tmp_path / "x.html").exists()


def test_an_unknown_district_names_the_cohort_s_districts(pulled, tmp_path):
    code, output = report("KY-042", "--cohort", str(pulled / "cohort.toml"),
                          "-o", str(tmp_path / "x.html"))
    assert code == 2 and "KY-042 is neither a file nor a district" in output
    assert "KY-001" in output


def test_the_output_suffix_picks_the_format(examples, tmp_path):
    code, output = report(str(examples / "districts" / "adair.xlsx"), "-o",
                          str(tmp_path / "x.docx"))
    assert code == 2 and "must end in .html, .pdf or .json" in output


def test_json_twin_is_the_data_the_page_shows(pulled, tmp_path):
    out = tmp_path / "boyle.json"
    code, output = report("KY-003", "--cohort", str(pulled / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    data = json.loads(out.read_text())
    assert data["district"]["id"] == "KY-003" and data["month"] == "2027-01"
    html = render_district(data)
    for m in (m for sg in data["plan"] for g in sg["goals"] for m in g["measures"]):
        assert f"{m['id']}: {m['name']}" in html


def test_page_is_accessible_lang_headings_in_order_scoped_headers(examples):
    html = render_district(view_from_file(examples / "districts" / "boyle.xlsx", AS_OF))
    page = outline(html)
    assert page.lang == "en"
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False))
    assert page.th_scopes and all(s in ("col", "row") for s in page.th_scopes)
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "every chart's ids are its own"


def test_every_colour_has_its_word_and_aa_contrast(examples):
    html = render_district(view_from_file(examples / "districts" / "boyle.xlsx", AS_OF))
    for status, word in re.findall(r'<span class="status (s-[a-z-]+)">([^<]+)</span>', html):
        assert status == "s-" + word.lower().replace(" ", "-")
    for name, (bg, fg) in PALETTE.items():
        assert contrast(bg, fg) >= 4.5, name


def contrast(a: str, b: str) -> float:
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_nothing_is_fetched_and_nothing_runs(examples):
    html = render_district(view_from_file(examples / "districts" / "boyle.xlsx", AS_OF))
    page = outline(html)
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe", "object")]
    for _, attrs in page.tags:
        for key in ("src", "href"):
            assert not (attrs.get(key) or "").startswith(("http", "//")), attrs
    assert not re.search(r"url\((?!#)", html) and "@import" not in html


def test_public_report_leaves_out_contacts_emails_cells_and_findings(examples, tmp_path):
    out = tmp_path / "public.html"
    code, output = report(str(examples / "districts" / "boyle.xlsx"), "--as-of",
                          AS_OF.isoformat(), "--public", "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "Boyle County" in html and "Monthly update" in html
    assert "@" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    assert "What to fix" not in html and "Contact:" not in html
    assert 'class="cell"' not in html
    private = (tmp_path / "private.html")
    report(str(examples / "districts" / "boyle.xlsx"), "--as-of", AS_OF.isoformat(), "-o",
           str(private))
    shown = private.read_text()
    assert "What to fix" in shown and "Contact:" in shown
    assert re.search(r'<td class="cell">[A-Z]{1,2}\d+</td>', shown)


@pytest.fixture
def hostile(make_workbook) -> Path:
    """A district whose text is markup, a measure with twelve months and one with none."""
    return make_workbook(profile={"district_name": "Hostile", "as_of": date(2027, 6, 30)},
                         rows={
        "strategic_goals": [{"id": "SG1", "title": "Reading"}],
        "goals": [{"id": "G1", "strategic_goal_id": "SG1", "statement": SCRIPT,
                   "owner": "Ann"}],
        "measures": [
            {"id": "M1", "goal_id": "G1", "name": IMG, "unit": "%", "direction": "increase",
             "baseline": 40, "target": 52, "frequency": "monthly",
             **{f"actual:{p}": 40 + i for i, p in enumerate(YEAR)}},
            {"id": "M2", "goal_id": "G1", "name": "Attendance", "unit": "%",
             "direction": "increase", "baseline": 90, "target": 95, "frequency": "monthly"}],
        "monthly_updates": [{"month": "2027-05", "milestones": "Reading plan adopted",
                             "successes": "Tutors hired in every school",
                             "roadblocks": SCRIPT, "changes": "Moved the math pilot",
                             "support_needed": "Coaching", "submitted_by": "Ann",
                             "submitted_on": date(2027, 5, 28)}]})


def test_district_text_is_text_never_markup(hostile, tmp_path):
    out = tmp_path / "hostile.html"
    code, output = report(str(hostile), "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert not [t for t, _ in outline(html).tags if t in ("script", "img")]


def test_a_measure_with_twelve_months_has_a_chart_and_one_with_none_says_so(hostile):
    view = view_from_file(hostile)
    m1, m2 = view["plan"][0]["goals"][0]["measures"]
    assert m1["series"]["actual"] == [40.0 + i for i in range(12)]
    assert m2["status"] == "No Data" and set(m2["series"]["actual"]) == {None}
    html = render_district(view)
    assert html.count('<td class="chart"><figure><svg') == 1
    assert "No actuals yet." in html
    assert "Jun 51%" in html  # the chart's numbers, in words, for screen readers


def test_a_district_with_no_data_yet(make_workbook, tmp_path):
    out = tmp_path / "empty.html"
    code, output = report(str(make_workbook()), "--as-of", "2027-01-20", "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "no trend to show" in html and "No monthly update has been written yet" in html


def test_a_failed_re_pull_shows_the_good_month_marked_stale(pulled, tmp_path):
    folder = copy_cohort(pulled, tmp_path / "cohort")
    (folder / "districts" / "adair.xlsx").write_bytes(b"not a workbook")
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    out = tmp_path / "adair.html"
    code, output = report("KY-001", "--cohort", str(folder / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "At a glance" in html  # the month's good read stays
    assert "Stale:" in html and "this pull failed" in html
    code, output = report("KY-001", "--cohort", str(folder / "cohort.toml"), "--public",
                          "-o", str(out))
    assert code == 0, output
    public = out.read_text()
    assert "Stale:" in public and "not a workbook" not in public


def test_a_district_never_read_says_why(pulled, tmp_path):
    folder = tmp_path / "cohort"
    shutil.copytree(pulled, folder, ignore=shutil.ignore_patterns(".sheetsync"))  # never read
    (folder / "districts" / "adair.xlsx").write_bytes(b"not a workbook")
    pull(load_cohort(folder / "cohort.toml"), AS_OF)
    out = tmp_path / "adair.html"
    code, output = report("KY-001", "--cohort", str(folder / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    html = out.read_text()
    assert "could not be read" in html and "At a glance" not in html


pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None,
                               reason="pdftotext (poppler-utils) is not installed")


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pdftotext
def test_pdf_has_the_district_every_status_and_the_update_s_words(hostile, tmp_path):
    pytest.importorskip("weasyprint")
    out = tmp_path / "hostile.pdf"
    code, output = report(str(hostile), "-o", str(out))
    assert code == 0, output
    assert out.read_bytes().startswith(b"%PDF")
    text = words(_pdf_text(out))
    view = view_from_file(hostile)
    assert "Hostile" in text and "June 2027" in text
    assert "Page 1 of" in text  # the footer
    for m in view["plan"][0]["goals"][0]["measures"]:
        assert f"{m['id']}: {m['name']}" in text
        assert m["status"] in text
    for said in ("Reading plan adopted", "Tutors hired in every school", SCRIPT,
                 "Moved the math pilot", "Coaching"):
        assert said in text, said
    assert IMG in text  # shown as text, not drawn as an image


@pdftotext
def test_pdf_from_the_store_is_us_letter_with_the_district_in_the_header(pulled, tmp_path):
    pytest.importorskip("weasyprint")
    out = tmp_path / "boyle.pdf"
    code, output = report("KY-003", "--cohort", str(pulled / "cohort.toml"), "-o", str(out))
    assert code == 0, output
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "612 x 792 pts (letter)" in info
    first = subprocess.run(["pdftotext", "-l", "2", str(out), "-"], capture_output=True,
                           text=True).stdout
    assert first.count("Boyle County · January 2027") == 2  # a header on each page


def test_pdf_printing_fetches_nothing_from_outside(tmp_path):
    pytest.importorskip("weasyprint")
    from sheetsync.errors import SheetsyncError
    from sheetsync.report.pdf import write_pdf

    with pytest.raises(SheetsyncError, match="does not fetch anything"):
        write_pdf('<p>x</p><img src="http://127.0.0.1:9/x.png">', tmp_path / "x.pdf")
    write_pdf("<p>x</p>", tmp_path / "ok.pdf")
    assert (tmp_path / "ok.pdf").read_bytes().startswith(b"%PDF")
