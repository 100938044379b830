"""`sheetsync cohort rollover`: every district drafted for next year, old files untouched."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.read.scorecard import read_scorecard
from tests.helpers import copy_cohort


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(*args: str):
    return CliRunner().invoke(main, ["cohort", "rollover", *args])


def test_cohort_rollover_writes_next_years_cohort_and_workbooks(examples: Path,
                                                                tmp_path: Path) -> None:
    old = tmp_path / "2026-27"
    copy_cohort(examples, old)
    before = _snapshot(old)
    result = _run("--to", "2027-28", "--folder", str(tmp_path / "2027-28"),
                  "--cohort", str(old / "cohort.toml"), "--json")
    assert result.exit_code == 0, result.output
    assert _snapshot(old) == before
    was, now = load_cohort(old / "cohort.toml"), load_cohort(tmp_path / "2027-28")
    assert now.cohort.school_year == "2027-28"
    assert [(d.id, d.name, d.contacts) for d in now.districts] == \
        [(d.id, d.name, d.contacts) for d in was.districts]
    for d in now.districts:
        card, _ = read_scorecard(str(now.source_path(d)))
        assert (card.profile.district_id, card.school_year) == (d.id, "2027-28")
    data = json.loads(result.output)
    assert all(d["counts"]["rebased"] > 0 for d in data["districts"])


def test_cohort_rollover_refuses_this_years_folder(examples: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    copy_cohort(examples, old)
    before = _snapshot(old)
    result = _run("--to", "2027-28", "--folder", str(old), "--cohort", str(old / "cohort.toml"))
    assert result.exit_code == 2 and "never changed" in result.output
    assert _snapshot(old) == before


def test_cohort_rollover_lists_a_district_it_cannot_read(examples: Path,
                                                         tmp_path: Path) -> None:
    old = tmp_path / "old"
    copy_cohort(examples, old)
    (old / "districts" / "adair.xlsx").write_text("not a workbook")
    result = _run("--to", "2027-28", "--folder", str(tmp_path / "new"),
                  "--cohort", str(old / "cohort.toml"))
    assert result.exit_code == 3 and "1 not rolled over" in result.output
    now = load_cohort(tmp_path / "new")
    assert now.districts[0].source == ""
    assert len(now.districts) == 6


def test_cohort_rollover_refuses_a_year_not_after_the_cohorts(examples: Path,
                                                              tmp_path: Path) -> None:
    result = _run("--to", "2026-27", "--folder", str(tmp_path / "new"),
                  "--cohort", str(examples / "cohort.toml"))
    assert result.exit_code == 2 and "not after the cohort's year" in result.output
