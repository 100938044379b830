"""``sheetsync publish``: the month's reports, board PDFs and public site in one folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sheetsync.cli.common import open_cohort
from sheetsync.cli.exit import Command
from sheetsync.cli.report import _month, _progress, cohort_option
from sheetsync.pull.publish import publish as run_publish


@click.command(cls=Command)
@cohort_option
@click.option("--month", callback=_month, metavar="YYYY-MM",
              help="The month to publish (default: the latest pull's).")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to publish into; the month goes in OUT/YYYY-MM/.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes printing the board PDFs (default: every core).")
def publish(cohort_path: Path | None, month: str | None, out: Path, jobs: int | None) -> None:
    """Publish the month: the cohort report (HTML and PDF), every district's board report
    (PDF), the public site and an index, in OUT/YYYY-MM/; again, only what changed."""
    start = time.perf_counter()
    with _progress(sys.stderr.isatty()) as progress:
        done = run_publish(open_cohort(cohort_path), out, month, jobs, progress)
    click.echo(f"Published {done.month} in {done.folder}: {len(done.written)} file"
               f"{'s' * (len(done.written) != 1)} written, {len(done.unchanged)} unchanged"
               f"{f', {len(done.removed)} removed' if done.removed else ''}, in "
               f"{time.perf_counter() - start:.1f} s; open {done.folder / 'index.html'}.")
