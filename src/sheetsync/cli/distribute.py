"""``sheetsync distribute``.

Registered on the main group in ``cli.py``; kept apart because it needs Google
credentials, which the rest of the CLI does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    click.echo(said(made, cohort.cohort.level == "school", cohort.path))


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def said(made: list[dict[str, Any]], school: bool, path: Path) -> str:
    """What a run found and did, in a sentence: "3 copies made; cohort.toml updated.", and
    on a second run "Nothing to make: all 3 districts already have their scorecard (their
    sources in cohort.toml); cohort.toml unchanged."."""
    counts = {s: sum(d["status"] == s for d in made)
              for s in ("created", "exists", "skipped", "refreshed")}
    if school:
        return (f"{_n(counts['created'], 'plan', 'plans')} made, {counts['exists']} found "
                f"already, {counts['refreshed']} refreshed from the district's strategic "
                f"goals, {counts['skipped']} current; {path} updated.")
    unit = ("district", "districts")
    if made and counts["skipped"] == len(made):
        every = "the district already has its" if len(made) == 1 else \
            f"all {len(made)} districts already have their"
        return f"Nothing to make: {every} scorecard (their sources in {path}); {path} unchanged."
    parts = [f"{_n(counts['created'], 'copy', 'copies')} made"]
    if counts["exists"]:
        parts.append(f"{_n(counts['exists'], 'copy', 'copies')} found in the folder under "
                     "the district's name and recorded")
    if counts["skipped"]:
        parts.append(f"{_n(counts['skipped'], *unit)} already had a scorecard and kept it")
    changed = counts["created"] or counts["exists"]
    return "; ".join(parts) + f"; {path} {'updated' if changed else 'unchanged'}."
