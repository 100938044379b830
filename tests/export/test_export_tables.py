"""`sheetsync export tables`: the store as tidy tables, read back with pandas (CSV) and
DuckDB (Parquet) and checked against the master written from the same store."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from sheetsync.cli import main
from sheetsync.export.tables import DICTIONARY, TABLES
from tests.helpers import copy_cohort


@pytest.fixture
def two_months(pulled_two_months: Path, tmp_path: Path) -> Path:
    return copy_cohort(pulled_two_months, tmp_path / "cohort")


def export(folder: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["export", "tables", "--cohort",
                                       str(folder / "cohort.toml"), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return result.output


def master(folder: Path) -> dict[str, pd.DataFrame]:
    wb = openpyxl.load_workbook(folder / "cohort_master.xlsx")
    out = {}
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        out[ws.title] = pd.DataFrame(rows[1:], columns=rows[0])
    return out


def test_csv_tables_match_the_master(two_months: Path, tmp_path: Path) -> None:
    output = export(two_months, tmp_path / "tables")
    tables = {name: pd.read_csv(tmp_path / "tables" / f"{name}.csv",
                                dtype={"district_id": str, "month": str})
              for name in TABLES}
    sheets = master(two_months)
    assert "measure_months" in output and "8 tables" in output
    # counts: districts, measures, months; every table's rows, as the master's sheets
    assert len(tables["districts"]) == len(sheets["Summary"].dropna(subset=["District ID"])) == 6
    assert len(tables["measures"]) == len(sheets["Measures"])
    for name, sheet in (("goals", "Goals"), ("actions", "Actions"), ("updates", "Updates"),
                        ("findings", "Issues"), ("measure_months", "History")):
        assert len(tables[name]) == len(sheets[sheet]), name
    assert sorted(tables["measure_months"]["month"].unique()) == \
        sorted(sheets["History"]["Month"].unique())
    assert len(tables["measure_months"]["month"].unique()) >= 2  # December and January
    assert len(tables["pulls"]) == 2 and list(tables["pulls"]["period"]) == ["2026-12",
                                                                             "2027-01"]
    # a few values, row for row
    m, sheet = tables["measures"], sheets["Measures"]
    assert list(m["measure_id"]) == list(sheet["Measure ID"])
    assert list(m["status"]) == list(sheet["Status"])
    for mine, theirs in zip(m["latest_actual"], sheet["Latest Actual"], strict=True):
        assert (pd.isna(mine) and pd.isna(theirs)) or mine == pytest.approx(theirs)
    assert list(m["source_cell"]) == list(sheet["Source Cell"])
    d = tables["districts"].set_index("district_id")
    s = sheets["Summary"].dropna(subset=["District ID"]).set_index("District ID")
    assert list(d["on_track"]) == list(s["On Track"].astype(int))
    assert list(d["district"]) == list(s["District"])
    # the dictionary names every column of every table, once
    with (tmp_path / "tables" / DICTIONARY).open() as fh:
        said = [(r["table"], r["column"]) for r in csv.DictReader(fh)]
    assert said == [(n, c) for n in TABLES for c in tables[n].columns]
    assert all(r for r in said)
    assert "measure_months.csv" in (tmp_path / "tables" / "README.md").read_text()


def test_one_year_keeps_that_years_months(two_months: Path, tmp_path: Path) -> None:
    export(two_months, tmp_path / "before", "--year", "2025-26")
    months = pd.read_csv(tmp_path / "before" / "measure_months.csv")
    pulls = pd.read_csv(tmp_path / "before" / "pulls.csv")
    assert len(months) == 0 and len(pulls) == 0
    assert len(pd.read_csv(tmp_path / "before" / "districts.csv")) == 6  # the plans, still
    export(two_months, tmp_path / "this", "--year", "2026-27")
    assert len(pd.read_csv(tmp_path / "this" / "measure_months.csv")) > 0


def test_a_year_that_is_not_one_is_refused(two_months: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "tables", "--cohort",
                                       str(two_months / "cohort.toml"), "-o",
                                       str(tmp_path / "x"), "--year", "2026"])
    assert result.exit_code == 2 and "2026" in result.output
    assert not (tmp_path / "x").exists()


def test_parquet_tables_are_the_csv_tables_typed(two_months: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    export(two_months, tmp_path / "csv")
    export(two_months, tmp_path / "pq", "--format", "parquet")
    assert not list((tmp_path / "pq").glob("*.csv.*"))
    for name, table in TABLES.items():
        frame = duckdb.sql(f"SELECT * FROM '{tmp_path / 'pq' / name}.parquet'").df()
        text = pd.read_csv(tmp_path / "csv" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(frame.columns) == [c.name for c in table.columns]
        assert len(frame) == len(text), name
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{tmp_path / 'pq'}/measures.parquet'")
    types = {r[0]: r[1] for r in described.fetchall()}
    assert types["latest_actual"] == "DOUBLE" and types["target_date"] == "DATE"
    total = duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'pq'}/measure_months.parquet'")
    assert total.fetchall()[0][0] == len(pd.read_csv(tmp_path / "csv" / "measure_months.csv"))


def test_parquet_without_duckdb_says_what_to_install(two_months: Path, tmp_path: Path,
                                                     monkeypatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "duckdb", None)  # as if not installed
    result = CliRunner().invoke(main, ["export", "tables", "--cohort",
                                       str(two_months / "cohort.toml"), "-o",
                                       str(tmp_path / "x"), "--format", "parquet"])
    assert result.exit_code == 2
    assert "sheetsync-scorecard[tables]" in result.output and "--format csv" in result.output
    assert not (tmp_path / "x").exists()
