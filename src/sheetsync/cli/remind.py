"""``sheetsync remind``: reminders for monthly updates due and not submitted."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from sheetsync.cli.common import open_cohort, print_json
from sheetsync.cli.exit import EXIT_NOT_SENT, Command
from sheetsync.remind import Reminder
from sheetsync.remind import remind as run
from sheetsync.remind.render import render_remind


@click.command(cls=Command)
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Remind as of this date (default today).")
@click.option("--send", is_flag=True,
              help="Send through [smtp] in cohort.toml (password from "
                   "SHEETSYNC_SMTP_PASSWORD); without it, only write drafts.")
@click.option("--outbox", type=click.Path(file_okay=False, path_type=Path),
              help="Where the .eml drafts go (default: .sheetsync/outbox beside cohort.toml).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def remind(cohort_path: Path | None, as_of: datetime | None, send: bool, outbox: Path | None,
           as_json: bool) -> None:
    """Remind every district whose monthly update is due and not submitted.

    Reads the store (run `sheetsync pull` first), once per district, month and kind: a
    district reminded before, or that submitted, gets nothing. Exit codes: 0 drafts written
    or all sent; 3 some could not be sent (listed; the next run sends them); 2 the cohort
    file, its [smtp] settings or the store cannot be used.

    \b
    [smtp] in cohort.toml:
      host = "smtp.example.org"    port = 587 (default)
      from = "Coach <coach@example.org>"
      username = "coach"           password: SHEETSYNC_SMTP_PASSWORD
      starttls = true (default)    cafile = "ca.pem" (to trust your own server)
      digest_to = "coach@example.org"   timeout = 30 (seconds)
    """
    c = open_cohort(cohort_path)

    def progress(r: Reminder) -> None:
        if not as_json:
            click.echo(f"  {r.status:<12} {r.district_id:<8} {r.name}", err=True)

    report = run(c, as_of.date() if as_of else date.today(), send=send, outbox=outbox,
                 progress=progress)
    if as_json:
        print_json(report.to_json())
    else:
        click.echo(render_remind(report))
    sys.exit(EXIT_NOT_SENT if report.failed else 0)
