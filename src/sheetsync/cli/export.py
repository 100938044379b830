"""``sheetsync export``: a scorecard in another body's format, or the store as tidy tables
(registered by ``sheetsync.cli``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sheetsync.cli.common import as_year, open_cohort
from sheetsync.cli.exit import Failure, Group
from sheetsync.export.tables import DICTIONARY, FORMATS, TABLES, export_tables


@click.group(cls=Group)
def export() -> None:
    """Write a scorecard in another body's format, or the store as tidy tables."""


@export.command("kde-cdip")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the .xlsx (without it, --json prints the rows only).")
@click.option("--json", "as_json", is_flag=True, help="Print the rows and gaps as JSON.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
def kde_cdip(file: Path, output: Path | None, as_json: bool, force: bool) -> None:
    """Write FILE in Kentucky's CDIP/CSIP goal-building columns (Goal, Objective, Needs
    Addressed, Strategy, KCWP, Activities, Measure of Success, Progress Monitoring, Funding),
    one row per goal, objective and strategy, to paste into the state's system. Every field
    the form requires and FILE leaves blank is listed with its cell.
    """
    from sheetsync.export.kde_cdip import export_file

    if output is None and not as_json:
        raise Failure("give -o FILE.xlsx to write the export, or --json to print it.")
    try:
        done = export_file(file, output, force)
    except OSError as exc:  # a full disk, say: the previous -o file is left as it was
        raise Failure(f"{output}: cannot write ({exc.strerror or exc})") from None
    if as_json:
        click.echo(json.dumps(done.to_json(), indent=2, default=str))
        return
    n = len(done.rows)
    click.echo(f"Wrote {output}: {n} row{'s' * (n != 1)}, one per goal, objective and "
               f"strategy, in Kentucky's {done.plan} goal-building columns.")
    if done.gaps:
        click.echo("What the state's form requires and the scorecard leaves blank (fill these "
                   "cells and export again):")
    for gap in done.gaps:
        click.echo(f"  {gap.line()}")
    errors, warnings = done.findings.get("error", 0), done.findings.get("warning", 0)
    if errors or warnings:
        click.echo(f"{file} has {errors} error{'s' * (errors != 1)} and {warnings} "
                   f"warning{'s' * (warnings != 1)}: `sheetsync check {file}` lists them.")


@export.command("tables")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True,
              help="CSV (needs nothing) or Parquet (the tables extra: pip install "
                   "'sheetsync-scorecard[tables]').")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="The folder to write the tables into (made if missing).")
@click.option("--year", callback=as_year,
              help="Only this school year's months, like 2026-27 (default: every month the "
                   "store has).")
def tables(cohort_path: Path | None, fmt: str, output: Path, year: str | None) -> None:
    """Write the store as tidy tables for pandas, DuckDB or Power BI: districts, goals,
    measures, measure_months, actions, updates, findings and pulls, one file each, with
    their data dictionary (data_dictionary.csv and a README). The store is only read."""
    done = export_tables(open_cohort(cohort_path), output, fmt, year)
    click.echo(f"Wrote {len(TABLES)} tables ({fmt}) and {DICTIONARY} to {output}:")
    for name, n in done.rows.items():
        click.echo(f"  {name:<15} {n:>9,} row{'s' * (n != 1)}")
