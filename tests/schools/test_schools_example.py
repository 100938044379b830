"""`sheetsync example DIR --level school`: a district running its schools, in one line."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from sheetsync.cli import main


def test_the_school_example_pulls_into_a_master_with_the_alignment_baseline(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["example", str(tmp_path / "ex"), "--level", "school"])
    assert made.exit_code == 0, made.output
    assert "4 school plans" in made.output
    pulled = runner.invoke(main, ["pull", "--cohort", str(tmp_path / "ex" / "cohort.toml")])
    assert pulled.exit_code == 0, pulled.output
    assert "4 schools: 4 read, 0 unchanged, 0 failed" in pulled.output
    wb = openpyxl.load_workbook(tmp_path / "ex" / "cohort_master.xlsx", read_only=True)
    alignment = list(wb["Alignment"].iter_rows(values_only=True))
    assert len(alignment) == 1 + 4 * 4  # four schools, four strategic goals, gaps included
    assert sum(r[4] == 0 for r in alignment[1:]) == 6  # as SCHOOLS nests them
    common = list(wb["Common Measures"].iter_rows(values_only=True))
    assert common[1][2] == 4  # a measure every school keeps
    again = runner.invoke(main, ["example", str(tmp_path / "ex"), "--level", "school"])
    assert again.exit_code == 2 and "already holds" in again.output
