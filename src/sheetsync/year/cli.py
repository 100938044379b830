"""The year commands: ``rollover`` and ``upgrade`` (registered by ``sheetsync.cli``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import SheetsyncError
from .changes import Changes


class _Failure(click.ClickException):
    exit_code = 2  # what `check` exits with for a file it cannot use


def _year(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from ..schoolyear import SchoolYear

    try:
        return SchoolYear.parse(value).label
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _report(changes: Changes, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(changes.to_json(), indent=2, default=str))
    else:
        click.echo("\n".join(changes.lines()))


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", "to", required=True, callback=_year,
              help="The new school year, e.g. 2027-28.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write next year's workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the list of changes as JSON.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
def rollover(file: Path, to: str, output: Path, as_json: bool, force: bool) -> None:
    """Draft next school year's scorecard from FILE (FILE is never changed)."""
    from .rollover import rollover_file

    try:
        changes = rollover_file(file, to, output, force)
    except SheetsyncError as exc:
        raise _Failure(str(exc)) from None
    _report(changes, as_json)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the workbook on the current template.")
@click.option("--json", "as_json", is_flag=True, help="Print the list of changes as JSON.")
@click.option("--force", is_flag=True, help="Replace the -o file if it exists.")
def upgrade(file: Path, output: Path, as_json: bool, force: bool) -> None:
    """Rewrite FILE onto the current template, every value carried (FILE is never changed)."""
    from .upgrade import upgrade_file

    try:
        changes = upgrade_file(file, output, force)
    except SheetsyncError as exc:
        raise _Failure(str(exc)) from None
    _report(changes, as_json)
