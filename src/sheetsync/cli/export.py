"""``sheetsync export``: a scorecard in another body's format (registered by ``sheetsync.cli``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sheetsync.cli.exit import Failure, Group


@click.group(cls=Group)
def export() -> None:
    """Write a scorecard in another body's format (the scorecard is only read)."""


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
