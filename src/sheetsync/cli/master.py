"""`sheetsync master`: the cohort master workbook, written again from the store."""

from __future__ import annotations

from pathlib import Path

import click

from sheetsync.cli.common import excel_limits_said, open_cohort
from sheetsync.cli.exit import Failure, Group
from sheetsync.cli.google import google_option
from sheetsync.pull.jobs import workers
from sheetsync.pull.rebuild import rebuild


@click.group(cls=Group)
def master() -> None:
    """The cohort master workbook."""


@master.command("rebuild")
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--force", is_flag=True,
              help="Write it even with fewer districts or months than the master shows "
                   "(a district taken out of the cohort file, a store restored).")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes encoding the districts the master's cache does not hold "
                   "(default: every core; 1 encodes in this process; a few are always "
                   "encoded in this process).")
@google_option
def master_rebuild(cohort_path: Path | None, force: bool, jobs: int | None,
                   credentials: Path | None) -> None:
    """Write the master again from the store alone, reading no district file."""
    c = open_cohort(cohort_path)
    with excel_limits_said():
        made = rebuild(c, credentials, force, workers(jobs))
    click.echo(f"Wrote {made.path} from {made.store_path}.")
    if made.google_problem:
        raise Failure(made.google_problem)
    if made.google_sheet:
        click.echo(f"Wrote the Google master {made.google_sheet}.")
