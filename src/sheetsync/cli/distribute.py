"""``sheetsync distribute``.

Registered on the main group in ``cli.py``; kept apart because it needs Google
credentials, which the rest of the CLI does not.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from sheetsync.cli.exit import Command
from sheetsync.cohort.file import load_cohort


@click.command(cls=Command)
@click.option("--cohort", "cohort_path", type=click.Path(path_type=Path),
              help="The cohort file (default: ./cohort.toml).")
@click.option("--drive-folder", metavar="ID",
              help="Make Google Sheets in this Drive folder (a shared drive's, for a service "
                   "account).")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write .xlsx copies into this local folder instead.")
@click.option("--template", "template_id", metavar="KEY",
              help="Copy this Google Sheet (default: the template in the Drive folder, made "
                   "there if missing).")
@click.option("--credentials", type=click.Path(dir_okay=False, path_type=Path),
              help="A service-account key or token file (default: as `sheetsync auth check`).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def distribute(cohort_path: Path | None, drive_folder: str | None, folder: Path | None,
               template_id: str | None, credentials: Path | None, as_json: bool) -> None:
    """Give every district its own copy of the template, shared with its contacts.

    Copies are named "<District> (<id>) — District Scorecard <year>"; each becomes the
    district's source in the cohort file. Running it again makes no duplicates.
    """
    from sheetsync.google.auth import FULL_SCOPES, make_client
    from sheetsync.pull.distribute import distribute as run

    if (drive_folder is None) == (folder is None):
        raise click.UsageError("give --drive-folder ID or --folder DIR (one of them)")
    cohort = load_cohort(cohort_path)
    http = make_client(cohort, credentials, FULL_SCOPES) if drive_folder else None
    made = run(cohort, http, drive_folder=drive_folder, folder=folder,
               template_id=template_id)
    if as_json:
        click.echo(json.dumps(made, indent=2))
        return
    for d in made:
        detail = d["reason"] or d["source"]
        shared = f"  shared with {', '.join(d['shared_with'])}" if d["shared_with"] else ""
        click.echo(f"  {d['status']:<8} {d['id']:<10} {d['name']:<24} {detail}{shared}")
    counts = {s: sum(d["status"] == s for d in made)
              for s in ("created", "exists", "skipped", "refreshed")}
    if cohort.cohort.level == "school":
        click.echo(f"{counts['created']} plans made, {counts['exists']} found already, "
                   f"{counts['refreshed']} refreshed from the district's strategic goals, "
                   f"{counts['skipped']} current; {cohort.path} updated.")
        return
    click.echo(f"{counts['created']} copies made, {counts['exists']} found already, "
               f"{counts['skipped']} districts have a scorecard; {cohort.path} updated.")
