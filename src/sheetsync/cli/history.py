"""`sheetsync history`: the monthly snapshots the store keeps (drop a month, show a
measure's months)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sheetsync.cli.common import open_cohort, print_json
from sheetsync.cli.exit import EXIT_MASTER_LOCKED, Group
from sheetsync.pull.history import drop_month, measure_history


@click.group(cls=Group)
def history() -> None:
    """The monthly snapshots the store keeps (the master's History sheet and trend)."""


@history.command("drop")
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to remove.")
@click.option("--district", "district_id", metavar="ID", help="Only this district's month.")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
def history_drop(month: str, district_id: str | None, cohort_path: Path | None) -> None:
    """Remove a month from History on purpose (e.g. a pull with a wrong --as-of), then
    write the master again so it no longer shows that month."""
    c = open_cohort(cohort_path)
    dropped = drop_month(c, month, district_id)
    click.echo(dropped.describe())
    if dropped.master_error:
        click.secho(dropped.master_error, fg="red", err=True)
        sys.exit(EXIT_MASTER_LOCKED)


@history.command("show")
@click.option("--district", "district_id", required=True, metavar="ID", help="The district.")
@click.option("--measure", "measure_id", required=True, metavar="ID", help="The measure, e.g. M1.")
@click.option("--all-years", is_flag=True,
              help="Every school year the store holds, not only the cohort's.")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--json", "as_json", is_flag=True, help="Print the months as JSON.")
def history_show(district_id: str, measure_id: str, all_years: bool, cohort_path: Path | None,
                 as_json: bool) -> None:
    """One measure's months: latest actual and status at each pull. A measure carried by
    `cohort rollover` keeps its id, so --all-years shows its trend across years."""
    c = open_cohort(cohort_path)
    found = measure_history(c, district_id, measure_id, all_years)
    if as_json:
        print_json(found.to_json())
    else:
        click.echo(found.describe())
