"""``sheetsync pull``: every district of the cohort read, checked and stored; the master
written."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from sheetsync.cli.common import as_date, excel_limits_said, open_cohort, print_json
from sheetsync.cli.exit import EXIT_DISTRICTS_FAILED, EXIT_MASTER_LOCKED, Command, Failure
from sheetsync.cli.google import client_for, google_option
from sheetsync.cli.render import render_pull
from sheetsync.errors import (
    Busy,
    DistrictFileError,
    NotWritable,
    OutsideSchoolYear,
    StoreNotWritten,
    StoreUnusable,
)
from sheetsync.pull.jobs import POOL_MIN, workers
from sheetsync.pull.run import as_of_problem
from sheetsync.pull.run import pull as run_pull


@click.command(cls=Command)
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--as-of", callback=as_date, help="Compute statuses for this date (default today).")
@click.option("--reread", is_flag=True, help="Read every district again, changed or not.")
@click.option("--any-date", is_flag=True,
              help="Accept an --as-of outside the cohort's school year or after today.")
@click.option("--force", is_flag=True,
              help="Both --reread and --any-date (an older name, kept; it says so).")
@click.option("--accept-older", is_flag=True,
              help="Take files older than the ones pulled before (source-older) instead of "
                   "keeping the newer values.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes reading and checking the files, and encoding the master's "
                   "districts (default: every core; 1 does it all in this process). Fewer "
                   f"than {POOL_MIN} files to read are read in this process.")
@click.option("--json", "as_json", is_flag=True, help="Print the pull summary as JSON.")
@google_option
def pull(cohort_path: Path | None, as_of: date | None, reread: bool, any_date: bool,
         force: bool, accept_older: bool, jobs: int | None, as_json: bool,
         credentials: Path | None) -> None:
    """Read every district of the cohort and write the cohort master.

    Exit codes: 0 every district was read; 3 some could not be (they are listed, and the
    master is still written); 4 the master could not be written (open in another program,
    a full disk, or it would show fewer districts or months than it does: the pull is saved,
    and the message says what to run); 2 the cohort file cannot be used, --as-of is outside
    the school year or after today (without --any-date), the store is empty, damaged or
    not sheetsync's, or the store cannot be written (a full disk: nothing was pulled).
    """
    if force:
        reread = any_date = True
    cohort = open_cohort(cohort_path, cached=True)
    problem = None if any_date else as_of_problem(cohort, as_of)
    if problem:
        raise Failure(problem)
    google = client_for(cohort, credentials)
    options: dict[str, Any] = {"force": reread, "any_date": any_date, "google": google,
                               "accept_older": accept_older, "jobs": workers(jobs)}
    with excel_limits_said():
        try:
            if as_json or not sys.stderr.isatty():
                report = run_pull(cohort, as_of, **options)
            else:
                bar: Any
                with click.progressbar(length=len(cohort.members),
                                       label=f"Reading {cohort.words.plural}",
                                       file=sys.stderr, show_pos=True,
                                       item_show_func=lambda d: d.name if d else "") as bar:
                    report = run_pull(cohort, as_of, progress=lambda d, o: bar.update(1, d),
                                      **options)
        except (NotWritable, DistrictFileError) as exc:
            raise Failure(f"{exc} Nothing was pulled.") from None
        except (Busy, StoreUnusable, StoreNotWritten, OutsideSchoolYear) as exc:
            # another pull is running; the store refused on open; a full disk; another year
            raise Failure(str(exc)) from None
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(render_pull(report))
    if force and not as_json:  # said last: the JSON stays JSON, the table comes first
        click.echo("--force is --reread --any-date; say which you mean next time.", err=True)
    for note in report.notes:  # e.g. a district no longer in the cohort file
        click.secho(note, fg="yellow", err=True)
    if report.master_error:
        click.secho(report.master_error, fg="red", err=True)
        sys.exit(EXIT_MASTER_LOCKED)
    sys.exit(EXIT_DISTRICTS_FAILED if report.failed else 0)
