"""A store that spans years: a rolled-over cohort keeps every earlier month, the master shows
its own year, a carried measure's trend goes on, and a pull never mixes two years."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetsync.cli.commands import main
from sheetsync.cohort.file import load_cohort
from sheetsync.cohort.store import Store
from sheetsync.errors import OutsideSchoolYear
from sheetsync.pull import run as pull_run
from sheetsync.pull.run import pull
from sheetsync.schema.sheets import scorecard_layout
from tests.helpers import AS_OF, copy_cohort
from tests.pull.test_pull import sheet_values
from tests.stores import older_store

NEXT_AS_OF = date(2027, 10, 31)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def periods(folder: Path, sql: str = "SELECT DISTINCT period FROM snapshots") -> list[str]:
    db = sqlite3.connect(folder / ".sheetsync" / "store.sqlite")
    try:
        return sorted(r[0] for r in db.execute(sql))
    finally:
        db.close()


def type_actual(path: Path, measure_id: str, period: str, value: float) -> None:
    """Type one actual into a district's workbook, as the district would."""
    layout = scorecard_layout("2027-28").sheet("measures")
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.name]
    ids = layout.column("id").letter
    row = next(r for r in range(layout.first_data_row, ws.max_row + 1)
               if ws[f"{ids}{r}"].value == measure_id)
    ws[f"{layout.column('actual', period).letter}{row}"] = value
    wb.save(path)


@pytest.fixture(scope="module")
def two_years_made(examples: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This year's cohort pulled in November and January, then rolled over to 2027-28,
    once for the module: the folder holding both years (read-only; ``two_years`` copies)."""
    years = tmp_path_factory.mktemp("years")
    old, new = years / "2026-27", years / "2027-28"
    copy_cohort(examples, old, unpulled=True)
    pull(load_cohort(old), date(2026, 11, 30))
    pull(load_cohort(old), AS_OF)
    result = run("cohort", "rollover", "--to", "2027-28", "--folder", str(new),
                 "--cohort", str(old / "cohort.toml"))
    assert result.exit_code == 0, result.output
    assert "Kept 2 earlier months of History" in result.output
    return years


@pytest.fixture
def two_years(two_years_made: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of both years for one test: (this year's folder, next year's)."""
    years = copy_cohort(two_years_made, tmp_path / "years")
    return years / "2026-27", years / "2027-28"


def test_a_rolled_over_cohort_keeps_last_years_snapshots(two_years) -> None:
    old, new = two_years
    before = (old / ".sheetsync" / "store.sqlite").read_bytes()
    assert periods(new) == periods(old) == ["2026-11", "2027-01"]
    assert periods(new, "SELECT DISTINCT period FROM history") == ["2026-11", "2027-01"]
    assert periods(new, "SELECT district_id FROM outcomes") == []  # the new year is unpulled
    pull(load_cohort(new), NEXT_AS_OF)
    assert periods(new) == ["2026-11", "2027-01", "2027-10"]
    assert periods(old) == ["2026-11", "2027-01"]  # the old store is only read
    assert (old / ".sheetsync" / "store.sqlite").read_bytes() == before


def test_the_masters_history_shows_the_cohorts_year(two_years) -> None:
    old, new = two_years
    pull(load_cohort(new), NEXT_AS_OF)
    history = sheet_values(new / "cohort_master.xlsx")["History"]
    month = history[0].index("Month")
    assert {r[month] for r in history[1:] if r[0]} == {"2027-10"}
    old_history = sheet_values(old / "cohort_master.xlsx")["History"]
    assert {r[month] for r in old_history[1:] if r[0]} == {"2026-11", "2027-01"}


def test_a_measure_carried_by_rollover_continues_its_trend(two_years) -> None:
    _, new = two_years
    cohort = load_cohort(new)
    d = cohort.districts[0]
    type_actual(cohort.source_path(d), "M1", "2027-10", 61)
    pull(cohort, NEXT_AS_OF)
    args = ("history", "show", "--district", d.id, "--measure", "M1",
            "--cohort", str(new / "cohort.toml"), "--json")
    this_year = json.loads(run(*args).output)
    assert [m["month"] for m in this_year["months"]] == ["2027-10"]
    result = run(*args, "--all-years")
    assert result.exit_code == 0, result.output
    months = json.loads(result.output)["months"]
    assert [(m["month"], m["school_year"]) for m in months] == [
        ("2026-11", "2026-27"), ("2027-01", "2026-27"), ("2027-10", "2027-28")]
    assert months[-1]["latest_actual"] == 61 and months[-1]["latest_month"] == "2027-10"
    assert months[0]["latest_actual"] is not None  # last year's actuals, same measure
    text = run(*args[:-1], "--all-years").output
    assert f"{d.id} M1, every year: 3 months" in text and "2027-10  2027-28" in text


def test_history_show_names_the_measures_a_district_has(two_years) -> None:
    _, new = two_years
    result = run("history", "show", "--district", "KY-001", "--measure", "M99",
                 "--cohort", str(new / "cohort.toml"), "--all-years")
    assert result.exit_code == 2
    assert "History has no measure M99 for district KY-001; it has M1" in result.output


def test_a_pull_never_mixes_two_years(two_years) -> None:
    """Last year's workbook named in next year's cohort is refused (wrong-school-year): the
    new year's month holds no row of it, and last year's months are left as they were."""
    old, new = two_years
    cohort = load_cohort(new)
    d = cohort.districts[0]
    shutil.copy(load_cohort(old).source_path(d), cohort.source_path(d))
    kept = periods(new, "SELECT period || district_id || measure_id || status FROM history")
    report = pull(cohort, NEXT_AS_OF)
    row = next(r for r in report.districts if r["id"] == d.id)
    assert not row["ok"] and [f["code"] for f in row["findings"]] == ["wrong-school-year"]
    assert periods(new, "SELECT DISTINCT period FROM history WHERE district_id = "
                        f"'{d.id}'") == ["2026-11", "2027-01"]
    assert periods(new, "SELECT ok FROM snapshots WHERE period = '2027-10' AND district_id = "
                        f"'{d.id}'") == [0]
    assert set(kept) <= set(periods(
        new, "SELECT period || district_id || measure_id || status FROM history"))


def test_rolling_over_again_keeps_the_months_already_pulled(two_years) -> None:
    """--force into a folder already pulled: its months are kept, last year's not doubled."""
    old, new = two_years
    pull(load_cohort(new), NEXT_AS_OF)
    before = periods(new, "SELECT period || district_id || measure_id FROM history")
    result = run("cohort", "rollover", "--to", "2027-28", "--folder", str(new), "--force",
                 "--cohort", str(old / "cohort.toml"), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["earlier_months"] == []
    assert periods(new, "SELECT period || district_id || measure_id FROM history") == before


def test_a_version_two_store_is_carried_into_the_new_year(tmp_path: Path) -> None:
    """A store written before reminders (schema 2, no reminders table) is copied whole."""
    old = older_store(tmp_path / "old.sqlite", 2)
    db = sqlite3.connect(old)
    db.execute("INSERT INTO snapshots VALUES ('KY-001', '2027-01', 'x', '2027-01-20', 1, "
               "NULL, NULL)")
    db.execute("INSERT INTO history VALUES ('KY-001', '2027-01', 'M1', 'G1', '2026-12', 57, "
               "55, 0.4, 'On Track')")
    db.commit()
    db.close()
    with Store(tmp_path / "new" / "store.sqlite") as store:
        assert store.take_earlier(old) == ["2027-01"]
        assert next(iter(store.history(["KY-001"])))[:3] == ("KY-001", "M1", "2027-01")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "old.sqlite"]


def test_the_cohort_reports_trend_shows_the_cohorts_year(two_years) -> None:
    from sheetsync.report.cohort import cohort_view

    _, new = two_years
    pull(load_cohort(new), NEXT_AS_OF)
    cohort = load_cohort(new)
    with Store(new / ".sheetsync" / "store.sqlite") as store:
        view = cohort_view(cohort, store)
    assert [t["month"] for t in view["trend"]] == ["2027-10"]  # last year's months stay last year's


def test_a_pull_in_the_rolled_over_folder_never_replaces_a_carried_month(two_years) -> None:
    """June: rollover, then `sheetsync pull` in the new folder in the same month."""
    _, new = two_years
    kept = periods(new, "SELECT period || district_id || measure_id || status FROM history")
    refused = run("pull", "--cohort", str(new / "cohort.toml"), "--as-of", "2027-01-20",
                  "--any-date")
    assert refused.exit_code == 2, refused.output
    assert "2027-01 in " in refused.output and "carried by `cohort rollover`" in refused.output
    assert "Traceback" not in refused.output
    assert periods(new, "SELECT period || district_id || measure_id || status "
                        "FROM history") == kept


def test_a_pull_on_a_day_outside_the_cohorts_year_is_refused(two_years, monkeypatch) -> None:
    """Without --as-of, today must be in the cohort's year, as an --as-of must."""
    _, new = two_years

    class June(date):
        @classmethod
        def today(cls) -> date:
            return date(2027, 6, 15)

    monkeypatch.setattr(pull_run, "date", June)
    with pytest.raises(OutsideSchoolYear, match="Today \\(2027-06-15\\) is outside"):
        pull(load_cohort(new))
    said = run("pull", "--cohort", str(new / "cohort.toml"))
    assert said.exit_code == 2 and "Today (2027-06-15) is outside the cohort's school year " \
        "2027-28" in said.output and "--any-date" in said.output
    assert periods(new) == ["2026-11", "2027-01"]
