"""Excel's limits, said and handled, with the limits lowered so the test is fast: History
past the row limit goes to one sheet per school term (the store keeps every row); a sheet
whose rows ask for more links than Excel allows keeps one per district row; `master
rebuild` (and a pull) print a warning line for each."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli import main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.master import _xlsxwriter, layout
from sheetsync.master.build import cohort_periods
from tests.helpers import AS_OF, copy_cohort


@pytest.fixture
def two_months(pulled_two_months: Path, tmp_path: Path) -> Path:
    return copy_cohort(pulled_two_months, tmp_path / "cohort")


def history_counts(folder: Path) -> dict[str, int]:
    cohort = load_cohort(folder / "cohort.toml")
    with Store(cohort.store_path) as store:
        return store.history_counts([d.id for d in cohort.members], cohort_periods(cohort))


def rebuild(folder: Path) -> tuple[str, openpyxl.Workbook]:
    out = CliRunner().invoke(main, ["master", "rebuild", "--cohort",
                                    str(folder / "cohort.toml")])
    assert out.exit_code == 0, out.output
    return out.output, openpyxl.load_workbook(folder / "cohort_master.xlsx")


def history_rows(wb: openpyxl.Workbook, name: str) -> list[tuple]:
    return list(wb[name].iter_rows(min_row=2, values_only=True))


def test_history_within_the_limit_is_one_sheet(two_months: Path) -> None:
    output, wb = rebuild(two_months)
    assert "warning" not in output
    assert "History" in wb.sheetnames
    assert len(history_rows(wb, "History")) == sum(history_counts(two_months).values())


def test_history_past_the_row_limit_goes_to_one_sheet_per_term(two_months: Path,
                                                               monkeypatch) -> None:
    counts = history_counts(two_months)
    terms: dict[str, int] = {}
    for period, n in counts.items():
        year, month = map(int, period.split("-"))
        first = f"{year}-{(month - 1) // 3 * 3 + 1:02d}"
        last = f"{year}-{(month - 1) // 3 * 3 + 3:02d}"
        key = f"History {first} to {last}"
        terms[key] = terms.get(key, 0) + n
    assert len(terms) >= 2, counts  # December and January: two terms
    _, whole = rebuild(two_months)
    expected = history_rows(whole, "History")
    monkeypatch.setattr(layout, "MAX_ROWS", max(terms.values()) + 1)  # with the header row
    output, wb = rebuild(two_months)
    assert "History" not in wb.sheetnames
    assert [n for n in wb.sheetnames if n.startswith("History")] == sorted(terms)
    assert "warning: the master's History" in output and "split into" in output
    split = [row for name in sorted(terms) for row in history_rows(wb, name)]
    for name, n in terms.items():
        assert len(history_rows(wb, name)) == n
        assert len(history_rows(wb, name)) < layout.MAX_ROWS
    assert sorted(split, key=repr) == sorted(expected, key=repr)  # no row lost or changed
    # the store keeps the whole year, whatever the master's sheets
    assert history_counts(two_months) == counts


def test_a_month_past_the_row_limit_keeps_what_fits_and_says_so(two_months: Path,
                                                                  monkeypatch) -> None:
    counts = history_counts(two_months)
    room = min(counts.values()) - 5  # not even one month fits in a sheet
    monkeypatch.setattr(layout, "MAX_ROWS", room + 1)
    output, wb = rebuild(two_months)
    sheets = [n for n in wb.sheetnames if n.startswith("History")]
    assert sheets == [f"History {p}" for p in sorted(counts)]  # one sheet per month
    for period in counts:
        assert len(history_rows(wb, f"History {period}")) == room
    left = [line for line in output.splitlines() if "History" in line and "left out" in line]
    assert len(left) == len(counts) and all(line.startswith("warning:") for line in left)
    assert f"{counts[min(counts)] - room:,} more rows are left out" in output
    assert "the master's Actions sheet is full" in output  # every sheet keeps within it
    assert "export tables" in output
    assert history_counts(two_months) == counts  # every row still in the store


def test_links_past_the_limit_become_one_per_district_row(two_months: Path,
                                                          monkeypatch) -> None:
    _, whole = rebuild(two_months)
    linked = [c.row for c in whole["Measures"]["O"] if c.hyperlink]
    districts = {r[0] for r in history_rows(whole, "Measures")}
    assert len(linked) > len(districts)  # a link on every measure row today
    monkeypatch.setattr(_xlsxwriter, "MAX_LINKS", len(districts) + 2)
    output, wb = rebuild(two_months)
    assert "warning: the master's Measures sheet has" in output
    assert "one link per district" in output
    ws = wb["Measures"]
    rows = history_rows(wb, "Measures")
    firsts = {i + 2 for i, r in enumerate(rows) if i == 0 or rows[i - 1][0] != r[0]}
    linked = {c.row for c in ws["O"] if c.hyperlink}
    assert linked == firsts and len(linked) == len(districts)
    assert ws.cell(min(firsts), 15).hyperlink.target.endswith(".xlsx")


def test_the_pull_says_so_too(two_months: Path, monkeypatch) -> None:
    monkeypatch.setattr(_xlsxwriter, "MAX_LINKS", 3)
    out = CliRunner().invoke(main, ["pull", "--force", "--as-of", AS_OF.isoformat(), "--cohort",
                                    str(two_months / "cohort.toml")])
    assert out.exit_code in (0, 3), out.output
    lines = [line for line in out.output.splitlines() if line.startswith("warning:")]
    assert any("Measures sheet" in line for line in lines), out.output
    assert any("Actions sheet" in line for line in lines), out.output
