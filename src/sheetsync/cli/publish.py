"""``sheetsync publish``: the month's reports, board PDFs and public site in one folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from sheetsync.cli.common import open_cohort
from sheetsync.cli.exit import EXIT_NOT_SENT, Command
from sheetsync.cli.report import _month, _progress, cohort_option
from sheetsync.pull.publish import publish as run_publish
from sheetsync.pull.publish_mail import email_boards, transport_for


@click.command(cls=Command)
@cohort_option
@click.option("--month", callback=_month, metavar="YYYY-MM",
              help="The month to publish (default: the latest pull's).")
@click.option("-o", "--output", "out", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The folder to publish into; the month goes in OUT/YYYY-MM/.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes printing the board PDFs (default: every core).")
@click.option("--email", is_flag=True,
              help="Then e-mail each district its board report (PDF) through the cohort's "
                   "[smtp], once a month (as `remind --send` does).")
def publish(cohort_path: Path | None, month: str | None, out: Path, jobs: int | None,
            email: bool) -> None:
    """Publish the month: the cohort report (HTML and PDF), every district's board report
    (PDF), the public site and an index, in OUT/YYYY-MM/; again, only what changed.

    Exit codes: 0 published (and, with --email, every board report sent or sent before);
    3 some board reports could not be e-mailed (listed; the next run sends them); 2 the
    cohort, the store, the month or [smtp] cannot be used."""
    start = time.perf_counter()
    cohort = open_cohort(cohort_path)
    transport = transport_for(cohort) if email else None  # [smtp] checked first
    with _progress(sys.stderr.isatty()) as progress:
        done = run_publish(cohort, out, month, jobs, progress)
    click.echo(f"Published {done.month} in {done.folder}: {len(done.written)} file"
               f"{'s' * (len(done.written) != 1)} written, {len(done.unchanged)} unchanged"
               f"{f', {len(done.removed)} removed' if done.removed else ''}, in "
               f"{time.perf_counter() - start:.1f} s; open {done.folder / 'index.html'}.")
    if transport is None:
        return
    mailed = email_boards(cohort, done.folder, done.month, done.boards, transport)
    click.echo(f"E-mailed {len(mailed.sent)} board report{'s' * (len(mailed.sent) != 1)}"
               f"{f'; {len(mailed.already)} already sent this month' if mailed.already else ''}.")
    for did, why in mailed.not_sent.items():
        click.echo(f"  not sent to {did}: {why}")
    if mailed.not_sent:  # the next `publish --email` sends them
        sys.exit(EXIT_NOT_SENT)
